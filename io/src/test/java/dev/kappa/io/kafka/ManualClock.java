package dev.kappa.io.kafka;

import dev.kappa.io.watermark.ProcessingClock;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** A clock that moves only when a test says so. */
final class ManualClock implements ProcessingClock {
  private static final long serialVersionUID = 1L;

  private Instant now;

  ManualClock(Instant now) {
    this.now = now;
  }

  @Override
  public Instant now() {
    return now;
  }

  void advance(Duration duration) {
    now = now.plus(duration);
  }
}
