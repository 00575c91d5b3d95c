package dev.kappa.transforms.patterns;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.transforms.state.FakeBag;
import dev.kappa.transforms.state.FakeValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link BurstDetector}, the per-key logic of {@link DetectBursts}, in a harness that plays the
 * runner for one key: state and timer in memory, the timer fired when the watermark passes it, and
 * Beam's rule that an output is not earlier than the element being processed. As in
 * flink-training's tests, cases end by checking what state and timers are left; the property test
 * checks the rule against a brute-force scan over random arrival orders.
 */
class BurstDetectorTest {
  private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration WITHIN = Duration.standardSeconds(60);
  private static final Duration LATENESS = Duration.standardSeconds(30);

  private static Instant at(long seconds) {
    return BASE.plus(Duration.standardSeconds(seconds));
  }

  @Test
  void aThirdEventWithinTheIntervalBurstsOnceAndTheStateGoesOnceTheWatermarkPasses() {
    Harness h = new Harness(3, LATENESS);
    h.event("a", at(0));
    h.event("b", at(30));
    h.event("c", at(60)); // a is at c - 60 s: inside, the bound included
    h.event("c", at(60)); // redelivered: counts once, bursts once

    assertThat(h.outputs, contains("burst c [a, b]"));
    assertThat(h.timersSet(), contains("expire at 10:01:30.001"));

    h.advanceWatermarkTo(at(90).plus(Duration.millis(1)));
    // a is gone (10:00 + 60 s + 30 s); b and c stay until 10:02:00 and 10:02:30.
    assertThat(h.timersSet(), contains("expire at 10:02:00.001"));
    assertThat(h.keptIds(), contains("b", "c"));
    h.advanceWatermarkTo(at(151));

    assertThat(h.leftovers(), empty());
  }

  @Test
  void oneMillisecondBeyondTheIntervalIsNoBurst() {
    Harness h = new Harness(3, LATENESS);
    h.event("a", at(0).minus(Duration.millis(1)));
    h.event("b", at(30));
    h.event("c", at(60));

    assertThat(h.outputs, empty());
  }

  @Test
  void aLateEarlierEventCompletesTheBurstOfALaterOneAlreadySeen() {
    Harness h = new Harness(3, LATENESS);
    h.event("b", at(20));
    h.event("c", at(40));
    h.advanceWatermarkTo(at(45));
    h.event("a", at(20)); // a tie with b; 25 s behind the watermark: late, within lateness

    // a has only b in [a - 60 s, a]; c has a and b.
    assertThat(h.outputs, contains("burst c [a, b]"));
  }

  @Test
  void anEventTooFarBehindTheWatermarkIsTooLateAndChangesNothing() {
    Harness h = new Harness(3, LATENESS);
    h.event("b", at(50));
    h.event("c", at(55));
    h.advanceWatermarkTo(at(40).plus(LATENESS).plus(Duration.millis(1)));
    h.event("a", at(40));

    assertThat(h.outputs, contains("tooLate a by 1 ms"));
    assertThat(h.keptIds(), contains("b", "c"));
  }

  @Test
  void aFourthAndFifthEventEachBurstOnce() {
    Harness h = new Harness(3, LATENESS);
    for (int i = 0; i < 5; i++) {
      h.event("t" + i, at(10L * i));
    }

    assertThat(
        h.outputs,
        contains("burst t2 [t0, t1]", "burst t3 [t0, t1, t2]", "burst t4 [t0, t1, t2, t3]"));
  }

  @Test
  void aKeyThatNeverBurstsLeavesNothingEither() {
    Harness h = new Harness(3, Duration.ZERO);
    h.event("a", at(0));
    h.advanceWatermarkTo(at(61));

    assertThat(h.outputs, empty());
    assertThat(h.leftovers(), empty());
  }

