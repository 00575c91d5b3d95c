package dev.kappa.pipelines.tools;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.transforms.windowing.EventTimeBounds;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When produce-orders sends each line at a finite speed-up, with a clock the test moves. */
class PacingTest {
  private static final long START = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private final AtomicLong now = new AtomicLong(START);

  private Pacing pacing(double speedUp, EventTimeBounds bounds) {
    return new Pacing(speedUp, bounds, now::get);
  }

  @Test
  void linesArePacedByTheGreatestEventTimeSoFar() {
    Pacing pacing = pacing(60, EventTimeBounds.create());

    assertThat(pacing.dueAt(T0) - START, equalTo(0L));
    assertThat(pacing.dueAt(T0 + MINUTE) - START, equalTo(1_000L));
    // An older line does not wait longer than the one before it.
    assertThat(pacing.dueAt(T0 + 30_000) - START, equalTo(1_000L));
    assertThat(pacing.dueAt(T0 + 3 * MINUTE) - START, equalTo(3_000L));
  }

  @Test
  void anImplausibleEventTimeDoesNotPaceTheSends() {
    Pacing pacing = pacing(60, EventTimeBounds.create());
    long year2099 = Instant.parse("2099-01-01T00:00:00Z").toEpochMilli();

    assertThat(pacing.dueAt(T0) - START, equalTo(0L));
    assertThat(pacing.dueAt(T0 + MINUTE) - START, equalTo(1_000L));
    now.addAndGet(1_000);
    // Without bounds this line would be due in about 15 months.
    assertThat(pacing.dueAt(year2099) - START, equalTo(0L));
    assertThat(pacing.dueAt(0) - START, equalTo(0L));
    assertThat(pacing.dueAt(T0 + 2 * MINUTE) - START, equalTo(2_000L));
  }

  @Test
  void anImplausibleFirstLineDoesNotSetTheOrigin() {
    Pacing pacing = pacing(60, EventTimeBounds.create());

    assertThat(pacing.dueAt(Instant.parse("2099-01-01T00:00:00Z").toEpochMilli()), equalTo(START));
    assertThat(pacing.dueAt(T0) - START, equalTo(0L));
    assertThat(pacing.dueAt(T0 + MINUTE) - START, equalTo(1_000L));
  }

  @Test
  void withoutBoundsA2099LineWouldWaitForDecades() {
    Pacing pacing = pacing(60, EventTimeBounds.none());
    long year2099 = Instant.parse("2099-01-01T00:00:00Z").toEpochMilli();

    assertThat(pacing.dueAt(T0) - START, equalTo(0L));
    assertThat(pacing.dueAt(year2099) - START, equalTo((year2099 - T0) / 60));
  }

  @Test
  void atMaxSpeedNothingWaits() {
    Pacing pacing = pacing(Double.POSITIVE_INFINITY, EventTimeBounds.none());

    assertThat(pacing.dueAt(T0), equalTo(START));
    assertThat(pacing.dueAt(T0 + 60 * MINUTE), equalTo(START));
  }
}
