package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.counter;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.event;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.failReads;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.refresh;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.script;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.setRow;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.enrichment.EnrichmentTesting.Describe;
import dev.kappa.transforms.enrichment.EnrichmentTesting.FakeTable;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Outputs;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link EnrichFromSnapshot} on the Direct runner. The script's {@code refresh} lines stand in for
 * the periodic impulse ({@link EnrichFromSnapshot#withRefreshOn}), so each test says exactly when
 * the table is re-read; a real {@code PeriodicImpulse} runs on the wall clock and never ends. Like
 * the lookup, the snapshot gives the row current when the event is processed (as of the last
 * refresh), whatever the event's time.
 */
@ExtendWith(TestPipelineExtension.class)
class EnrichFromSnapshotTest {
  private final FakeTable table = new FakeTable();

  @AfterEach
  void dropTable() {
    table.close();
  }

  private Outputs enrich(
      TestPipeline p,
      PTransform<PBegin, PCollection<String>> script,
      UnaryOperator<EnrichFromSnapshot<String, String, String>> configure) {
    Split split = EnrichmentTesting.split(p.begin(), script, table);
    EnrichFromSnapshot<String, String, String> enrich =
        configure.apply(
            EnrichFromSnapshot.<String, String, String>of(table.snapshot(), StringUtf8Coder.of())
                .withRefreshOn(split.refreshes)
                .withRetries(3, Duration.ZERO));
    return new Outputs(
        split.events.apply("EnrichWithProduct", enrich),
        enrich.enrichedTag(),
        enrich.notFoundTag());
  }

  private Outputs enrich(TestPipeline p, PTransform<PBegin, PCollection<String>> script) {
    return enrich(p, script, enrich -> enrich);
  }

  // ------------------------------------------------------------------ races with the table

  @Test
  void aRowWrittenBeforeTheEventTimeIsSeenAfterARefresh(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(setRow("p1", "books"))
                .addElements(refresh())
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  @Test
  void aRowWrittenAtTheEventTimeIsSeenAfterARefresh(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .advanceWatermarkTo(at(5))
                .addElements(setRow("p1", "books"))
                .addElements(refresh())
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /**
   * The order is from 10:05; the row changes to books later, and a refresh happens before the order
   * is processed: the order gets books, a version that did not exist at 10:05.
   */
  @Test
  void aRowWrittenAfterTheEventTimeIsSeenIfRefreshedBeforeProcessing(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .advanceWatermarkTo(at(6))
                .addElements(setRow("p1", "books"))
                .addElements(refresh())
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /** Until the next refresh, events get the snapshot's row, however stale: the refresh lag. */
  @Test
  void aTableUpdateIsSeenOnlyAfterTheNextRefresh(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .addElements(setRow("p1", "books"))
                .addElements(event("p1", "o1", at(5)))
                .addElements(refresh())
                .addElements(event("p1", "o2", at(6)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "toys"), KV.of("o2", "books"));
    PipelineResult result = p.run();

    assertThat(table.snapshotReads(), equalTo(2));
    assertThat(counter(result, EnrichFromSnapshot.class, "snapshotsRead"), equalTo(2L));
  }

  /** A table update after o1 was enriched: o1 is not revised (it leaves exactly once). */
  @Test
  void aLateTableUpdateDoesNotReviseEnrichedEvents(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .addElements(event("p1", "o1", at(5)))
                .addElements(setRow("p1", "books"))
                .addElements(refresh())
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "toys"));
    p.run();
  }

  /** An order that arrives before any snapshot is held by the runner until the first one. */
  @Test
  void eventsBeforeTheFirstSnapshotWaitForIt(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p1", "o1", at(5)))
                .addElements(setRow("p1", "books"))
                .addElements(refresh())
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  // ------------------------------------------------------------------ missing keys

  @Test
  void aKeyThatNeverAppearsIsDeadLettered(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .addElements(event("p9", "o1", at(1)), event("p1", "o2", at(2)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o2", "toys"));
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p9", "o1"));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichFromSnapshot.class, "notFound"), equalTo(1L));
  }

  @Test
  void aKeyThatNeverAppearsCanPassThrough(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(refresh())
                .addElements(event("p9", "o1", at(1)))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withMissingKeys(MissingKeyPolicy.passThrough()));

    out.assertEnrichedOnly(KV.of("o1", null));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichFromSnapshot.class, "passedThrough"), equalTo(1L));
  }

  @Test
  void waitingForAKeyIsRejected() {
    EnrichFromSnapshot<String, String, String> enrich =
        EnrichFromSnapshot.of(table.snapshot(), StringUtf8Coder.of());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> enrich.withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(1))));
    assertThat(e.getMessage(), containsString("cannot wait for missing keys"));
    assertThat(e.getMessage(), containsString("@OnTimer cannot read the side input"));
  }

  // ------------------------------------------------------------------ replay

  /** A bounded backfill reads the table once, and old orders get today's rows. */
  @Test
  void aBackfillReadsTodaysTableOnce(TestPipeline p) {
    table.with("p1", "books").with("p2", "games");
    PCollection<KV<String, String>> lastMonth =
        EnrichmentTesting.split(
                p.begin(),
                Create.timestamped(
                        event("p1", "o1", at(-30 * 24 * 60)),
                        event("p2", "o2", at(-29 * 24 * 60)),
                        event("p3", "o3", at(-28 * 24 * 60)))
                    .withCoder(StringUtf8Coder.of()),
                table)
            .events;
    EnrichFromSnapshot<String, String, String> enrich =
        EnrichFromSnapshot.of(table.snapshot(), StringUtf8Coder.of());
    PCollectionTuple out = lastMonth.apply("EnrichWithProduct", enrich);

    PAssert.that(out.get(enrich.enrichedTag()))
        .containsInAnyOrder(KV.of("o1", "books"), KV.of("o2", "games"));
    PAssert.that(out.get(enrich.notFoundTag())).containsInAnyOrder(KV.of("p3", "o3"));
    p.run();

    assertThat(table.snapshotReads(), equalTo(1));
  }

  /** An unbounded input without a refresh signal re-reads on Beam's periodic impulse. */
  @Test
  void aStreamRefreshesOnAPeriodicImpulse() {
    Pipeline p = Pipeline.create();
    PCollection<KV<String, String>> events =
        EnrichmentTesting.split(
                p.begin(),
                script().addElements(event("p1", "o1", at(1))).advanceWatermarkToInfinity(),
                null)
            .events;
    events.apply(
        "EnrichWithProduct",
        EnrichFromSnapshot.<String, String, String>of(table.snapshot(), StringUtf8Coder.of())
            .withRefreshEvery(Duration.standardMinutes(10)));

    List<String> names = transformNames(p);
    assertThat(names, hasItem("EnrichWithProduct/RefreshPeriodically"));
    assertThat(names, not(hasItem("EnrichWithProduct/ReadOnce")));
  }

  private static List<String> transformNames(Pipeline p) {
    List<String> names = new ArrayList<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
            return CompositeBehavior.ENTER_TRANSFORM;
          }
        });
    return names;
  }

  // ------------------------------------------------------------------ outputs and failures

  @Test
  void outputsKeepTheEventsTimestampsAndWindows(TestPipeline p) {
    table.with("p1", "toys");
    Split split =
        EnrichmentTesting.split(
            p.begin(),
            script()
                .addElements(refresh())
                .addElements(event("p1", "o1", at(5)), event("p9", "o2", at(12)))
                .advanceWatermarkToInfinity(),
            table);
    EnrichFromSnapshot<String, String, String> enrich =
        EnrichFromSnapshot.<String, String, String>of(table.snapshot(), StringUtf8Coder.of())
            .withRefreshOn(split.refreshes);
    PCollectionTuple out =
        split
            .events
            .apply("FixedWindows", Window.into(FixedWindows.of(Duration.standardMinutes(10))))
            .apply("EnrichWithProduct", enrich);

    PAssert.that(
            out.get(enrich.enrichedTag()).apply("DescribeEnriched", ParDo.of(new Describe<>())))
        .containsInAnyOrder(
            "KV{o1, toys} @ 2026-03-01T10:05:00.000Z"
                + " in [2026-03-01T10:00:00.000Z..2026-03-01T10:10:00.000Z)");
    PAssert.that(
            out.get(enrich.notFoundTag()).apply("DescribeNotFound", ParDo.of(new Describe<>())))
        .containsInAnyOrder(
            "KV{p9, o2} @ 2026-03-01T10:12:00.000Z"
                + " in [2026-03-01T10:10:00.000Z..2026-03-01T10:20:00.000Z)");
    p.run();
  }

  @Test
  void aFailingReadIsRetried(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(failReads(2))
                .addElements(refresh())
                .addElements(event("p1", "o1", at(1)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o1", "toys"));
    PipelineResult result = p.run();

    assertThat(table.snapshotReads(), equalTo(3));
    assertThat(counter(result, EnrichFromSnapshot.class, "snapshotReadRetries"), equalTo(2L));
  }

  @Test
  void aReadThatKeepsFailingFailsTheBundle(TestPipeline p) {
    table.with("p1", "toys");
    enrich(
        p,
        script()
            .addElements(failReads(3))
            .addElements(refresh())
            .addElements(event("p1", "o1", at(1)))
            .advanceWatermarkToInfinity());

    Pipeline.PipelineExecutionException failed =
        assertThrows(Pipeline.PipelineExecutionException.class, p::run);

    assertThat(failed.getCause(), instanceOf(TableUnavailableException.class));
    assertThat(
        failed.getCause().getMessage(),
        equalTo(
            "readAll failed after 3 attempt(s): java.lang.IllegalStateException: connection"
                + " refused"));
  }

  @Test
  void defaultsAndBadArguments() {
    EnrichFromSnapshot<String, String, String> enrich =
        EnrichFromSnapshot.of(table.snapshot(), StringUtf8Coder.of());

    assertThat(enrich.refreshEvery(), equalTo(Duration.standardMinutes(5)));
    assertThat(enrich.missingKeys(), equalTo(MissingKeyPolicy.deadLetter()));
    assertThat(enrich.maxAttempts(), equalTo(3));
    assertThat(
        enrich.withRefreshEvery(Duration.standardHours(1)).refreshEvery(),
        equalTo(Duration.standardHours(1)));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withRefreshEvery(Duration.ZERO))
            .getMessage(),
        equalTo("refresh interval must be positive, was PT0S"));
    assertThat(
        assertThrows(
                NullPointerException.class, () -> EnrichFromSnapshot.of(table.snapshot(), null))
            .getMessage(),
        equalTo("value coder must be set"));
  }
}
