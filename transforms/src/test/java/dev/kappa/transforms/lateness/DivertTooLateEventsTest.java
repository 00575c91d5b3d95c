package dev.kappa.transforms.lateness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.MissedWindow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.DoubleCoder;
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
                () -> divert.withShardKey(null, StringUtf8Coder.of()))
            .getMessage(),
        equalTo("shard key must be set"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> divert.withShardKey(s -> s, (StringUtf8Coder) null))
            .getMessage(),
        equalTo("shard key coder must be set"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> divert.withShardKey(s -> s.length() / 2.0, DoubleCoder.of()))
            .getMessage(),
        startsWith("shard key coder must be deterministic, but "));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> divert.withAllowedLateness(Duration.millis(-1)))
            .getMessage(),
        equalTo("allowed lateness must be >= 0, was PT-0.001S"));
  }

  /**
   * By key: every element of a key meets the same shard, in any DoFn instance (each starts its
   * round robin at random, so this is not the round robin's order), and the keys spread over more
   * than one shard.
   */
  @Test
  void aShardKeyPutsEveryElementOfAKeyOnOneShard() {
    DivertTooLateEvents<String> divert =
        DivertTooLateEvents.<String>into(FixedWindows.of(FIVE_MINUTES))
            .withShardKey(
                element -> element.substring(0, element.indexOf('-')), StringUtf8Coder.of())
            .withShards(4);
    Map<String, Set<Integer>> shardsByKey = new HashMap<>();
    for (int instance = 0; instance < 3; instance++) {
      DivertTooLateEvents.AssignShardFn<String> fn =
          new DivertTooLateEvents.AssignShardFn<>(divert.shards(), divert.shardHash());
      fn.setup();
      for (int key = 0; key < 20; key++) {
        for (int i = 0; i < 3; i++) {
          int shard = fn.shardOf("key" + key + "-" + i);
          assertThat(shard, both(greaterThanOrEqualTo(0)).and(lessThan(4)));
          shardsByKey.computeIfAbsent("key" + key, k -> new HashSet<>()).add(shard);
        }
      }
    }

    assertThat(shardsByKey.size(), equalTo(20));
    shardsByKey.values().forEach(shards -> assertThat(shards, hasSize(1)));
    Set<Integer> used = new HashSet<>();
    shardsByKey.values().forEach(used::addAll);
    assertThat(used.size(), greaterThan(1));
  }

  /** Round robin: one instance reaches every shard within its first {@code shards} elements. */
  @Test
  void roundRobinReachesEveryShardWithinShardsElements() {
    DivertTooLateEvents.AssignShardFn<String> fn = new DivertTooLateEvents.AssignShardFn<>(5, null);
    fn.setup();
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      used.add(fn.shardOf("same"));
    }

    assertThat(used, equalTo(Set.of(0, 1, 2, 3, 4)));
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
