package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.CHANGE_CODER;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.EVENT_CODER;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.enrichment.EnrichmentTesting.Describe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link EnrichFromHistory} against {@link EnrichAsOfEventTime} on the Direct runner: random
 * bounded events and changes (deletes, several versions per key, events exactly at a change's time
 * and changes exactly at the end of a wait, keys never in the table, duplicated changes) go through
 * both joins, and every output of each, rendered with its timestamp and window, must equal what a
 * brute-force reference in this class computes (and so each other's); so must the counters.
 */
@ExtendWith(TestPipelineExtension.class)
class EnrichFromHistoryTest {
  private static final Duration TIMEOUT = Duration.standardMinutes(10);
  private static final String[] KEYS = {"p0", "p1", "p2", "p3", "p4", "p5", "absent"};

  /** A change in the generated history: {@code row} null is a delete. */
  private record Change(String key, @Nullable String row, Instant validFrom) {}

  /** An order of product {@code key} at {@code time}. */
  private record Event(String key, String id, Instant time) {}

  private record Script(List<Change> changes, List<Event> events) {}

  /**
   * Changes and events on a one-minute grid over three hours, so that events often fall exactly on
   * a change and changes exactly at an event's time plus the timeout. A fifth of the changes are
   * deletes; one in ten is sent twice; "absent" never has a change.
   */
  private static Script script(long seed, int events) {
    Random random = new Random(seed);
    List<Change> changes = new ArrayList<>();
    for (String key : KEYS) {
      if (key.equals("absent")) {
        continue;
      }
      List<Integer> minutes = new ArrayList<>();
      for (int m = -30; m < 150; m++) {
        minutes.add(m);
      }
      Collections.shuffle(minutes, random);
      int versions = random.nextInt(7);
      for (int i = 0; i < versions; i++) {
        String row = random.nextInt(5) == 0 ? null : key + "-r" + i;
        Change change = new Change(key, row, at(minutes.get(i)));
        changes.add(change);
        if (random.nextInt(10) == 0) {
          changes.add(change);
        }
      }
    }
    List<Event> all = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      String key = KEYS[random.nextInt(KEYS.length)];
      int minute;
      List<Change> ofKey = changes.stream().filter(c -> c.key().equals(key)).toList();
      if (!ofKey.isEmpty() && random.nextInt(4) == 0) {
        // Exactly at a change, or exactly the timeout before one.
        Change change = ofKey.get(random.nextInt(ofKey.size()));
        int changeMinute = (int) (change.validFrom().getMillis() - at(0).getMillis()) / 60_000;
        minute =
            random.nextBoolean() ? changeMinute : changeMinute - (int) TIMEOUT.getStandardMinutes();
      } else {
        minute = random.nextInt(180) - 30;
      }
      all.add(new Event(key, "o" + seed + "-" + i, at(minute)));
    }
    return new Script(changes, all);
  }

  /** The reference: the row each event must get, from the list of changes alone. */
  private static @Nullable String expectedRow(
      List<Change> changes, Event event, MissingKeyPolicy policy) {
    Change valid = null;
    for (Change change : changes) {
      if (change.key().equals(event.key())
          && !change.validFrom().isAfter(event.time())
          && (valid == null || change.validFrom().isAfter(valid.validFrom()))) {
        valid = change;
      }
    }
    if (valid != null && valid.row() != null) {
      return valid.row();
    }
    if (!policy.waits()) {
      return null;
    }
    Change first = null;
    Instant waitEnd = event.time().plus(policy.timeout());
    for (Change change : changes) {
      if (change.key().equals(event.key())
          && change.row() != null
          && change.validFrom().isAfter(event.time())
          && !change.validFrom().isAfter(waitEnd)
          && (first == null || change.validFrom().isBefore(first.validFrom()))) {
        first = change;
      }
    }
    return first == null ? null : first.row();
  }

  /** What the reference expects on each output, as {@link Describe} renders it. */
  private record Expected(
      List<String> enriched, List<String> notFound, long found, long missing, long passed) {}

  private static Expected expected(
      Script script, MissingKeyPolicy policy, WindowFn<Object, ?> windowFn) {
    List<String> enriched = new ArrayList<>();
    List<String> notFound = new ArrayList<>();
    long found = 0;
    long missing = 0;
    long passed = 0;
    for (Event event : script.events()) {
      String row = expectedRow(script.changes(), event, policy);
      for (Object window : windows(windowFn, event.time())) {
        String at = " @ " + event.time() + " in " + window;
        if (row != null) {
          enriched.add(KV.of(event.id(), row) + at);
          found++;
        } else if (policy.action() == MissingKeyPolicy.Action.PASS_THROUGH) {
          enriched.add(KV.of(event.id(), null) + at);
          passed++;
        } else {
          notFound.add(KV.of(event.key(), event.id()) + at);
          missing++;
        }
      }
    }
    return new Expected(enriched, notFound, found, missing, passed);
  }

  /** The windows a 15-minute fixed, or 20-minute every-10-minute sliding, WindowFn assigns. */
  private static List<String> windows(WindowFn<Object, ?> windowFn, Instant time) {
    long size = windowFn instanceof SlidingWindows ? 20 * 60_000L : 15 * 60_000L;
    long period = windowFn instanceof SlidingWindows ? 10 * 60_000L : size;
    List<String> windows = new ArrayList<>();
    long t = time.getMillis();
    for (long start = Math.floorDiv(t, period) * period; start > t - size; start -= period) {
      windows.add(new IntervalWindow(new Instant(start), new Instant(start + size)).toString());
    }
    return windows;
  }

  /** Both joins over the same script; the reference's outputs and counters for each. */
  private static void bothJoinsGiveTheReference(
      TestPipeline p, MissingKeyPolicy policy, WindowFn<Object, ?> windowFn, long... seeds) {
    List<Expected> expectations = new ArrayList<>();
    for (long seed : seeds) {
      Script script = script(seed, 120);
      String name = "Seed" + seed;
      List<TimestampedValue<KV<String, String>>> changes = new ArrayList<>();
      for (Change change : script.changes()) {
        changes.add(TimestampedValue.of(KV.of(change.key(), change.row()), change.validFrom()));
      }
      List<TimestampedValue<KV<String, String>>> events = new ArrayList<>();
      for (Event event : script.events()) {
        events.add(TimestampedValue.of(KV.of(event.key(), event.id()), event.time()));
      }
      PCollection<KV<String, String>> changelog =
          p.apply(name + "Changes", Create.timestamped(changes).withCoder(CHANGE_CODER));
      PCollection<KV<String, String>> windowed =
          p.apply(name + "Events", Create.timestamped(events).withCoder(EVENT_CODER))
              .apply(name + "Window", Window.<KV<String, String>>into(windowFn));

      EnrichAsOfEventTime<String, String, String> keyed =
          EnrichAsOfEventTime.<String, String, String>against(changelog).withMissingKeys(policy);
      PCollectionTuple keyedOut = windowed.apply(name + "Keyed", keyed);
      EnrichFromHistory<String, String, String> broadcast =
          EnrichFromHistory.<String, String, String>against(changelog).withMissingKeys(policy);
      PCollectionTuple broadcastOut = windowed.apply(name + "Broadcast", broadcast);

      Expected expected = expected(script, policy, windowFn);
      expectations.add(expected);
      for (String join : List.of("Keyed", "Broadcast")) {
        PCollectionTuple out = join.equals("Keyed") ? keyedOut : broadcastOut;
        PCollection<KV<String, String>> enriched =
            out.get(join.equals("Keyed") ? keyed.enrichedTag() : broadcast.enrichedTag());
        PCollection<KV<String, String>> notFound =
            out.get(join.equals("Keyed") ? keyed.notFoundTag() : broadcast.notFoundTag());
        PAssert.that(enriched.apply(name + join + "Enriched", ParDo.of(new Describe<>())))
            .containsInAnyOrder(expected.enriched());
        PAssert.that(notFound.apply(name + join + "NotFound", ParDo.of(new Describe<>())))
            .containsInAnyOrder(expected.notFound());
        PAssert.that(
                out.get(join.equals("Keyed") ? keyed.lateChangesTag() : broadcast.lateChangesTag()))
            .empty();
        PAssert.that(
                out.get(join.equals("Keyed") ? keyed.correctionsTag() : broadcast.correctionsTag()))
            .empty();
      }
    }
    PipelineResult result = p.run();
    for (int i = 0; i < seeds.length; i++) {
      Expected expected = expectations.get(i);
      for (String join : List.of("Keyed", "Broadcast")) {
        String step = "Seed" + seeds[i] + join;
        assertThat(step, counter(result, step, "enriched"), equalTo(expected.found()));
        assertThat(step, counter(result, step, "notFound"), equalTo(expected.missing()));
        assertThat(step, counter(result, step, "passedThrough"), equalTo(expected.passed()));
      }
      String seed = "Seed" + seeds[i];
      assertThat(
          counter(result, seed + "Broadcast", "changes"),
          equalTo(counter(result, seed + "Keyed", "changes")));
    }
  }

  private static long counter(PipelineResult result, String step, String name) {
    return EnrichmentTesting.counter(result, EnrichAsOfEventTime.class, name, step);
  }

  @SuppressWarnings("unchecked")
  private static WindowFn<Object, ?> fixed() {
    return (WindowFn<Object, ?>) (WindowFn<?, ?>) FixedWindows.of(Duration.standardMinutes(15));
  }

  @SuppressWarnings("unchecked")
  private static WindowFn<Object, ?> sliding() {
    return (WindowFn<Object, ?>)
        (WindowFn<?, ?>)
            SlidingWindows.of(Duration.standardMinutes(20)).every(Duration.standardMinutes(10));
  }

  @Test
  void deadLetterGivesTheKeyedJoinsAnswers(TestPipeline p) {
    bothJoinsGiveTheReference(p, MissingKeyPolicy.deadLetter(), fixed(), 1, 2, 3);
  }

  @Test
  void passThroughGivesTheKeyedJoinsAnswers(TestPipeline p) {
    bothJoinsGiveTheReference(p, MissingKeyPolicy.passThrough(), fixed(), 4, 5, 6);
  }

  @Test
  void waitingGivesTheKeyedJoinsAnswers(TestPipeline p) {
    bothJoinsGiveTheReference(p, MissingKeyPolicy.waitUpTo(TIMEOUT), fixed(), 7, 8, 9);
  }

  /**
   * An event in two sliding windows is joined, and counted, once per window, as by the keyed join.
   */
  @Test
  void slidingWindowsGiveTheKeyedJoinsAnswers(TestPipeline p) {
    bothJoinsGiveTheReference(p, MissingKeyPolicy.waitUpTo(TIMEOUT), sliding(), 10);
  }

  /**
   * Two versions of p1 valid from the same millisecond: whichever order they come in, the row whose
   * encoding sorts last wins (here "toys" over "books", and a row over a delete).
   */
  @Test
  void tiedVersionsGiveTheSameAnswerInAnyOrder(TestPipeline p) {
    List<List<TimestampedValue<KV<String, String>>>> orders =
        List.of(
            List.of(
                TimestampedValue.of(KV.of("p1", "books"), at(0)),
                TimestampedValue.of(KV.of("p1", "toys"), at(0)),
                TimestampedValue.of(KV.<String, String>of("p2", null), at(0)),
                TimestampedValue.of(KV.of("p2", "games"), at(0))),
            List.of(
                TimestampedValue.of(KV.of("p2", "games"), at(0)),
                TimestampedValue.of(KV.<String, String>of("p2", null), at(0)),
                TimestampedValue.of(KV.of("p1", "toys"), at(0)),
                TimestampedValue.of(KV.of("p1", "books"), at(0))));
    for (int i = 0; i < orders.size(); i++) {
      PCollection<KV<String, String>> changes =
          p.apply("Changes" + i, Create.timestamped(orders.get(i)).withCoder(CHANGE_CODER));
      EnrichFromHistory<String, String, String> enrich = EnrichFromHistory.against(changes);
      PCollectionTuple out =
          p.apply(
                  "Events" + i,
                  Create.timestamped(
                          TimestampedValue.of(KV.of("p1", "o1"), at(1)),
                          TimestampedValue.of(KV.of("p2", "o2"), at(1)))
                      .withCoder(EVENT_CODER))
              .apply("Enrich" + i, enrich);
      PAssert.that(out.get(enrich.enrichedTag()))
          .containsInAnyOrder(List.of(KV.of("o1", "toys"), KV.of("o2", "games")));
      PAssert.that(out.get(enrich.notFoundTag())).empty();
    }
    p.run();
  }

  /** An empty changelog: every event is not found, and the join still finishes. */
  @Test
  void anEmptyChangelogFindsNothing(TestPipeline p) {
    PCollection<KV<String, String>> changes = p.apply("Changes", Create.empty(CHANGE_CODER));
    EnrichFromHistory<String, String, String> enrich = EnrichFromHistory.against(changes);
    PCollectionTuple out =
        p.apply(
                "Events",
                Create.timestamped(TimestampedValue.of(KV.of("p1", "o1"), at(1)))
                    .withCoder(EVENT_CODER))
            .apply("Enrich", enrich);
    PAssert.that(out.get(enrich.enrichedTag())).empty();
    PAssert.that(out.get(enrich.notFoundTag())).containsInAnyOrder(List.of(KV.of("p1", "o1")));
    p.run();
  }

  @Test
  void anUnboundedChangelogIsRejected(TestPipeline p) {
    PCollection<KV<String, String>> changes =
        p.apply("Changes", TestStream.create(CHANGE_CODER).advanceWatermarkToInfinity());
    PCollection<KV<String, String>> events = p.apply("Events", Create.empty(EVENT_CODER));
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> events.apply("Enrich", EnrichFromHistory.against(changes)));
    assertThat(error.getMessage(), containsString("needs a bounded changelog"));
    p.enableAbandonedNodeEnforcement(false);
  }
}
