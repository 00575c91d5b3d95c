package dev.kappa.io.watermark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class BoundedOutOfOrdernessWatermarkTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private static BoundedOutOfOrdernessWatermark policy() {
    return BoundedOutOfOrdernessWatermark.create()
        .withMaxOutOfOrderness(Duration.standardMinutes(1))
        .withIdleTimeout(Duration.standardSeconds(10))
        .withSpeedUp(60.0);
  }

  @Test
  void isAtTheBeginningOfTimeBeforeAnyEventTime() {
    BoundedOutOfOrdernessWatermark policy = policy();
    assertThat(policy.getWatermark(NOW), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));

    policy.onRecordWithoutEventTime(NOW);
    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardHours(1))),
        equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
  }

  @Test
  void trailsTheMaximumEventTimeByTheBound() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0.plus(Duration.standardMinutes(5)), NOW);
    assertThat(policy.getWatermark(NOW), equalTo(T0.plus(Duration.standardMinutes(4))));

    policy.onRecord(T0.plus(Duration.standardMinutes(7)), NOW);
    assertThat(policy.getWatermark(NOW), equalTo(T0.plus(Duration.standardMinutes(6))));
    assertThat(policy.getMaxEventTime(), equalTo(T0.plus(Duration.standardMinutes(7))));
  }

  @Test
  void equalsTheMaximumEventTimeWithZeroBound() {
    BoundedOutOfOrdernessWatermark policy = policy().withMaxOutOfOrderness(Duration.ZERO);
    policy.onRecord(T0, NOW);
    assertThat(policy.getWatermark(NOW), equalTo(T0));
  }

  @Test
  void neverMovesBackwardsForOlderRecords() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0.plus(Duration.standardMinutes(10)), NOW);
    Instant before = policy.getWatermark(NOW);

    policy.onRecord(T0.plus(Duration.standardMinutes(2)), NOW);

    assertThat(policy.getWatermark(NOW), equalTo(before));
    assertThat(policy.getMaxEventTime(), equalTo(T0.plus(Duration.standardMinutes(10))));
  }

  @Test
  void neverMovesBackwardsAfterAnIdleAdvance() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);
    Instant idle = policy.getWatermark(NOW.plus(Duration.standardSeconds(30)));
    assertThat(idle, equalTo(T0.plus(Duration.standardMinutes(29))));

    // A record arrives, ending the idle period, with an event time behind the idle estimate.
    policy.onRecord(T0.plus(Duration.standardMinutes(5)), NOW.plus(Duration.standardSeconds(31)));

    assertThat(policy.getWatermark(NOW.plus(Duration.standardSeconds(31))), equalTo(idle));
  }

  @Test
  void jumpsToTheEndOfTimeAtEndOfInput() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);
    policy.onEndOfInput();
    assertThat(policy.getWatermark(NOW), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertThat(policy.isEndOfInput(), equalTo(true));
  }

  @Test
  void jumpsToTheEndOfTimeAtEndOfAnEmptyInput() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onEndOfInput();
    assertThat(policy.getWatermark(NOW), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  void doesNotAdvanceBeforeTheIdleTimeout() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);
    assertThat(
        policy.getWatermark(NOW.plus(Duration.millis(9_999))),
        equalTo(T0.minus(Duration.standardMinutes(1))));
  }

  @Test
  void advancesWithProcessingTimeTimesSpeedUpOnceIdle() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);

    // 10 s idle at 60x = 10 min of event time, minus the 1 min bound.
    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardSeconds(10))),
        equalTo(T0.plus(Duration.standardMinutes(9))));
    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardSeconds(20))),
        equalTo(T0.plus(Duration.standardMinutes(19))));
  }

  @Test
  void aRecordWithoutEventTimeResetsTheIdleTimer() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);
    policy.onRecordWithoutEventTime(NOW.plus(Duration.standardSeconds(5)));

    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardSeconds(12))),
        equalTo(T0.minus(Duration.standardMinutes(1))));
    // Idle since 5 s: 10 s at 60x from the max event time.
    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardSeconds(15))),
        equalTo(T0.plus(Duration.standardMinutes(9))));
  }

  @Test
  void hasNoIdleRuleAtInfiniteSpeed() {
    BoundedOutOfOrdernessWatermark policy = policy().withSpeedUp(Double.POSITIVE_INFINITY);
    policy.onRecord(T0, NOW);
    assertThat(
        policy.getWatermark(NOW.plus(Duration.standardDays(1))),
        equalTo(T0.minus(Duration.standardMinutes(1))));
  }

  @Test
  void idleAdvanceStaysBelowTheEndOfTheGlobalWindow() {
    BoundedOutOfOrdernessWatermark policy = policy().withSpeedUp(1e12);
    policy.onRecord(T0, NOW);
    Instant watermark = policy.getWatermark(NOW.plus(Duration.standardDays(365)));
    assertThat(watermark, lessThan(GlobalWindow.INSTANCE.maxTimestamp()));
    assertThat(watermark, equalTo(BoundedOutOfOrdernessWatermark.MAX_IDLE_WATERMARK));
  }

  @Test
  void newInstanceKeepsTheSettingsButNotTheState() {
    BoundedOutOfOrdernessWatermark used = policy();
    used.onRecord(T0, NOW);
    used.onEndOfInput();

    BoundedOutOfOrdernessWatermark fresh = used.newInstance();

    assertThat(fresh.getMaxEventTime(), nullValue());
    assertThat(fresh.getWatermark(NOW), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    assertThat(fresh.getMaxOutOfOrderness(), equalTo(Duration.standardMinutes(1)));
    assertThat(fresh.getIdleTimeout(), equalTo(Duration.standardSeconds(10)));
    assertThat(fresh.getSpeedUp(), equalTo(60.0));
  }

  @Test
  void keepsItsStateWhenSerialized() {
    BoundedOutOfOrdernessWatermark policy = policy();
    policy.onRecord(T0, NOW);

    BoundedOutOfOrdernessWatermark copy = SerializableUtils.clone(policy);

    assertThat(copy.getMaxEventTime(), equalTo(T0));
    assertThat(copy.getWatermark(NOW), equalTo(T0.minus(Duration.standardMinutes(1))));
  }

  @Test
  void hasDocumentedDefaults() {
    BoundedOutOfOrdernessWatermark policy = BoundedOutOfOrdernessWatermark.create();
    assertThat(policy.getMaxOutOfOrderness(), equalTo(Duration.standardMinutes(1)));
    assertThat(policy.getIdleTimeout(), equalTo(Duration.standardMinutes(1)));
    assertThat(policy.getSpeedUp(), equalTo(1.0));
  }

  @Test
  void rejectsANegativeBound() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> policy().withMaxOutOfOrderness(Duration.millis(-1)));
    assertThat(e.getMessage(), equalTo("maxOutOfOrderness must be >= 0, was PT-0.001S"));
  }

  @Test
  void rejectsANonPositiveIdleTimeout() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> policy().withIdleTimeout(Duration.ZERO));
    assertThat(e.getMessage(), equalTo("idleTimeout must be > 0, was PT0S"));
  }

  @Test
  void rejectsANonPositiveSpeedUp() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> policy().withSpeedUp(0.0));
    assertThat(zero.getMessage(), equalTo("speedUp must be > 0, was 0.0"));
    IllegalArgumentException nan =
        assertThrows(IllegalArgumentException.class, () -> policy().withSpeedUp(Double.NaN));
    assertThat(nan.getMessage(), equalTo("speedUp must be > 0, was NaN"));
  }
}
