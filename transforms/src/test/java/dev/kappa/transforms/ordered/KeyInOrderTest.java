package dev.kappa.transforms.ordered;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

import dev.kappa.transforms.state.FakeBag;
import dev.kappa.transforms.state.FakeValue;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyInOrder}, the per-key logic of {@link OrderedByEventTime}, in a harness that plays the
 * runner for one key: state and the timer in memory, the timer fired as the watermark passes it,
 * and Beam's rule that a timer's hold is not before the element or timer that sets it. Each case
 * ends by checking what state and timers are left, as flink-training's tests do.
 */
class KeyInOrderTest {
  private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");

  private static Instant at(int minutes) {
    return BASE.plus(Duration.standardMinutes(minutes));
  }

  @Test
  void releasedEventsLeaveOnlyTheFunctionsStateAndTheLastReleasedTime() {
    Harness h = new Harness(Duration.ZERO);
    h.event("b", at(2));
    h.event("a", at(1));
    assertThat(h.timer(), contains("release at 10:01 holding 10:01"));
    h.advanceWatermarkTo(at(5));

    assertThat(h.results, contains("a after []", "b after [a]"));
    assertThat(h.leftovers(), contains("state a,b", "releasedThrough 10:02"));
  }

  @Test
  void aKeyWhoseStateIsRemovedLeavesNothing() {
    Harness h = new Harness(Duration.ZERO);
    h.event("a", at(1));
    h.event("delete", at(2));
    h.advanceWatermarkTo(at(5));

    assertThat(h.results, contains("a after []", "delete after [a]"));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void keepsWaitingEventsAndHoldsTheWatermarkAtTheEarliest() {
    Harness h = new Harness(Duration.standardMinutes(2));
    h.event("a", at(1));
    h.event("c", at(4));
    h.advanceWatermarkTo(at(3).plus(Duration.millis(1)));

    assertThat(h.results, contains("a after []"));
    assertThat(
        h.leftovers(),
        contains(
            "release at 10:06 holding 10:04",
            "buffer [c@10:04]",
            "earliest 10:04",
            "state a",
            "releasedThrough 10:01"));
  }

  /** Same millisecond as an event already released: it would have to be ordered among them. */
  @Test
  void anEventAtAReleasedMillisecondIsTooLate() {
    Harness h = new Harness(Duration.ZERO);
    h.event("b", at(1));
    h.fireAt(at(1), at(1)); // a runner that fires at a watermark equal to the timer
    h.event("a", at(1));

    assertThat(h.results, contains("b after []"));
    assertThat(h.tooLate, contains("a@10:01"));
  }

  /**
   * After a restore the watermark starts again from the beginning of time; the last released time,
   * kept in state, still keeps an event from going before what was released.
   */
  @Test
  void anEventBeforeTheLastReleasedIsTooLateEvenWithoutAWatermark() {
    Harness h = new Harness(Duration.ZERO);
    h.event("b", at(2));
    h.advanceWatermarkTo(at(3));
    h.watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    h.event("a", at(1));
    h.event("c", at(4));
    h.advanceWatermarkTo(at(5));

    assertThat(h.results, contains("b after []", "c after [b]"));
    assertThat(h.tooLate, contains("a@10:01"));
    assertThat(h.leftovers(), contains("state b,c", "releasedThrough 10:04"));
  }

  /**
   * A runner that fires a timer once the watermark reaches it (Flink) releases the delete at 10:02
   * with the watermark at 10:02; an event at 10:02 arriving then is not behind the watermark, but
   * it would have to go before the delete. The delete's time is kept until the watermark passes it.
   */
  @Test
  void anEventAtTheMillisecondOfADeleteIsTooLateAtTheWatermarkBoundary() {
    Harness h = new Harness(Duration.ZERO);
    h.event("a", at(1));
    h.event("delete", at(2));
    h.fireAt(at(1), at(1));
    h.fireAt(at(2), at(2));

    assertThat(
        h.leftovers(),
        contains("release at 10:02:00.001 holding nothing", "releasedThrough 10:02"));
    h.event("b", at(2));
    h.advanceWatermarkTo(at(5));

    assertThat(h.results, contains("a after []", "delete after [a]"));
    assertThat(h.tooLate, contains("b@10:02"));
    assertThat(h.leftovers(), empty());
  }

  /**
   * A savepoint taken just after the delete: the restored watermark starts from the beginning of
   * time, and an event before the delete must still not be applied after it; a later one starts the
   * key again from nothing.
   */
  @Test
  void anEventBeforeADeleteIsTooLateAfterARestore() {
    Harness h = new Harness(Duration.ZERO);
    h.event("a", at(1));
    h.event("delete", at(2));
    h.fireAt(at(1), at(1));
    h.fireAt(at(2), at(2));
    h.watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    h.event("late", at(1).plus(Duration.standardSeconds(30)));
    h.event("c", at(4));
    h.advanceWatermarkTo(at(5));

    assertThat(h.results, contains("a after []", "delete after [a]", "c after []"));
    assertThat(h.tooLate, contains("late@10:01:30.000"));
    assertThat(h.leftovers(), contains("state c", "releasedThrough 10:04"));
  }

  /** With an allowed lateness, the delete's time is kept until the lateness has passed too. */
  @Test
  void aDeletedKeysLastTimeIsForgottenOnceTheWatermarkMakesEarlierEventsTooLate() {
    Harness h = new Harness(Duration.standardMinutes(1));
    h.event("a", at(1));
    h.event("delete", at(2));
    h.advanceWatermarkTo(at(3).plus(Duration.millis(1)));

    assertThat(h.results, contains("a after []", "delete after [a]"));
    assertThat(
        h.leftovers(),
        contains("release at 10:03:00.001 holding nothing", "releasedThrough 10:02"));
    h.advanceWatermarkTo(at(3).plus(Duration.millis(2)));
    assertThat(h.leftovers(), empty());
    h.event("b", at(2));
    assertThat(h.tooLate, contains("b@10:02"));
    assertThat(h.leftovers(), empty());
  }

  /** The plain Java harness: one key's state and timer. */
  static final class Harness {
    final List<String> results = new ArrayList<>();
    final List<String> tooLate = new ArrayList<>();
    final FakeBag<TimestampedValue<String>> buffer = new FakeBag<>();
    final FakeValue<Instant> earliest = new FakeValue<>();
    final FakeValue<Instant> releasedThrough = new FakeValue<>();
    final FakeValue<String> state = new FakeValue<>();
    final FakeTimer release = new FakeTimer();
    final Duration allowedLateness;
    Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    Instant inputTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Harness(Duration allowedLateness) {
      this.allowedLateness = allowedLateness;
    }

    KeyInOrder<String, String, String, String> logic() {
      return new KeyInOrder<>(
          "p1",
          buffer,
          earliest,
          releasedThrough,
          state,
          release,
          allowedLateness,
          String::compareTo,
          new OrderedByEventTimeTest.RememberIdsFn(),
          new KeyInOrder.Output<String, String>() {
            @Override
            public void applied() {}

            @Override
            public void result(String result, Instant eventTime) {
              if (eventTime.isBefore(inputTimestamp)) {
                throw new AssertionError("output at " + eventTime + " before " + inputTimestamp);
              }
              results.add(result.substring("p1:".length()));
            }

            @Override
            public void tooLate(String event, Instant eventTime) {
              tooLate.add(event + "@" + format(eventTime));
            }
          });
    }

    void event(String id, Instant time) {
      inputTimestamp = time;
      logic().onEvent(id, time, watermark);
    }

    void advanceWatermarkTo(Instant to) {
      watermark = to;
      while (release.target != null && release.target.isBefore(watermark)) {
        fireAt(release.target, watermark);
      }
    }

    void fireAt(Instant target, Instant seenWatermark) {
      watermark = seenWatermark;
      // A timer without a hold fires with no time to emit at: any result would fail the check.
      inputTimestamp = release.hold == null ? BoundedWindow.TIMESTAMP_MAX_VALUE : release.hold;
      release.target = null;
      release.hold = null;
      logic().onRelease(target, seenWatermark);
    }

    List<String> timer() {
      List<String> set = new ArrayList<>();
      if (release.target != null) {
        set.add(
            "release at "
                + format(release.target)
                + " holding "
                + (release.hold == null ? "nothing" : format(release.hold)));
      }
      return set;
    }

    List<String> leftovers() {
      List<String> left = new ArrayList<>(timer());
      List<String> buffered = new ArrayList<>();
      buffer.read().forEach(e -> buffered.add(e.getValue() + "@" + format(e.getTimestamp())));
      if (!buffered.isEmpty()) {
        left.add("buffer " + buffered);
      }
      if (earliest.read() != null) {
        left.add("earliest " + format(earliest.read()));
      }
      if (state.read() != null) {
        left.add("state " + state.read());
      }
      if (releasedThrough.read() != null) {
        left.add("releasedThrough " + format(releasedThrough.read()));
      }
      return left;
    }

    /** {@code HH:mm}, or {@code HH:mm:ss.SSS} for a time within a minute. */
    static String format(Instant time) {
      return time.toString().substring(11, time.getMillis() % 60_000 == 0 ? 16 : 23);
    }

    /** A timer that checks what the runner would. */
    final class FakeTimer implements Timer {
      @Nullable Instant target;
      @Nullable Instant hold;
      private @Nullable Instant nextHold;
      private boolean noHold;

      @Override
      public void set(Instant time) {
        Instant h = noHold ? null : nextHold == null ? time : nextHold;
        if (h != null && h.isBefore(inputTimestamp)) {
          throw new AssertionError("hold " + h + " before the input timestamp " + inputTimestamp);
        }
        target = time;
        hold = h;
        nextHold = null;
        noHold = false;
      }

      @Override
      public void setRelative() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void clear() {
        target = null;
        hold = null;
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
        nextHold = outputTimestamp;
        return this;
      }

      @Override
      public Timer withNoOutputTimestamp() {
        noHold = true;
        return this;
      }

      @Override
      public Instant getCurrentRelativeTime() {
        return watermark;
      }
    }
  }
}
