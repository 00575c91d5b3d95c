package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.transforms.state.FakeBag;
import dev.kappa.transforms.state.FakeValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link AwaitKeys}, the wait for a missing key of {@link EnrichByLookup}, in a harness that plays
 * the runner for one key: state and timers in memory, the processing-time clock and the table under
 * the test's control, and Beam's rule that a timer's output timestamp is not earlier than the
 * element or timer that sets it. As in {@link AsOfJoinTest}, each case ends by checking what state
 * and timers are left.
 */
class AwaitKeysTest {
  private static final Duration TIMEOUT = Duration.standardMinutes(5);
  private static final Duration RECHECK = Duration.standardMinutes(1);

  /** Processing time starts here; event times are {@code at(minutes)}, an hour earlier. */
  private static final Instant CLOCK = Instant.parse("2026-03-01T11:00:00Z");

  @Test
  void aKeyThatAppearsReleasesEveryHeldEventAtItsOwnTimeAndLeavesNothing() {
    Harness h = new Harness();
    h.event("o1", at(2));
    h.event("o2", at(0));
    assertThat(
        h.timersSet(),
        contains("recheck at 11:01 holding 10:00", "endOfInput at end of time holding 10:00"));

    h.advanceClockTo(CLOCK.plus(Duration.standardSeconds(61)));
    assertThat("not there yet: looked up once, still held", h.lookups, equalTo(1));
    assertThat(h.outputs, empty());
    h.table.put("p1", "toys");
    h.advanceClockTo(CLOCK.plus(Duration.standardSeconds(121)));

    assertThat(h.outputs, contains("found o1=toys @ 10:02", "found o2=toys @ 10:00"));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void anEventNotFoundBeforeItsDeadlineExpiresAndLeavesNothing() {
    Harness h = new Harness(Duration.standardSeconds(90), RECHECK);
    h.event("o1", at(0));
    h.advanceClockTo(CLOCK.plus(Duration.standardSeconds(61)));
    // The next check is the deadline (arrival + 90 s), sooner than another recheck interval.
    assertThat(h.timersSet().get(0), equalTo("recheck at 11:01:30 holding 10:00"));
    h.advanceClockTo(CLOCK.plus(Duration.standardMinutes(3)));

    assertThat(h.outputs, contains("expired o1 @ 10:00"));
    assertThat(h.lookups, equalTo(2));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void onlyAnEarlierEventLowersTheHoldAndTheDueCheckStays() {
    Harness h = new Harness();
    h.event("o1", at(5));
    h.clock = CLOCK.plus(Duration.standardSeconds(30));
    h.event("o2", at(7)); // later: the timers stay as they are
    assertThat(h.timersSet().get(0), equalTo("recheck at 11:01 holding 10:05"));
    h.event("o0", at(3)); // earlier: the hold comes down, the check stays due at 11:01
    assertThat(h.timersSet().get(0), equalTo("recheck at 11:01 holding 10:03"));
    assertThat(
        h.leftovers(),
        contains(
            "recheck at 11:01 holding 10:03",
            "endOfInput at end of time holding 10:03",
            "hold 10:03",
            "nextCheck 11:01",
            "held [o1 @ 10:05 until 11:05, o2 @ 10:07 until 11:05:30, o0 @ 10:03 until 11:05:30]"));
  }

  @Test
  void whenTheEarliestEventExpiresTheHoldRisesToTheNextFromTheTimer() {
    Harness h = new Harness();
    h.event("o1", at(1));
    h.clock = CLOCK.plus(Duration.standardMinutes(3));
    h.event("o2", at(4)); // deadline 11:08, o1's is 11:05
    // Checks at 11:01 ... 11:05; at 11:05 o1's deadline has come, o2 waits for 11:06.
    h.advanceClockTo(CLOCK.plus(Duration.standardSeconds(301)));

    assertThat(h.outputs, contains("expired o1 @ 10:01"));
    assertThat(
        h.leftovers(),
        contains(
            "recheck at 11:06 holding 10:04",
            "endOfInput at end of time holding 10:04",
            "hold 10:04",
            "nextCheck 11:06",
            "held [o2 @ 10:04 until 11:08]"));
    h.advanceClockTo(CLOCK.plus(Duration.standardMinutes(9)));
    assertThat(h.outputs, contains("expired o1 @ 10:01", "expired o2 @ 10:04"));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void theEndOfTheInputReleasesEverythingHeldWithOneLastLookup() {
    Harness h = new Harness();
    h.event("o1", at(0));
    h.event("o2", at(1));
    h.endInput();

    assertThat(h.outputs, contains("expired o1 @ 10:00", "expired o2 @ 10:01"));
    assertThat(h.lookups, equalTo(1));
    assertThat(h.leftovers(), empty());

    Harness found = new Harness();
    found.event("o3", at(2));
    found.table.put("p1", "books");
    found.endInput();
    assertThat(found.outputs, contains("found o3=books @ 10:02"));
    assertThat(found.leftovers(), empty());
  }

  @Test
  void aTimerWithNothingHeldClearsWithoutALookup() {
    Harness h = new Harness();
    h.hold.write(at(0));
    h.nextCheck.write(CLOCK);
    h.await().onRecheck(CLOCK, h::row);

    assertThat(h.lookups, equalTo(0));
    assertThat(h.leftovers(), empty());
  }

  /** Plays the runner for key {@code p1}. */
  static final class Harness {
    final FakeBag<KV<TimestampedValue<String>, Instant>> held = new FakeBag<>("held");
    final FakeValue<Instant> hold = new FakeValue<>("hold");
    final FakeValue<Instant> nextCheck = new FakeValue<>("nextCheck");
    final FakeTimer recheck = new FakeTimer("recheck");
    final FakeTimer endOfInput = new FakeTimer("endOfInput");
    final Map<String, String> table = new HashMap<>();
    final List<String> outputs = new ArrayList<>();
    final Duration timeout;
    final Duration recheckInterval;
    Instant clock = CLOCK;
    int lookups;

    /** The timestamp of the element or timer being processed: the lower bound for holds. */
    Instant inputTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Harness() {
      this(TIMEOUT, RECHECK);
    }

    Harness(Duration timeout, Duration recheckInterval) {
      this.timeout = timeout;
      this.recheckInterval = recheckInterval;
    }

    AwaitKeys<String, String, String> await() {
      return new AwaitKeys<>(
          "p1",
          timeout,
          recheckInterval,
          held,
          hold,
          nextCheck,
          recheck,
          endOfInput,
          new AwaitKeys.Output<String, String, String>() {
            @Override
            public void found(String event, String row, Instant timestamp) {
              checkOutput(timestamp);
              outputs.add("found " + event + "=" + row + " @ " + format(timestamp));
            }

            @Override
            public void expired(String key, String event, Instant timestamp) {
              checkOutput(timestamp);
              outputs.add("expired " + event + " @ " + format(timestamp));
            }
          });
    }

    @Nullable String row(String key) {
      lookups++;
      return table.get(key);
    }

    void event(String id, Instant time) {
      inputTimestamp = time;
      await().onEvent(id, time, clock);
    }

    /** Moves the processing-time clock, firing the recheck timer each time it passes it. */
    void advanceClockTo(Instant to) {
      while (recheck.target != null && !recheck.target.isAfter(to)) {
        clock = recheck.target;
        fire(recheck);
        await().onRecheck(clock, this::row);
      }
      clock = to;
    }

    /** The watermark reaches the end of time: the end-of-input timer fires. */
    void endInput() {
      fire(endOfInput);
      await().onEndOfInput(clock, this::row);
    }

    private void fire(FakeTimer timer) {
      inputTimestamp = timer.outputTimestamp;
      timer.target = null;
      timer.outputTimestamp = null;
    }

    void checkOutput(Instant timestamp) {
      if (timestamp.isBefore(inputTimestamp)) {
        throw new AssertionError(
            "output at " + timestamp + " before the input timestamp " + inputTimestamp);
      }
    }

    List<String> timersSet() {
      List<String> set = new ArrayList<>();
      for (FakeTimer timer : List.of(recheck, endOfInput)) {
        if (timer.target != null) {
          set.add(
              timer.name
                  + " at "
                  + format(timer.target)
                  + (timer.outputTimestamp == null
                      ? ""
                      : " holding " + format(timer.outputTimestamp)));
        }
      }
      return set;
    }

    /** Every piece of state still held and every timer still set. */
    List<String> leftovers() {
      List<String> left = new ArrayList<>(timersSet());
      for (FakeValue<Instant> value : List.of(hold, nextCheck)) {
        if (value.read() != null) {
          left.add(value.name + " " + format(value.read()));
        }
      }
      if (!held.isEmpty().read()) {
        List<String> events = new ArrayList<>();
        for (KV<TimestampedValue<String>, Instant> event : held.read()) {
          events.add(
              event.getKey().getValue()
                  + " @ "
                  + format(event.getKey().getTimestamp())
                  + " until "
                  + format(event.getValue()));
        }
        left.add("held " + events);
      }
      return left;
    }

    static String format(Instant time) {
      if (time.equals(GlobalWindow.INSTANCE.maxTimestamp())) {
        return "end of time";
      }
      String clock = time.toString().substring(11, 19);
      return clock.endsWith(":00") ? clock.substring(0, 5) : clock;
    }

    /** A timer that checks the output timestamp it is given, as the runner does. */
    final class FakeTimer implements Timer {
      final String name;
      @Nullable Instant target;
      @Nullable Instant outputTimestamp;
      private @Nullable Instant nextOutputTimestamp;

      FakeTimer(String name) {
        this.name = name;
      }

      @Override
      public void set(Instant time) {
        Instant holdAt = nextOutputTimestamp == null ? time : nextOutputTimestamp;
        if (holdAt.isBefore(inputTimestamp)) {
          throw new AssertionError(
              name + " would hold at " + holdAt + ", before the input timestamp " + inputTimestamp);
        }
        target = time;
        outputTimestamp = holdAt;
        nextOutputTimestamp = null;
      }

      @Override
      public void setRelative() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void clear() {
        target = null;
        outputTimestamp = null;
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
        this.nextOutputTimestamp = outputTimestamp;
        return this;
      }

      @Override
      public Timer withNoOutputTimestamp() {
        throw new UnsupportedOperationException("AwaitKeys always holds the watermark");
      }

      @Override
      public Instant getCurrentRelativeTime() {
        return clock;
      }
    }
  }
}
