package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.CHANGE_CODER;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.EVENT_CODER;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.change;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.counter;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.deletion;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.event;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.script;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.enrichment.EnrichmentTesting.Describe;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Outputs;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link EnrichAsOfEventTime} on the Direct runner, one method per race between the table and the
 * events. Events are orders of a product ({@code KV<product, order>}); the changelog gives the
 * product's category ({@code KV<product, category>}, null: deleted), each change timestamped with
 * when it became valid. One TestStream carries both, so the join's input watermark is the script's.
 * State cleanup is checked in {@link AsOfJoinTest}.
 */
@ExtendWith(TestPipelineExtension.class)
class EnrichAsOfEventTimeTest {

  private static Outputs join(
      TestPipeline p,
      PTransform<PBegin, PCollection<String>> script,
      UnaryOperator<EnrichAsOfEventTime<String, String, String>> configure) {
    Split split = EnrichmentTesting.split(p.begin(), script, null);
    EnrichAsOfEventTime<String, String, String> enrich =
        configure.apply(EnrichAsOfEventTime.against(split.changes));
    return new Outputs(
        split.events.apply("EnrichWithProduct", enrich),
        enrich.enrichedTag(),
        enrich.notFoundTag(),
        enrich.lateChangesTag(),
        enrich.correctionsTag());
  }

  private static Outputs join(TestPipeline p, PTransform<PBegin, PCollection<String>> script) {
    return join(p, script, enrich -> enrich);
  }

