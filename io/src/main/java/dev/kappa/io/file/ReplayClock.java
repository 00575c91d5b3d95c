package dev.kappa.io.file;

import java.io.Serializable;
import org.joda.time.Instant;

/**
 * The processing-time clock that paces a replay; a seam so that tests drive pacing and idleness
 * with a manual clock instead of sleeping.
 */
interface ReplayClock extends Serializable {

  /** The current processing time. */
  Instant now();

  /** The wall clock. */
  static ReplayClock system() {
    return SystemClock.INSTANCE;
  }

  /** The wall clock, as a serializable singleton. */
  enum SystemClock implements ReplayClock {
    INSTANCE;

    @Override
    public Instant now() {
      return Instant.now();
    }
  }
}