  /**
   * Random event sets on one key (times on a 5 s grid over 4 minutes, so ties and exact bounds are
   * common, one id redelivered) in random arrival orders, the watermark moving in random steps up
   * to the allowed lateness (10 s) past the earliest event still to come, so that no event is too
   * late but kept events expire on the way. Every round: the bursting events are exactly those a
   * brute-force scan of the whole set finds, each once; each burst names at least two others, all
   * within its interval; nothing is left once the watermark has passed everything.
   */
  @Test
  void inAnyArrivalOrderTheBurstsAreThoseOfAScanOfAllEvents() {
    Random random = new Random(7);
    int withBursts = 0;
    for (int round = 0; round < 500; round++) {
      int count = 2 + random.nextInt(12);
      TreeMap<String, Instant> times = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        times.put("e" + i, at(5L * random.nextInt(48)));
      }
      List<String> arrivals = new ArrayList<>(times.keySet());
      arrivals.add(arrivals.get(random.nextInt(arrivals.size()))); // a redelivery
      Collections.shuffle(arrivals, random);

      Duration lateness = Duration.standardSeconds(10);
      Harness h = new Harness(3, lateness);
      for (int i = 0; i < arrivals.size(); i++) {
        Instant earliestToCome =
            arrivals.subList(i, arrivals.size()).stream()
                .map(times::get)
                .min(Instant::compareTo)
                .orElseThrow();
        if (random.nextInt(3) == 0) {
          h.advanceWatermarkTo(
              earliestToCome.plus(lateness).minus(Duration.millis(random.nextInt(20_000))));
        }
        h.event(arrivals.get(i), times.get(arrivals.get(i)));
      }

      TreeSet<String> expected = new TreeSet<>();
      for (var t : times.entrySet()) {
        long others =
            times.entrySet().stream()
                .filter(o -> !o.getKey().equals(t.getKey()))
                .filter(o -> !o.getValue().isBefore(t.getValue().minus(WITHIN)))
                .filter(o -> !o.getValue().isAfter(t.getValue()))
                .count();
        if (others >= 2) {
          expected.add(t.getKey());
        }
      }
      assertThat(h.outputs.stream().filter(o -> o.startsWith("tooLate")).toList(), empty());
      List<String> burst = new ArrayList<>();
      for (Burst<String, String> b : h.bursts) {
        burst.add(b.event());
        assertThat(b.evidence().size() >= 2, equalTo(true));
        for (String other : b.evidence()) {
          Instant o = times.get(other);
          assertThat(
              !o.isBefore(b.time().minus(WITHIN))
                  && !o.isAfter(b.time())
                  && !other.equals(b.event()),
              equalTo(true));
        }
      }
      Collections.sort(burst);
      assertThat("round " + round, burst, equalTo(new ArrayList<>(expected)));
      withBursts += expected.isEmpty() ? 0 : 1;

      h.advanceWatermarkTo(at(10_000));
      assertThat(h.leftovers(), empty());
    }
    assertThat(withBursts > 100, equalTo(true));
  }

  // ------------------------------------------------------------------------------ the harness

  /** Plays the runner for one key; events are their own ids. */
  private static final class Harness {
    final FakeBag<TimestampedValue<String>> events = new FakeBag<>("events");
    final FakeBag<String> alerted = new FakeBag<>("alerted");
    final FakeValue<Instant> expiresAt = new FakeValue<>("expiresAt");
    final FakeTimer expire = new FakeTimer("expire");
    final List<String> outputs = new ArrayList<>();
    final List<Burst<String, String>> bursts = new ArrayList<>();
    final int minEvents;
    final Duration lateness;
    Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    Instant inputTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Harness(int minEvents, Duration lateness) {
      this.minEvents = minEvents;
      this.lateness = lateness;
    }

    BurstDetector<String, String> detector() {
      return new BurstDetector<>(
          "card",
          minEvents,
          WITHIN,
          lateness,
          id -> id,
          events,
          alerted,
          expiresAt,
          expire,
          new BurstDetector.Output<String, String>() {
            @Override
            public void burst(Burst<String, String> burst) {
              checkOutput(burst.time());
              bursts.add(burst);
              outputs.add("burst " + burst.event() + " " + burst.evidence());
            }

            @Override
            public void tooLate(String event, Instant time, Instant watermark) {
              checkOutput(time);
              var missed = DetectBursts.missedInterval(time, WITHIN, lateness, watermark);
              outputs.add("tooLate " + event + " by " + missed.getLateByMillis() + " ms");
            }
          });
    }

    void event(String id, Instant time) {
      inputTimestamp = time;
      detector().onEvent(id, time, watermark);
    }

    /** Moves the watermark (never back), firing the timer if it passes it. */
    void advanceWatermarkTo(Instant to) {
      if (to.isAfter(watermark)) {
        watermark = to;
      }
      while (expire.target != null && !expire.target.isAfter(watermark)) {
        inputTimestamp = expire.target;
        expire.target = null;
        detector().onExpire(watermark);
      }
    }

    void checkOutput(Instant timestamp) {
      if (timestamp.isBefore(inputTimestamp)) {
        throw new AssertionError(
            "output at " + timestamp + " before the input timestamp " + inputTimestamp);
      }
    }

    List<String> keptIds() {
      List<String> ids = new ArrayList<>();
      events.read().forEach(v -> ids.add(v.getValue()));
      Collections.sort(ids);
      return ids;
    }

    List<String> timersSet() {
      return expire.target == null
          ? List.of()
          : List.of("expire at " + expire.target.toString().substring(11, 23));
    }

    /** Every piece of state still held and the timer if still set. */
    List<String> leftovers() {
      List<String> left = new ArrayList<>(timersSet());
      if (!events.isEmpty().read()) {
        left.add("events " + events.read());
      }
      if (!alerted.isEmpty().read()) {
        left.add("alerted " + alerted.read());
      }
      if (expiresAt.read() != null) {
        left.add("expiresAt " + expiresAt.read());
      }
      return left;
    }

    /** An event-time timer that holds nothing, as the detector sets it. */
    final class FakeTimer implements Timer {
      final String name;
      @Nullable Instant target;
      private boolean noOutputTimestamp;

      FakeTimer(String name) {
        this.name = name;
      }

      @Override
      public void set(Instant time) {
        if (!noOutputTimestamp) {
          throw new AssertionError(name + " must hold no watermark");
        }
        target = time;
        noOutputTimestamp = false;
      }

      @Override
      public void setRelative() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void clear() {
        target = null;
      }

      @Override
      public Timer offset(Duration offset) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Timer align(Duration period) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Timer withOutputTimestamp(Instant outputTimestamp) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Timer withNoOutputTimestamp() {
        noOutputTimestamp = true;
        return this;
      }

      @Override
      public Instant getCurrentRelativeTime() {
        return watermark;
      }
    }
  }
}
