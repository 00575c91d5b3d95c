package dev.kappa.transforms.enrichment;

import java.io.Serializable;

/**
 * The wall clock {@link EnrichByLookup}'s cache measures time-to-live with. Tests replace it; the
 * cache lives outside keyed state, where the runner's processing-time clock can't be read.
 */
@FunctionalInterface
interface WallClock extends Serializable {
  /** The system clock. */
  WallClock SYSTEM = System::currentTimeMillis;

  long millis();
}
