package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.transforms.state.FakeBag;
import dev.kappa.transforms.state.FakeValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link AsOfJoin}, the per-key logic of {@link EnrichAsOfEventTime}, in a harness that plays the
 * runner for one key: it keeps the state and timers in memory, fires event-time timers in order as
 * the watermark advances, and checks Beam's rule that a timer's output timestamp is not earlier
 * than the element or timer that sets it. As in flink-training's tests, each case ends by checking
 * what state and timers are left.
 */
class AsOfJoinTest {
  private static final Duration RETENTION = Duration.standardHours(1);

  @Test
  void aDeletedKeyLeavesNoStateAndNoTimers() {
    Harness h = new Harness(MissingKeyPolicy.deadLetter());
    h.change("toys", at(-60));
    h.event("o1", at(10));
    h.event("o2", at(20));
    h.change(null, at(30));
    h.advanceWatermarkTo(at(31));

    assertThat(h.outputs, contains("enriched o1=toys @ 10:10", "enriched o2=toys @ 10:20"));
    // The joined events are remembered for corrections until a tenth of the retention after they
    // are older than the retention: 10:10 + 66 min.
    assertThat(h.timersSet(), containsInAnyOrder("prune at 11:30", "forget at 11:16"));
    h.advanceWatermarkTo(at(30).plus(RETENTION).plus(Duration.millis(1)));

    assertThat(h.leftovers(), empty());
  }

  @Test
  void aLiveRowKeepsOnlyItsCurrentVersionAndNoTimers() {
    Harness h = new Harness(MissingKeyPolicy.deadLetter());
    h.change("toys", at(-60));
    h.change("books", at(0));
    h.change("music", at(30));
    h.event("o1", at(-10));
    h.advanceWatermarkTo(at(120));

    assertThat(h.outputs, contains("enriched o1=toys @ 09:50"));
    assertThat(h.leftovers(), contains("history {10:30=music}"));
  }

