package dev.kappa.io.kafka;

import java.io.Serializable;
import org.joda.time.Instant;

/**
 * The processing-time clock behind the event-time policy's idle rule and the progress log; a seam
 * so that tests drive idleness and progress with a manual clock instead of sleeping.
 */
interface KafkaClock extends Serializable {

  /** The current processing time. */
  Instant now();

  /** The wall clock. */
  static KafkaClock system() {
    return SystemClock.INSTANCE;
  }

  /** The wall clock, as a serializable singleton. */
  enum SystemClock implements KafkaClock {
    INSTANCE;

    @Override
    public Instant now() {
      return Instant.now();
    }
  }
}