  /** Toys from 09:00, books from 10:00: an order at 10:05 is for books. */
  @Test
  void aChangeBeforeTheEventTimeIsSeen(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)), change("p1", "books", at(0)))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /** A version valid from exactly the event's time is the one it joins: validity is inclusive. */
  @Test
  void aChangeExactlyAtTheEventTimeIsSeen(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)), change("p1", "books", at(5)))
                .addElements(event("p1", "o1", at(5)), event("p1", "o0", at(4)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"), KV.of("o0", "toys"));
    p.run();
  }

  /**
   * The change to books at 10:06 is processed before the 10:05 order arrives, yet the order is for
   * toys: what counts is when the version became valid, not when the change was processed.
   */
  @Test
  void aChangeAfterTheEventTimeIsNotSeenEvenWhenProcessedFirst(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(change("p1", "books", at(6)))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "toys"));
    p.run();
  }

  /**
   * The 10:05 order arrives first; the change to books valid from 10:02 arrives after it, but
   * before the watermark passes 10:05. The order was held, so it sees books.
   */
  @Test
  void anEventWaitsForChangesUntilTheWatermarkPassesIt(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)))
                .advanceWatermarkTo(at(1))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkTo(at(2))
                .addElements(change("p1", "books", at(2)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /**
   * The watermark passes 10:10 and the 10:05 order is joined with toys. Then a change to books
   * valid from 10:02 arrives late: it goes to the late changes, the order already joined is
   * corrected to books (what the backfill below gives it), and a late order at 10:03 that comes
   * after it sees books.
   */
  @Test
  void aLateChangeIsReportedAndSeenByLaterEventsOnly(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkTo(at(10))
                .addElements(change("p1", "books", at(2)))
                .addElements(event("p1", "o2", at(3)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o1", "toys"), KV.of("o2", "books"));
    PAssert.that(out.notFound).empty();
    PAssert.that(out.lateChanges.apply("Describe1", ParDo.of(new Describe<>())))
        .containsInAnyOrder("KV{p1, books} @ 2026-03-01T10:02:00.000Z in GlobalWindow");
    PAssert.that(out.corrections).containsInAnyOrder("o1 toys->books @ 10:05 (10:02)");
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "lateChanges"), equalTo(1L));
    assertThat(counter(result, EnrichAsOfEventTime.class, "lateEvents"), equalTo(1L));
    assertThat(counter(result, EnrichAsOfEventTime.class, "corrections"), equalTo(1L));
  }

  // ------------------------------------------------------------------ late changes: corrections

  /**
   * p1 is toys from 09:00; orders at 09:50, 10:05 and 10:15 are joined with toys, p2's order with
   * games. Then books from 10:00 arrives late: exactly the two p1 orders at or after 10:00 are
   * corrected, not the 09:50 one, not p2's, and not the 10:25 order that arrives after the change.
   */
  @Test
  void aLateChangeCorrectsExactlyTheOrdersItSupersedes(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)), change("p2", "games", at(-60)))
                .addElements(
                    event("p1", "o1", at(-10)),
                    event("p1", "o2", at(5)),
                    event("p1", "o3", at(15)),
                    event("p2", "o4", at(10)))
                .advanceWatermarkTo(at(20))
                .addElements(change("p1", "books", at(0)))
                .addElements(event("p1", "o5", at(25)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched)
        .containsInAnyOrder(
            KV.of("o1", "toys"),
            KV.of("o2", "toys"),
            KV.of("o3", "toys"),
            KV.of("o4", "games"),
            KV.of("o5", "books"));
    PAssert.that(out.notFound).empty();
    PAssert.that(out.lateChanges).containsInAnyOrder(KV.of("p1", "books"));
    PAssert.that(out.corrections)
        .containsInAnyOrder("o2 toys->books @ 10:05 (10:00)", "o3 toys->books @ 10:15 (10:00)");
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "corrections"), equalTo(2L));
    assertThat(
        counter(result, EnrichAsOfEventTime.class, "lateChangesBeyondRetention"), equalTo(0L));
  }

  /**
   * Toys from 09:00 and music from 10:10 were used; books from 10:06 arrives late. It supersedes
   * toys only until music: the 10:08 order is corrected, the 10:05 and 10:12 ones are not.
   */
  @Test
  void aLateChangeSupersededByALaterVersionCorrectsOnlyUntilThatVersion(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)), change("p1", "music", at(10)))
                .addElements(
                    event("p1", "o1", at(5)), event("p1", "o2", at(8)), event("p1", "o3", at(12)))
                .advanceWatermarkTo(at(20))
                .addElements(change("p1", "books", at(6)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched)
        .containsInAnyOrder(KV.of("o1", "toys"), KV.of("o2", "toys"), KV.of("o3", "music"));
    PAssert.that(out.notFound).empty();
    PAssert.that(out.lateChanges).containsInAnyOrder(KV.of("p1", "books"));
    PAssert.that(out.corrections).containsInAnyOrder("o2 toys->books @ 10:08 (10:06)");
    p.run();
  }

  /**
   * A late delete corrects to "no row", and a second late change corrects again from there: each
   * correction starts from the previous one's answer. Under the dead-letter policy, "no row" means
   * the order belongs on the not-found output.
   */
  @Test
  void successiveLateChangesCorrectFromThePreviousCorrection(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(event("p1", "o1", at(10)))
                .advanceWatermarkTo(at(20))
                .addElements(deletion("p1", at(5)))
                .advanceWatermarkTo(at(25))
                .addElements(change("p1", "books", at(8)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o1", "toys"));
    PAssert.that(out.notFound).empty();
    PAssert.that(out.corrections)
        .containsInAnyOrder("o1 toys->null @ 10:10 (10:05)", "o1 null->books @ 10:10 (10:08)");
    p.run();
  }

  /**
   * With one hour of history, the watermark at 10:30: a late change from 08:20 is applied, and of
   * the orders it supersedes only the one within the retention (10:10) is corrected; the 08:50
   * order has been forgotten, as its version would have been pruned.
   */
  @Test
  void aLateChangeOlderThanTheRetentionCorrectsOnlyOrdersWithinIt(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-120)))
                .addElements(event("p1", "o1", at(-70)), event("p1", "o2", at(10)))
                .advanceWatermarkTo(at(30))
                .addElements(change("p1", "books", at(-100)))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withHistoryRetention(Duration.standardHours(1)));

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o1", "toys"), KV.of("o2", "toys"));
    PAssert.that(out.notFound).empty();
    PAssert.that(out.lateChanges).containsInAnyOrder(KV.of("p1", "books"));
    PAssert.that(out.corrections).containsInAnyOrder("o2 toys->books @ 10:10 (08:20)");
    PipelineResult result = p.run();

    assertThat(
        counter(result, EnrichAsOfEventTime.class, "lateChangesBeyondRetention"), equalTo(1L));
  }

  /**
   * The same records as {@link #aLateChangeCorrectsExactlyTheOrdersItSupersedes}, bounded: the
   * backfill gives every order what the stream gave it with its corrections applied, and has no
   * corrections.
   */
  @Test
  void aBackfillEqualsTheStreamWithItsCorrectionsApplied(TestPipeline p) {
    Outputs out =
        join(
            p,
            Create.timestamped(
                    change("p1", "toys", at(-60)),
                    change("p2", "games", at(-60)),
                    event("p1", "o1", at(-10)),
                    event("p1", "o2", at(5)),
                    event("p1", "o3", at(15)),
                    event("p2", "o4", at(10)),
                    change("p1", "books", at(0)),
                    event("p1", "o5", at(25)))
                .withCoder(StringUtf8Coder.of()));

    out.assertEnrichedOnly(
        KV.of("o1", "toys"),
        KV.of("o2", "books"),
        KV.of("o3", "books"),
        KV.of("o4", "games"),
        KV.of("o5", "books"));
    p.run();
  }

  /** A backfill over the same records as above has no late change, so o1 is for books too. */
  @Test
  void aBackfillUsesTheChangeTheStreamGotLate(TestPipeline p) {
    Outputs out =
        join(
            p,
            Create.timestamped(
                    change("p1", "toys", at(-60)),
                    event("p1", "o1", at(5)),
                    change("p1", "books", at(2)),
                    event("p1", "o2", at(3)))
                .withCoder(StringUtf8Coder.of()));

    out.assertEnrichedOnly(KV.of("o1", "books"), KV.of("o2", "books"));
    p.run();
  }

  /** A key the changelog never has, and a key deleted before the event: both not found. */
  @Test
  void missingAndDeletedKeysAreDeadLettered(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p2", "games", at(-60)), deletion("p2", at(0)))
                .addElements(event("p9", "o1", at(5)), event("p2", "o2", at(5)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).empty();
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p9", "o1"), KV.of("p2", "o2"));
    PAssert.that(out.lateChanges).empty();
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "notFound"), equalTo(2L));
  }

  @Test
  void missingKeysCanPassThroughWithoutARow(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(event("p9", "o1", at(5)), event("p1", "o2", at(5)))
                .advanceWatermarkTo(at(10))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withMissingKeys(MissingKeyPolicy.passThrough()));

    out.assertEnrichedOnly(KV.of("o1", null), KV.of("o2", "toys"));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "passedThrough"), equalTo(1L));
    assertThat(counter(result, EnrichAsOfEventTime.class, "enriched"), equalTo(1L));
  }

  /**
   * Waiting up to 5 minutes: p1 is created at 10:03, within 5 minutes of the 10:00 order, which
   * joins it; p2 is created at 10:07, too late for its 10:00 order, which is not found. The results
   * keep the orders' own timestamps.
   */
  @Test
  void waitingJoinsTheFirstVersionWithinTheTimeout(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(event("p1", "o1", at(0)), event("p2", "o2", at(0)))
                .advanceWatermarkTo(at(2))
                .addElements(change("p1", "books", at(3)), change("p1", "toys", at(4)))
                .advanceWatermarkTo(at(6))
                .addElements(change("p2", "games", at(7)))
                .advanceWatermarkTo(at(20))
                .advanceWatermarkToInfinity(),
            enrich ->
                enrich.withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5))));

    PAssert.that(out.enriched.apply("Describe2", ParDo.of(new Describe<>())))
        .containsInAnyOrder("KV{o1, books} @ 2026-03-01T10:00:00.000Z in GlobalWindow");
    PAssert.that(out.notFound.apply("Describe3", ParDo.of(new Describe<>())))
        .containsInAnyOrder("KV{p2, o2} @ 2026-03-01T10:00:00.000Z in GlobalWindow");
    PAssert.that(out.lateChanges).empty();
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "waitedForKey"), equalTo(2L));
  }

  /** Events keep their timestamps and windows, and the output has the input's windowing. */
  @Test
  void outputsKeepTheEventsTimestampsAndWindows(TestPipeline p) {
    Split split =
        EnrichmentTesting.split(
            p.begin(),
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(event("p1", "o1", at(5)), event("p1", "o2", at(12)))
                .addElements(event("p9", "o3", at(14)))
                .advanceWatermarkToInfinity(),
            null);
    PCollection<KV<String, String>> windowed =
        split.events.apply(
            "FixedWindows", Window.into(FixedWindows.of(Duration.standardMinutes(10))));
    EnrichAsOfEventTime<String, String, String> enrich = EnrichAsOfEventTime.against(split.changes);
    PCollectionTuple out = windowed.apply("EnrichWithProduct", enrich);

    PAssert.that(out.get(enrich.enrichedTag()).apply("Describe4", ParDo.of(new Describe<>())))
        .containsInAnyOrder(
            "KV{o1, toys} @ 2026-03-01T10:05:00.000Z in [2026-03-01T10:00:00.000Z..2026-03-01T10:10:00.000Z)",
            "KV{o2, toys} @ 2026-03-01T10:12:00.000Z in [2026-03-01T10:10:00.000Z..2026-03-01T10:20:00.000Z)");
    PAssert.that(out.get(enrich.notFoundTag()).apply("Describe5", ParDo.of(new Describe<>())))
        .containsInAnyOrder(
            "KV{p9, o3} @ 2026-03-01T10:14:00.000Z in [2026-03-01T10:10:00.000Z..2026-03-01T10:20:00.000Z)");
    assertThat(
        out.get(enrich.enrichedTag()).getWindowingStrategy(),
        sameInstance(windowed.getWindowingStrategy()));
    assertThat(
        out.get(enrich.notFoundTag()).getWindowingStrategy(),
        sameInstance(windowed.getWindowingStrategy()));
    p.run();
  }

  /**
   * Session windows merge: the join runs in the global window and hands the events back in their
   * own (unmerged) session windows, which a GroupByKey afterwards merges as usual.
   */
  @Test
  void sessionWindowsMergeAfterTheJoin(TestPipeline p) {
    Split split =
        EnrichmentTesting.split(
            p.begin(),
            script()
                .addElements(change("p1", "toys", at(-60)))
                .addElements(event("p1", "o1", at(5)), event("p1", "o2", at(12)))
                .addElements(event("p1", "o3", at(40)))
                .advanceWatermarkToInfinity(),
            null);
    EnrichAsOfEventTime<String, String, String> enrich = EnrichAsOfEventTime.against(split.changes);
    PCollection<KV<String, Iterable<String>>> byCategory =
        split
            .events
            .apply("Sessions", Window.into(Sessions.withGapDuration(Duration.standardMinutes(10))))
            .apply("EnrichWithProduct", enrich)
            .get(enrich.enrichedTag())
            .apply(
                "ByCategory",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(order -> KV.of(order.getValue(), order.getKey())))
            .apply(GroupByKey.create());

    PAssert.that(byCategory)
        .inWindow(new IntervalWindow(at(5), at(22)))
        .satisfies(
            groups -> {
              List<String> orders = new ArrayList<>();
              groups.forEach(group -> group.getValue().forEach(orders::add));
              orders.sort(null);
              assertThat(orders, equalTo(List.of("o1", "o2")));
              return null;
            });
    PAssert.that(byCategory)
        .inWindow(new IntervalWindow(at(40), at(50)))
        .satisfies(
            groups -> {
              assertThat(groups.iterator().next().getValue().iterator().next(), equalTo("o3"));
              return null;
            });
    p.run();
  }

  /**
   * With one hour of history, the version superseded at 10:00 is dropped once the watermark is past
   * 11:00; an order from 09:30 arriving after that finds no version.
   */
  @Test
  void versionsOlderThanTheRetentionArePruned(TestPipeline p) {
    Outputs out =
        join(
            p,
            script()
                .addElements(change("p1", "toys", at(-60)), change("p1", "books", at(0)))
                .addElements(event("p1", "o1", at(-30)))
                .advanceWatermarkTo(at(30))
                .addElements(event("p1", "o2", at(-30)))
                .advanceWatermarkTo(at(90))
                .addElements(event("p1", "o3", at(-30)), event("p1", "o4", at(45)))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withHistoryRetention(Duration.standardHours(1)));

    PAssert.that(out.enriched)
        .containsInAnyOrder(KV.of("o1", "toys"), KV.of("o2", "toys"), KV.of("o4", "books"));
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p1", "o3"));
    PAssert.that(out.lateChanges).empty();
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichAsOfEventTime.class, "prunedVersions"), equalTo(1L));
  }

  // ------------------------------------------------------------------ stream versus backfill

  /**
   * A day of product changes and orders, with deletes, a key that appears only after its orders and
   * events arriving in every order relative to the changes: what both runs must produce.
   */
  private static final List<TimestampedValue<String>> CHANGES =
      List.of(
          change("p1", "toys", at(-120)),
          change("p1", "books", at(10)),
          change("p1", "music", at(30)),
          change("p2", "games", at(-120)),
          deletion("p2", at(20)),
          change("p2", "garden", at(40)),
          change("p3", "food", at(52)));

  private static final List<TimestampedValue<String>> EVENTS =
      List.of(
          event("p1", "o1", at(5)),
          event("p1", "o2", at(10)),
          event("p1", "o3", at(29)),
          event("p1", "o4", at(31)),
          event("p2", "o5", at(15)),
          event("p2", "o6", at(25)),
          event("p2", "o7", at(45)),
          event("p3", "o8", at(50)),
          event("p3", "o9", at(40)),
          event("p4", "o10", at(50)));

  private static final List<KV<String, String>> EXPECTED_ENRICHED =
      List.of(
          KV.of("o1", "toys"),
          KV.of("o2", "books"),
          KV.of("o3", "books"),
          KV.of("o4", "music"),
          KV.of("o5", "games"),
          KV.of("o7", "garden"),
          KV.of("o8", "food"));

  /** o6: p2 deleted 10:20, back 10:40, beyond 5 minutes; o9: p3 from 10:52; p4 never. */
  private static final List<KV<String, String>> EXPECTED_NOT_FOUND =
      List.of(KV.of("p2", "o6"), KV.of("p3", "o9"), KV.of("p4", "o10"));

  private static EnrichAsOfEventTime<String, String, String> waitingFiveMinutes(
      EnrichAsOfEventTime<String, String, String> enrich) {
    return enrich.withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
  }

  @Test
  void theStreamJoinsAsOfEventTime(TestPipeline p) {
    TestStream<String> stream =
        script()
            .addElements(CHANGES.get(0), CHANGES.get(3))
            .addElements(EVENTS.get(0), EVENTS.get(4))
            .advanceWatermarkTo(at(5))
            .addElements(EVENTS.get(1), CHANGES.get(1))
            .addElements(EVENTS.get(2), EVENTS.get(5))
            .advanceWatermarkTo(at(12))
            .addElements(CHANGES.get(4), EVENTS.get(3), EVENTS.get(8))
            .addElements(CHANGES.get(2))
            .advanceWatermarkTo(at(35))
            .addElements(CHANGES.get(5), EVENTS.get(6), EVENTS.get(7), EVENTS.get(9))
            .advanceWatermarkTo(at(48))
            .addElements(CHANGES.get(6))
            .advanceWatermarkTo(at(60))
            .advanceWatermarkToInfinity();
    Outputs out = join(p, stream, EnrichAsOfEventTimeTest::waitingFiveMinutes);

    PAssert.that(out.enriched).containsInAnyOrder(EXPECTED_ENRICHED);
    PAssert.that(out.notFound).containsInAnyOrder(EXPECTED_NOT_FOUND);
    PAssert.that(out.lateChanges).empty();
    p.run();
  }

  @Test
  void aBackfillJoinsExactlyAsTheStreamDid(TestPipeline p) {
    List<TimestampedValue<String>> all = new ArrayList<>(EVENTS);
    all.addAll(CHANGES);
    Outputs out =
        join(
            p,
            Create.timestamped(all).withCoder(StringUtf8Coder.of()),
            EnrichAsOfEventTimeTest::waitingFiveMinutes);

    PAssert.that(out.enriched).containsInAnyOrder(EXPECTED_ENRICHED);
    PAssert.that(out.notFound).containsInAnyOrder(EXPECTED_NOT_FOUND);
    PAssert.that(out.lateChanges).empty();
    p.run();
  }

  // ------------------------------------------------------------------ configuration

  @Test
  void defaultsAndSettings() {
    PCollection<KV<String, String>> changes = Pipeline.create().apply(Create.empty(CHANGE_CODER));
    EnrichAsOfEventTime<String, String, String> enrich = EnrichAsOfEventTime.against(changes);

    assertThat(enrich.missingKeys(), equalTo(MissingKeyPolicy.deadLetter()));
    assertThat(enrich.historyRetention(), equalTo(Duration.standardDays(30)));
    assertThat(
        enrich.withHistoryRetention(Duration.standardDays(2)).historyRetention(),
        equalTo(Duration.standardDays(2)));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> enrich.withHistoryRetention(Duration.millis(-1)))
            .getMessage(),
        equalTo("history retention must be >= 0, was PT-0.001S"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withMissingKeys(null))
            .getMessage(),
        equalTo("missing-key policy must be set"));
    assertThat(
        assertThrows(NullPointerException.class, () -> EnrichAsOfEventTime.against(null))
            .getMessage(),
        equalTo("changelog must be set"));
  }

  @Test
  void theChangelogMustAllowDeletes() {
    Pipeline p = Pipeline.create();
    PCollection<KV<String, String>> changes = p.apply("Changes", Create.empty(EVENT_CODER));
    PCollection<KV<String, String>> events = p.apply("Events", Create.empty(EVENT_CODER));

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> events.apply(EnrichAsOfEventTime.against(changes)));
    assertThat(e.getMessage(), containsString("must be a NullableCoder (a null row is a delete)"));
  }

  @Test
  void theKeysMustBeCodedAlike() {
    Pipeline p = Pipeline.create();
    PCollection<KV<String, String>> changes =
        p.apply(
            "Changes",
            Create.empty(
                KvCoder.of(
                    NullableCoder.of(StringUtf8Coder.of()),
                    NullableCoder.of(StringUtf8Coder.of()))));
    PCollection<KV<String, String>> events = p.apply("Events", Create.empty(EVENT_CODER));

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> events.apply(EnrichAsOfEventTime.against(changes)));
    assertThat(e.getMessage(), containsString("must have the same key coder"));
  }
}
