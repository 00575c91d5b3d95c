package dev.kappa.transforms.lateness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.MissedWindow;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DivertTooLateEvents} on its own: its settings, Beam's expiry rule, and live windows
 * without a trigger. The lateness cases with triggers are in the windowing package's {@code
 * *LatenessTest}; agreement with Beam's dropping is {@link DivertAgreesWithBeamDroppingTest}.
 */
@ExtendWith(TestPipelineExtension.class)
class DivertTooLateEventsTest {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration FIVE_MINUTES = Duration.standardMinutes(5);

  private static Instant at(int minutes) {
    return BASE.plus(Duration.standardMinutes(minutes));
  }

  @Test
  void defaultsToNoLatenessOverSixteenShards() {
    DivertTooLateEvents<String> divert = DivertTooLateEvents.into(FixedWindows.of(FIVE_MINUTES));

    assertThat(divert.allowedLateness(), equalTo(Duration.ZERO));
    assertThat(divert.shards(), equalTo(16));
    assertThat(divert.withShards(2).shards(), equalTo(2));
    assertThat(divert.withAllowedLateness(FIVE_MINUTES).allowedLateness(), equalTo(FIVE_MINUTES));
  }

  @Test
  void namesEachBadArgument() {
    DivertTooLateEvents<String> divert = DivertTooLateEvents.into(FixedWindows.of(FIVE_MINUTES));

    assertThat(
        assertThrows(NullPointerException.class, () -> DivertTooLateEvents.into(null)).getMessage(),
        equalTo("window function must be set"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> divert.withShards(0)).getMessage(),
        equalTo("shards must be positive, was 0"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> divert.withAllowedLateness(null))
            .getMessage(),
        equalTo("allowed lateness must be set"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> divert.withAllowedLateness(Duration.millis(-1)))
            .getMessage(),
        equalTo("allowed lateness must be >= 0, was PT-0.001S"));
  }

  @Test
  void aWindowExpiresAllowedLatenessAfterItsLastMillisecond() {
    IntervalWindow window = new IntervalWindow(at(0), at(5));

    assertThat(
        DivertTooLateEvents.expiryTime(window, Duration.standardMinutes(10)),
        equalTo(at(15).minus(Duration.millis(1))));
    assertThat(
        DivertTooLateEvents.expiryTime(window, Duration.ZERO),
        equalTo(at(5).minus(Duration.millis(1))));
  }

  @Test
  void expiryIsCappedAtTheEndOfTheGlobalWindow() {
    Instant endOfGlobalWindow = GlobalWindow.INSTANCE.maxTimestamp();
    IntervalWindow lastHour =
        new IntervalWindow(endOfGlobalWindow.minus(Duration.standardHours(1)), endOfGlobalWindow);

    assertThat(
        DivertTooLateEvents.expiryTime(GlobalWindow.INSTANCE, Duration.standardDays(1)),
        equalTo(endOfGlobalWindow));
    assertThat(
        DivertTooLateEvents.expiryTime(lastHour, Duration.standardDays(1)),
        equalTo(endOfGlobalWindow));
  }

  /**
   * Ten-minute windows every five minutes, no lateness, one shard. At 00:12 the event at 00:07 has
   * missed [00:00, 00:10) but is live in [00:05, 00:15); the event at 00:13 is live in both of its
   * windows, [00:05, 00:15) and [00:10, 00:20).
   */
  @Test
  void passesElementsOnInTheirLiveWindowsOnly(TestPipeline p) {
    TestStream<String> events =
        TestStream.create(StringUtf8Coder.of())
            .advanceWatermarkTo(at(12))
            .addElements(TimestampedValue.of("x", at(7)), TimestampedValue.of("y", at(13)))
            .advanceWatermarkToInfinity();
    DivertTooLateEvents<String> divert =
        DivertTooLateEvents.<String>into(
                SlidingWindows.of(Duration.standardMinutes(10)).every(FIVE_MINUTES))
            .withShards(1);

    PCollectionTuple split = p.apply(events).apply(divert);

    BoundedWindow missed = new IntervalWindow(at(0), at(10));
    PAssert.that(split.get(divert.liveTag())).inWindow(missed).empty();
    PAssert.that(split.get(divert.liveTag()))
        .inWindow(new IntervalWindow(at(5), at(15)))
        .containsInAnyOrder("x", "y");
    PAssert.that(split.get(divert.liveTag()))
        .inWindow(new IntervalWindow(at(10), at(20)))
        .containsInAnyOrder("y");
    PAssert.that(split.get(divert.tooLateTag()))
        .containsInAnyOrder(
            KV.of(
                "x",
                MissedWindow.newBuilder()
                    .setWindowStart(java.time.Instant.parse("2026-01-01T00:00:00Z"))
                    .setWindowEnd(java.time.Instant.parse("2026-01-01T00:10:00Z"))
                    .setEventTime(java.time.Instant.parse("2026-01-01T00:07:00Z"))
                    .setWatermark(java.time.Instant.parse("2026-01-01T00:12:00Z"))
                    .setAllowedLatenessMillis(0)
                    // 00:12 minus 00:09:59.999
                    .setLateByMillis(Duration.standardMinutes(2).getMillis() + 1)
                    .build()));
    p.run();
  }
}