  /**
   * The watermark jumps far ahead (as at the end of a bounded input): the deadline timer fires
   * first and prunes, but must keep the version the still-pending o1 needs.
   */
  @Test
  void pruningKeepsWhatHeldEventsNeed() {
    Harness h = new Harness(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
    h.change("toys", at(-120));
    h.change("books", at(0));
    h.advanceWatermarkTo(at(-123));
    h.event("o0", at(-125)); // late, and before any version: waits until 08:00
    h.event("o1", at(-90)); // pending until the watermark passes 08:30
    h.advanceWatermarkTo(at(120));

    assertThat(h.outputs, contains("enriched o0=toys @ 07:55", "enriched o1=toys @ 08:30"));
    assertThat(h.leftovers(), contains("history {10:00=books}"));
  }

  @Test
  void eventsWaitingForAKeyLeaveNoState() {
    Harness h = new Harness(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
    h.event("o1", at(0));
    h.event("o2", at(2));
    h.advanceWatermarkTo(at(3));
    assertThat(h.timersSet(), containsInAnyOrder("deadline at 10:05 holding 10:00"));
    h.change("books", at(6));
    h.advanceWatermarkTo(at(8));

    assertThat(h.outputs, contains("notFound o1 @ 10:00", "enriched o2=books @ 10:02"));
    assertThat(h.timersSet(), contains("forget at 11:06"));
    h.advanceWatermarkTo(at(67));
    assertThat(h.leftovers(), contains("history {10:06=books}"));
  }

  @Test
  void aLateEventThatMustWaitLowersTheHoldItself() {
    Harness h = new Harness(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(10)));
    h.event("o1", at(20));
    h.advanceWatermarkTo(at(21));
    assertThat(h.timersSet(), contains("deadline at 10:30 holding 10:20"));
    h.event("o0", at(15)); // behind the watermark: waits from here, with an earlier hold
    assertThat(h.timersSet(), contains("deadline at 10:25 holding 10:15"));
    h.change("food", at(22));
    h.advanceWatermarkTo(at(40));

    assertThat(
        h.outputs, containsInAnyOrder("enriched o0=food @ 10:15", "enriched o1=food @ 10:20"));
    h.advanceWatermarkTo(at(87));
    assertThat(h.leftovers(), contains("history {10:22=food}"));
  }

  @Test
  void aLateChangeIsRecordedAndReported() {
    Harness h = new Harness(MissingKeyPolicy.deadLetter());
    h.change("toys", at(-60));
    h.advanceWatermarkTo(at(10));
    h.change("books", at(5));
    h.event("o1", at(6));

    assertThat(h.outputs, contains("lateChange books @ 10:05", "enriched o1=books @ 10:06"));
  }

  /**
   * A late change corrects the joined events it supersedes; once they are older than the retention
   * (plus a tenth, the batch), the forget timer drops them, the state holds only the history, and a
   * change that late corrects nothing.
   */
  @Test
  void joinedEventsAreForgottenOnceOlderThanTheRetention() {
    Harness h = new Harness(MissingKeyPolicy.deadLetter());
    h.change("toys", at(-60));
    h.event("o1", at(0));
    h.event("o2", at(10));
    h.advanceWatermarkTo(at(11));
    assertThat(h.timersSet(), contains("forget at 11:06"));
    h.change("books", at(5));
    assertThat(
        h.outputs,
        contains(
            "enriched o1=toys @ 10:00",
            "enriched o2=toys @ 10:10",
            "lateChange books @ 10:05",
            "corrected o2 toys->books @ 10:10"));

    h.advanceWatermarkTo(at(67));
    // toys (superseded at 10:05) is pruned; o1 is forgotten, o2 is kept until 10:10 + 66 min.
    assertThat(h.timersSet(), contains("forget at 11:16"));
    assertThat(h.history.read().size(), equalTo(1));
    h.advanceWatermarkTo(at(77));
    assertThat(h.leftovers(), contains("history {10:05=books}"));

    h.outputs.clear();
    h.change("music", at(8));
    assertThat(h.outputs, contains("lateChange music @ 10:08"));
    assertThat(h.leftovers(), contains("history {10:08=music}"));
  }

  /** A change behind the watermark that gives no joined event another answer corrects nothing. */
  @Test
  void aLateChangeThatChangesNoAnswerCorrectsNothing() {
    Harness h = new Harness(MissingKeyPolicy.passThrough());
    h.change("toys", at(-60));
    h.event("o1", at(0));
    h.advanceWatermarkTo(at(20));
    h.change("toys", at(-30)); // the same row again
    h.change("books", at(15)); // after every joined event

    assertThat(
        h.outputs,
        contains(
            "enriched o1=toys @ 10:00", "lateChange toys @ 09:30", "lateChange books @ 10:15"));
  }

  /**
   * Random interleavings on one key: changes (a quarter of them deletes, one in 20 late) and events
   * (on time or late) in shuffled order, the watermark moving in random steps, waiting up to 3
   * minutes for missing rows. Every event is joined once; with the corrections applied in order
   * (each naming the answer it replaces), every event has exactly the answer of a scan of the whole
   * changelog, late changes included: what a backfill gives. Rounds without a late change have no
   * corrections, and nothing is left at the end but the live row.
   */
  @Test
  void withItsCorrectionsAgreesWithAScanOfTheWholeChangelog() {
    Random random = new Random(42);
    Duration timeout = Duration.standardMinutes(3);
    int withoutLateChange = 0;
    int corrected = 0;
    for (int round = 0; round < 300; round++) {
      Harness h = new Harness(MissingKeyPolicy.waitUpTo(timeout), Duration.standardDays(1));
      TreeMap<Long, String> changelog = new TreeMap<>();
      Instant watermark = at(0);
      boolean lateChange = false;
      int events = 0;
      for (int step = 0; step < 30; step++) {
        boolean isChange = random.nextBoolean();
        // Events from 10 minutes behind the watermark to 30 ahead; changes ahead, one in 20 late.
        int offset =
            isChange && random.nextInt(20) > 0 ? random.nextInt(30) : random.nextInt(40) - 10;
        Instant time = watermark.plus(Duration.standardMinutes(offset));
        if (isChange) {
          String row = random.nextInt(4) == 0 ? null : "r" + step;
          lateChange |= time.isBefore(watermark);
          h.change(row, time);
          changelog.put(time.getMillis(), row);
        } else {
          h.event("o" + step, time);
          events++;
        }
        if (random.nextInt(3) == 0) {
          watermark = watermark.plus(Duration.standardMinutes(random.nextInt(10)));
          h.advanceWatermarkTo(watermark);
        }
      }
      h.advanceWatermarkTo(BoundedWindow.TIMESTAMP_MAX_VALUE);

      // Each event's answer, "null" for not found, as the outputs and then the corrections say.
      Map<String, String> answers = new HashMap<>();
      int corrections = 0;
      for (String output : h.outputs) {
        String[] words = output.split(" ");
        if (words[0].equals("corrected")) {
          corrections++;
          String[] change = words[2].split("->");
          assertThat("round " + round, answers.get(words[1]), equalTo(change[0]));
          answers.put(words[1], change[1]);
        } else if (words[0].equals("enriched")) {
          String[] joined = words[1].split("=");
          assertThat("round " + round, answers.put(joined[0], joined[1]), nullValue());
        } else if (words[0].equals("notFound")) {
          assertThat("round " + round, answers.put(words[1], "null"), nullValue());
        }
      }
      assertThat("round " + round, answers.size(), equalTo(events));
      for (Map.Entry<String, String> answer : answers.entrySet()) {
        Instant time = h.eventTimes.get(answer.getKey());
        String row = scan(changelog, time.getMillis(), timeout.getMillis());
        assertThat(
            "round " + round + ", " + answer.getKey(),
            answer.getValue(),
            equalTo(String.valueOf(row)));
      }
      if (!lateChange) {
        withoutLateChange++;
        assertThat("round " + round, corrections, equalTo(0));
      }
      corrected += corrections > 0 ? 1 : 0;
      String live = changelog.isEmpty() ? null : changelog.lastEntry().getValue();
      assertThat(
          "round " + round,
          h.leftovers(),
          equalTo(
              live == null
                  ? List.of()
                  : List.of(
                      "history {"
                          + Harness.format(new Instant(changelog.lastKey()))
                          + "="
                          + live
                          + "}")));
    }
    assertThat("rounds without a late change", withoutLateChange > 100, equalTo(true));
    assertThat("rounds with a correction", corrected > 20, equalTo(true));
  }

  /** What the join promises: the version at t, else the first row within the timeout. */
  private static @Nullable String scan(TreeMap<Long, String> changes, long t, long timeout) {
    Map.Entry<Long, String> floor = changes.floorEntry(t);
    if (floor != null && floor.getValue() != null) {
      return floor.getValue();
    }
    for (String row : changes.subMap(t, false, t + timeout, true).values()) {
      if (row != null) {
        return row;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------------ the harness

  /** Plays the runner for one key. */
  private static final class Harness {
    final FakeValue<SortedMap<Long, String>> history = new FakeValue<>("history");
    final FakeBag<TimestampedValue<String>> pending = new FakeBag<>("pending");
    final FakeBag<TimestampedValue<String>> waiting = new FakeBag<>("waiting");
    final FakeValue<Instant> dueAt = new FakeValue<>("dueAt");
    final FakeValue<Instant> waitingHold = new FakeValue<>("waitingHold");
    final FakeTimer due = new FakeTimer("due");
    final FakeTimer deadline = new FakeTimer("deadline");
    final FakeTimer prune = new FakeTimer("prune");
    final FakeBag<TimestampedValue<String>> emitted = new FakeBag<>("emitted");
    final FakeValue<Instant> emittedFrom = new FakeValue<>("emittedFrom");
    final FakeTimer forget = new FakeTimer("forget");
    final List<String> outputs = new ArrayList<>();
    final Map<String, Instant> eventTimes = new HashMap<>();
    final MissingKeyPolicy policy;
    final Duration retention;
    Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

    /** The timestamp of the element or timer being processed: the lower bound for holds. */
    Instant inputTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Harness(MissingKeyPolicy policy) {
      this(policy, RETENTION);
    }

    Harness(MissingKeyPolicy policy, Duration retention) {
      this.policy = policy;
      this.retention = retention;
    }

    AsOfJoin<String, String, String> join() {
      return new AsOfJoin<>(
          "p1",
          policy,
          retention,
          history,
          pending,
          waiting,
          dueAt,
          waitingHold,
          due,
          deadline,
          prune,
          emitted,
          emittedFrom,
          forget,
          new AsOfJoin.Output<String, String, String>() {
            @Override
            public void enriched(String event, @Nullable String row, Instant timestamp) {
              checkOutput(timestamp);
              outputs.add("enriched " + event + "=" + row + " @ " + format(timestamp));
            }

            @Override
            public void notFound(String key, String event, Instant timestamp) {
              checkOutput(timestamp);
              outputs.add("notFound " + event + " @ " + format(timestamp));
            }

            @Override
            public void lateChange(String key, @Nullable String row, Instant validFrom) {
              checkOutput(validFrom);
              outputs.add("lateChange " + row + " @ " + format(validFrom));
            }

            @Override
            public void corrected(Correction<String, String, String> correction) {
              checkOutput(correction.changeValidFrom());
              outputs.add(
                  "corrected "
                      + correction.event()
                      + " "
                      + correction.emitted()
                      + "->"
                      + correction.corrected()
                      + " @ "
                      + format(correction.eventTime()));
            }
          });
    }

    void change(@Nullable String row, Instant validFrom) {
      inputTimestamp = validFrom;
      join().onChange(row, validFrom, watermark);
    }

    void event(String id, Instant time) {
      inputTimestamp = time;
      eventTimes.put(id, time);
      join().onEvent(id, time, watermark);
    }

    /** Moves the watermark, firing every timer it passes, earliest first. */
    void advanceWatermarkTo(Instant to) {
      watermark = to;
      while (true) {
        FakeTimer next =
            List.of(due, deadline, prune, forget).stream()
                .filter(t -> t.target != null && t.target.isBefore(watermark))
                .min(Comparator.comparing((FakeTimer t) -> t.target))
                .orElse(null);
        if (next == null) {
          return;
        }
        Instant fired = next.target;
        inputTimestamp = next.outputTimestamp;
        next.target = null;
        next.outputTimestamp = null;
        Instant seen = watermark.isAfter(fired) ? watermark : fired.plus(Duration.millis(1));
        if (next == due) {
          join().onDue(seen);
        } else if (next == deadline) {
          join().onDeadline(seen);
        } else if (next == forget) {
          join().onForget(seen);
        } else {
          join().onPrune(seen);
        }
      }
    }

    /** Outputs must not precede the element or timer being processed (Beam checks this). */
    void checkOutput(Instant timestamp) {
      if (timestamp.isBefore(inputTimestamp)) {
        throw new AssertionError(
            "output at " + timestamp + " before the input timestamp " + inputTimestamp);
      }
    }

    List<String> timersSet() {
      List<String> set = new ArrayList<>();
      for (FakeTimer timer : List.of(due, deadline, prune, forget)) {
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
      SortedMap<Long, String> versions = history.read();
      if (versions != null) {
        List<String> entries = new ArrayList<>();
        versions.forEach((t, row) -> entries.add(format(new Instant(t)) + "=" + row));
        left.add("history {" + String.join(", ", entries) + "}");
      }
      for (FakeValue<?> value : List.of(dueAt, waitingHold, emittedFrom)) {
        if (value.read() != null) {
          left.add(value.name + " " + value.read());
        }
      }
      for (FakeBag<?> bag : List.of(pending, waiting, emitted)) {
        if (!bag.isEmpty().read()) {
          left.add(bag.name + " " + bag.read());
        }
      }
      return left;
    }

    static String format(Instant time) {
      return time.toString().substring(11, 16);
    }

    /** A timer that knows what the runner would check. */
    final class FakeTimer implements Timer {
      final String name;
      @Nullable Instant target;
      @Nullable Instant outputTimestamp;
      private @Nullable Instant nextOutputTimestamp;
      private boolean noOutputTimestamp;

      FakeTimer(String name) {
        this.name = name;
      }

      @Override
      public void set(Instant time) {
        if (noOutputTimestamp) {
          outputTimestamp = null;
        } else {
          Instant hold = nextOutputTimestamp == null ? time : nextOutputTimestamp;
          if (hold.isBefore(inputTimestamp)) {
            throw new AssertionError(
                name + " would hold at " + hold + ", before the input timestamp " + inputTimestamp);
          }
          if (hold.isAfter(time)) {
            throw new AssertionError(name + " would hold at " + hold + ", after firing at " + time);
          }
          outputTimestamp = hold;
        }
        target = time;
        nextOutputTimestamp = null;
        noOutputTimestamp = false;
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
        this.noOutputTimestamp = false;
        return this;
      }

      @Override
      public Timer withNoOutputTimestamp() {
        this.noOutputTimestamp = true;
        return this;
      }

      @Override
      public Instant getCurrentRelativeTime() {
        return watermark;
      }
    }
  }

  @Test
  void theHarnessStartsEmpty() {
    assertThat(new Harness(MissingKeyPolicy.deadLetter()).leftovers(), empty());
    assertThat(new FakeValue<String>("v").read(), nullValue());
  }
}
