package dev.kappa.transforms.join;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

import dev.kappa.transforms.state.FakeBag;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyJoin}, the per-key logic of {@link IntervalJoin}, in a harness that plays the runner
 * for one key: state and the timer in memory, the timer fired as the watermark passes it. Each case
 * ends by checking what state and timers are left: once a key's intervals and lateness have passed,
 * none. The interval is {@code [tL - 1 min, tL + 15 min]}, as order payments use it.
 */
class KeyJoinTest {
  private static final Duration LOWER = Duration.standardMinutes(-1);
  private static final Duration UPPER = Duration.standardMinutes(15);

  @Test
  void aMatchedKeyLeavesNothingOnceItsIntervalHasPassed() {
    Harness h = new Harness(Duration.ZERO);
    h.right("p0", at(-1)); // the lower bound, inclusive
    h.left("o1", at(0));
    h.right("p1", at(15)); // the upper bound, inclusive
    h.advanceWatermarkTo(at(15));
    assertThat(h.outputs, empty());
    assertThat(h.timer(), contains("due at 10:15:00.001"));

    h.advanceWatermarkTo(at(15).plus(Duration.millis(1)));
    assertThat(h.outputs, contains("match o1@10:00 [p0@09:59, p1@10:15]"));
    // p0 is gone (no left can claim it any more); the left is kept 1 min more, for p1's check.
    assertThat(h.leftovers(), contains("due at 10:16:00.001", "closedLefts o1", "openRights p1"));
    // ... and the rights until their latest left (tR + 1 min) has closed: p1 until 10:31.
    h.advanceWatermarkTo(at(17));
    assertThat(h.leftovers(), contains("due at 10:31:00.001", "checkedRights p1"));
    h.advanceWatermarkTo(at(32));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void aTimeoutIsEmittedWhenTheWatermarkPassesTheUpperBoundNotBefore() {
    Harness h = new Harness(Duration.ZERO);
    h.left("o1", at(0));
    h.right("p1", at(15).plus(Duration.millis(1))); // one millisecond outside
    h.advanceWatermarkTo(at(15));
    assertThat(h.outputs, empty());
    h.advanceWatermarkTo(at(15).plus(Duration.millis(1)));
    assertThat(h.outputs, contains("timeout o1@10:00"));
    h.advanceWatermarkTo(at(16).plus(Duration.millis(2)));
    assertThat(h.outputs, contains("timeout o1@10:00", "orphan p1@10:15:00.001"));
    h.advanceWatermarkTo(at(32));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void anOrphanLeavesNothing() {
    Harness h = new Harness(Duration.standardMinutes(5));
    h.right("p1", at(0));
    h.advanceWatermarkTo(at(1));
    assertThat(h.outputs, empty());
    h.advanceWatermarkTo(at(1).plus(Duration.millis(1)));
    assertThat(h.outputs, contains("orphan p1@10:00"));
    // Kept for a late left that could claim it: until 10:00 + 1 + 15 + 5 min.
    assertThat(h.leftovers(), contains("due at 10:21:00.001", "checkedRights p1"));
    h.advanceWatermarkTo(at(22));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void aLateRightUpdatesAnEmittedResultWithinTheLateness() {
    Harness h = new Harness(Duration.standardMinutes(5));
    h.left("o1", at(0));
    h.advanceWatermarkTo(at(16));
    h.right("p1", at(10));
    h.right("p2", at(14));
    assertThat(
        h.outputs,
        contains(
            "timeout o1@10:00",
            "update o1@10:00 [p1@10:10]",
            "update o1@10:00 [p1@10:10, p2@10:14]"));
    h.advanceWatermarkTo(at(40));
    assertThat(h.leftovers(), empty());
  }

  @Test
  void tooLateElementsGoToTheirOwnOutputsAndLeaveNothing() {
    Harness h = new Harness(Duration.standardMinutes(5));
    h.advanceWatermarkTo(at(30));
    h.left("o1", at(9)); // decided at 10:24, lateness to 10:29
    h.right("p1", at(23)); // checked at 10:24, lateness to 10:29
    h.left("o2", at(10)); // decided at 10:25, lateness to 10:30: joined now
    assertThat(
        h.outputs, contains("tooLateLeft o1@10:09", "tooLateRight p1@10:23", "timeout o2@10:10"));
    h.advanceWatermarkTo(at(32));
    assertThat(h.leftovers(), empty());
  }

  private static Instant at(int minutes) {
    return Instant.parse("2026-03-01T10:00:00Z").plus(Duration.standardMinutes(minutes));
  }

  /** Plays the runner for one key. */
  private static final class Harness {
    final FakeBag<TimestampedValue<String>> openLefts = new FakeBag<>("openLefts");
    final FakeBag<TimestampedValue<String>> closedLefts = new FakeBag<>("closedLefts");
    final FakeBag<TimestampedValue<String>> openRights = new FakeBag<>("openRights");
    final FakeBag<TimestampedValue<String>> checkedRights = new FakeBag<>("checkedRights");
    final FakeTimer due = new FakeTimer();
    final List<String> outputs = new ArrayList<>();
    final Duration lateness;
    Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Harness(Duration lateness) {
      this.lateness = lateness;
    }

    KeyJoin<String, String, String> join() {
      return new KeyJoin<>(
          "k",
          LOWER,
          UPPER,
          lateness,
          openLefts,
          closedLefts,
          openRights,
          checkedRights,
          due,
          new KeyJoin.Output<String, String, String>() {
            @Override
            public void matched(String key, IntervalMatch<String, String> match) {
              outputs.add(
                  (match.update() ? "update " : "match ")
                      + match.left()
                      + "@"
                      + format(match.leftTime())
                      + " "
                      + match.rights().stream()
                          .map(r -> r.getValue() + "@" + format(r.getTimestamp()))
                          .collect(Collectors.joining(", ", "[", "]")));
            }

            @Override
            public void timedOut(String key, String left, Instant time) {
              outputs.add("timeout " + left + "@" + format(time));
            }

            @Override
            public void orphaned(String key, String right, Instant time) {
              outputs.add("orphan " + right + "@" + format(time));
            }

            @Override
            public void tooLateLeft(String key, String left, Instant time) {
              outputs.add("tooLateLeft " + left + "@" + format(time));
            }

            @Override
            public void tooLateRight(String key, String right, Instant time) {
              outputs.add("tooLateRight " + right + "@" + format(time));
            }
          });
    }

    void left(String value, Instant time) {
      join().onLeft(value, time, watermark);
    }

    void right(String value, Instant time) {
      join().onRight(value, time, watermark);
    }

    /** Moves the watermark, firing the timer each time it reaches its time. */
    void advanceWatermarkTo(Instant to) {
      watermark = to;
      while (due.target != null && !due.target.isAfter(watermark)) {
        due.target = null;
        join().onDue(watermark);
      }
    }

    List<String> timer() {
      return due.target == null ? List.of() : List.of("due at " + format(due.target));
    }

    /** The timer if set, then every non-empty bag with its values. */
    List<String> leftovers() {
      List<String> left = new ArrayList<>(timer());
      for (FakeBag<TimestampedValue<String>> bag :
          List.of(openLefts, closedLefts, openRights, checkedRights)) {
        if (!bag.values().isEmpty()) {
          left.add(
              bag.name
                  + " "
                  + bag.values().stream()
                      .map(TimestampedValue::getValue)
                      .sorted()
                      .collect(Collectors.joining(", ")));
        }
      }
      return left;
    }

    static String format(Instant time) {
      String text = time.toString().substring(11, 23);
      return text.endsWith(":00.000")
          ? text.substring(0, 5)
          : text.endsWith(".000") ? text.substring(0, 8) : text;
    }

    /** An event-time timer whose relative time is the watermark. */
    final class FakeTimer implements Timer {
      @Nullable Instant target;

      @Override
      public void set(Instant time) {
        target = time;
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
        throw new UnsupportedOperationException("the join holds at the firing time");
      }

      @Override
      public Timer withNoOutputTimestamp() {
        throw new UnsupportedOperationException("the join holds at the firing time");
      }

      @Override
      public Instant getCurrentRelativeTime() {
        return watermark;
      }
    }
  }
}
