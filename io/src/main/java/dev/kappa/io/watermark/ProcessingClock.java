package dev.kappa.io.watermark;

import java.io.Serializable;
import org.joda.time.Instant;

/**
 * The processing-time clock of the unbounded sources: it paces a replay, drives the idle rule of
 * {@link BoundedOutOfOrdernessWatermark} and times progress logs. A seam, so that tests use a
 * manual clock instead of sleeping.
 */
public interface ProcessingClock extends Serializable {

  /** The current processing time. */
  Instant now();

  /** The wall clock. */
  static ProcessingClock system() {
    return SystemClock.INSTANCE;
  }

  /** The wall clock, as a serializable singleton. */
  enum SystemClock implements ProcessingClock {
    INSTANCE;

    @Override
    public Instant now() {
      return Instant.now();
    }
  }
}
