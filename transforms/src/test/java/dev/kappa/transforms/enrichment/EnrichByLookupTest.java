package dev.kappa.transforms.enrichment;

import static dev.kappa.transforms.enrichment.EnrichmentTesting.at;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.clockAdvances;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.counter;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.event;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.failReads;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.script;
import static dev.kappa.transforms.enrichment.EnrichmentTesting.setRow;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.enrichment.EnrichmentTesting.Describe;
import dev.kappa.transforms.enrichment.EnrichmentTesting.FakeTable;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Outputs;
import dev.kappa.transforms.enrichment.EnrichmentTesting.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
 * {@link EnrichByLookup} on the Direct runner against an in-memory table that the script changes
 * between steps (it stands in for the database). The lookup joins with the table as it is when an
 * event is processed, so each race below shows the row current at processing, whatever the event's
 * time; that is the documented difference from {@link EnrichAsOfEventTime}.
 *
 * <p>Tests that depend on the cache run the Direct runner on one thread, so that every bundle meets
 * the same DoFn instance and its cache; the cache's clock is the table's, moved by the script.
 */
@ExtendWith(TestPipelineExtension.class)
class EnrichByLookupTest {
  private final FakeTable table = new FakeTable();

  @AfterEach
  void dropTable() {
    table.close();
  }

  private Outputs enrich(
      TestPipeline p,
      PTransform<PBegin, PCollection<String>> script,
      UnaryOperator<EnrichByLookup<String, String, String>> configure) {
    p.getOptions().as(DirectOptions.class).setTargetParallelism(1);
    Split split = EnrichmentTesting.split(p.begin(), script, table);
    EnrichByLookup<String, String, String> enrich =
        configure.apply(
            EnrichByLookup.<String, String, String>of(table.lookup(), StringUtf8Coder.of())
                .withClock(table.clock())
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

  /** The row is written, then the order placed after it is processed: the row is seen. */
  @Test
  void aRowWrittenBeforeTheEventTimeIsSeen(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(setRow("p1", "books"))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /** An order at exactly the time the row changed sees the row current when it is processed. */
  @Test
  void aRowWrittenAtTheEventTimeIsSeen(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .advanceWatermarkTo(at(5))
                .addElements(setRow("p1", "books"))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /**
   * The order is from 10:05; the row changes to books afterwards, but before the order is
   * processed. The lookup gives books, a version that did not exist at 10:05 (the temporal join
   * would give toys).
   */
  @Test
  void aRowWrittenAfterTheEventTimeButBeforeProcessingIsSeen(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .advanceWatermarkTo(at(6))
                .addElements(setRow("p1", "books"))
                .addElements(event("p1", "o1", at(5)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "books"));
    p.run();
  }

  /**
   * The row changes after o1 was enriched: o1 is not revised, and o2 still gets the cached row
   * until the cache's 5 minutes have passed; o3, after that, gets the new row.
   */
  @Test
  void aLateTableUpdateIsSeenOnceTheCachedRowExpires(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p1", "o1", at(1)))
                .addElements(setRow("p1", "books"))
                .addElements(event("p1", "o2", at(2)))
                .addElements(clockAdvances(Duration.standardMinutes(5)))
                .addElements(event("p1", "o3", at(3)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "toys"), KV.of("o2", "toys"), KV.of("o3", "books"));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichByLookup.class, "cacheHits"), equalTo(1L));
    assertThat(counter(result, EnrichByLookup.class, "cacheMisses"), equalTo(2L));
    assertThat(counter(result, EnrichByLookup.class, "lookups"), equalTo(2L));
  }

  // ------------------------------------------------------------------ missing keys

  @Test
  void aKeyThatNeverAppearsIsDeadLettered(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p9", "o1", at(1)), event("p1", "o2", at(2)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o2", "toys"));
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p9", "o1"));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichByLookup.class, "notFound"), equalTo(1L));
    assertThat(counter(result, EnrichByLookup.class, "enriched"), equalTo(1L));
  }

  @Test
  void aKeyThatNeverAppearsCanPassThrough(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script().addElements(event("p9", "o1", at(1))).advanceWatermarkToInfinity(),
            enrich -> enrich.withMissingKeys(MissingKeyPolicy.passThrough()));

    out.assertEnrichedOnly(KV.of("o1", null));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichByLookup.class, "passedThrough"), equalTo(1L));
  }

  /**
   * Waiting 5 minutes, re-checking every minute: the re-check after a minute and a half still
   * misses p9, which is then inserted; the next re-check enriches the order, in its own window and
   * with its own timestamp.
   */
  @Test
  void aKeyThatAppearsWhileWaitingIsJoined(TestPipeline p) {
    p.getOptions().as(DirectOptions.class).setTargetParallelism(1);
    Split split =
        EnrichmentTesting.split(
            p.begin(),
            script()
                .addElements(event("p9", "o1", at(12)))
                .advanceProcessingTime(Duration.standardSeconds(90))
                .addElements(setRow("p9", "games"))
                .advanceProcessingTime(Duration.standardSeconds(90))
                .advanceWatermarkToInfinity(),
            table);
    PCollection<KV<String, String>> windowed =
        split.events.apply(
            "FixedWindows", Window.into(FixedWindows.of(Duration.standardMinutes(10))));
    EnrichByLookup<String, String, String> enrich =
        EnrichByLookup.<String, String, String>of(table.lookup(), StringUtf8Coder.of())
            .withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)))
            .withRecheckEvery(Duration.standardMinutes(1));
    PCollectionTuple out = windowed.apply("EnrichWithProduct", enrich);

    PAssert.that(out.get(enrich.enrichedTag()).apply("Describe", ParDo.of(new Describe<>())))
        .containsInAnyOrder(
            "KV{o1, games} @ 2026-03-01T10:12:00.000Z"
                + " in [2026-03-01T10:10:00.000Z..2026-03-01T10:20:00.000Z)");
    PAssert.that(out.get(enrich.notFoundTag())).empty();
    assertThat(
        out.get(enrich.enrichedTag()).getWindowingStrategy(),
        sameInstance(windowed.getWindowingStrategy()));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichByLookup.class, "waiting"), equalTo(1L));
    assertThat(counter(result, EnrichByLookup.class, "rechecks"), equalTo(2L));
    assertThat(table.lookups().size(), equalTo(3));
  }

  /** Waiting 5 minutes for a key that never appears: not found once the 5 minutes have passed. */
  @Test
  void aKeyThatNeverAppearsIsNotFoundAfterWaiting(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p9", "o1", at(1)))
                .advanceProcessingTime(Duration.standardMinutes(3))
                .addElements(event("p9", "o2", at(2)))
                .advanceProcessingTime(Duration.standardMinutes(3))
                .advanceProcessingTime(Duration.standardMinutes(3))
                .advanceWatermarkToInfinity(),
            enrich ->
                enrich
                    .withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)))
                    .withRecheckEvery(Duration.standardMinutes(2)));

    PAssert.that(out.enriched).empty();
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p9", "o1"), KV.of("p9", "o2"));
    PipelineResult result = p.run();

    assertThat(counter(result, EnrichByLookup.class, "waiting"), equalTo(2L));
    assertThat(counter(result, EnrichByLookup.class, "notFound"), equalTo(2L));
  }

  // ------------------------------------------------------------------ replay

  /**
   * A backfill of last month's orders: the lookup gives today's rows, whatever the rows were when
   * the orders were placed. This is the documented guarantee, not a bug.
   */
  @Test
  void aBackfillSeesTodaysRows(TestPipeline p) {
    table.with("p1", "books").with("p2", "games");
    Outputs out =
        enrich(
            p,
            Create.timestamped(
                    event("p1", "o1", at(-30 * 24 * 60)), event("p2", "o2", at(-29 * 24 * 60)))
                .withCoder(StringUtf8Coder.of()));

    out.assertEnrichedOnly(KV.of("o1", "books"), KV.of("o2", "games"));
    p.run();
  }

  // ------------------------------------------------------------------ batching and cache

  /**
   * Five distinct keys in one bundle, batches of two: three lookups, each key asked once. Events
   * buffered for a batch leave when a later one fills it, with their own (earlier) timestamps.
   */
  @Test
  void keysAreLookedUpInBatchesOfDistinctKeys(TestPipeline p) {
    table.with("a", "1").with("b", "2").with("c", "3").with("d", "4").with("e", "5");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(
                    event("a", "o1", at(1)),
                    event("b", "o2", at(2)),
                    event("a", "o3", at(3)),
                    event("c", "o4", at(4)),
                    event("d", "o5", at(5)),
                    event("e", "o6", at(6)))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withBatchSize(2));

    out.assertEnrichedOnly(
        KV.of("o1", "1"),
        KV.of("o2", "2"),
        KV.of("o3", "1"),
        KV.of("o4", "3"),
        KV.of("o5", "4"),
        KV.of("o6", "5"));
    PipelineResult result = p.run();

    List<Set<String>> lookups = table.lookups();
    List<Integer> sizes = new ArrayList<>();
    Set<String> asked = new TreeSet<>();
    lookups.forEach(
        keys -> {
          sizes.add(keys.size());
          asked.addAll(keys);
        });
    assertThat(sizes, containsInAnyOrder(2, 2, 1));
    assertThat(asked, equalTo(Set.of("a", "b", "c", "d", "e")));
    assertThat(counter(result, EnrichByLookup.class, "lookedUpKeys"), equalTo(5L));
  }

  /** A cache of one entry: p2 evicts p1, so p1 is looked up again. */
  @Test
  void theCacheKeepsAtMostItsSize(TestPipeline p) {
    table.with("p1", "toys").with("p2", "games");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p1", "o1", at(1)))
                .addElements(event("p1", "o2", at(1)))
                .addElements(event("p2", "o3", at(1)))
                .addElements(event("p1", "o4", at(1)))
                .advanceWatermarkToInfinity(),
            enrich -> enrich.withCacheSize(1));

    PAssert.that(out.enriched)
        .containsInAnyOrder(
            KV.of("o1", "toys"), KV.of("o2", "toys"), KV.of("o3", "games"), KV.of("o4", "toys"));
    PipelineResult result = p.run();

    assertThat(table.lookups(), equalTo(List.of(Set.of("p1"), Set.of("p2"), Set.of("p1"))));
    assertThat(counter(result, EnrichByLookup.class, "cacheHits"), equalTo(1L));
  }

  /**
   * "Not in the table" is cached for its own, shorter time: p9 inserted after o1 was not found is
   * seen only once the 30 seconds have passed.
   */
  @Test
  void missesAreCachedForTheirOwnTtl(TestPipeline p) {
    Outputs out =
        enrich(
            p,
            script()
                .addElements(event("p9", "o1", at(1)))
                .addElements(setRow("p9", "games"))
                .addElements(event("p9", "o2", at(2)))
                .addElements(clockAdvances(Duration.standardSeconds(30)))
                .addElements(event("p9", "o3", at(3)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.enriched).containsInAnyOrder(KV.of("o3", "games"));
    PAssert.that(out.notFound).containsInAnyOrder(KV.of("p9", "o1"), KV.of("p9", "o2"));
    p.run();

    assertThat(table.lookups(), equalTo(List.of(Set.of("p9"), Set.of("p9"))));
  }

  // ------------------------------------------------------------------ failures

  @Test
  void aFailingLookupIsRetried(TestPipeline p) {
    table.with("p1", "toys");
    Outputs out =
        enrich(
            p,
            script()
                .addElements(failReads(2))
                .addElements(event("p1", "o1", at(1)))
                .advanceWatermarkToInfinity());

    out.assertEnrichedOnly(KV.of("o1", "toys"));
    PipelineResult result = p.run();

    assertThat(table.lookups().size(), equalTo(3));
    assertThat(counter(result, EnrichByLookup.class, "lookupRetries"), equalTo(2L));
  }

  /**
   * Three failures with three attempts: the bundle fails, the event is neither emitted nor lost.
   */
  @Test
  void aLookupThatKeepsFailingFailsTheBundle(TestPipeline p) {
    table.with("p1", "toys");
    enrich(
        p,
        script()
            .addElements(failReads(3))
            .addElements(event("p1", "o1", at(1)))
            .advanceWatermarkToInfinity());

    Pipeline.PipelineExecutionException failed =
        assertThrows(Pipeline.PipelineExecutionException.class, p::run);

    assertThat(failed.getCause(), instanceOf(TableUnavailableException.class));
    assertThat(
        failed.getCause().getMessage(),
        equalTo(
            "lookupAll of 1 key(s) failed after 3 attempt(s):"
                + " java.lang.IllegalStateException: connection refused"));
    assertThat(failed.getCause().getSuppressed().length, equalTo(2));
    assertThat(table.lookups().size(), equalTo(3));
  }

  // ------------------------------------------------------------------ configuration

  @Test
  void defaultsAndSettings() {
    EnrichByLookup<String, String, String> enrich =
        EnrichByLookup.of(table.lookup(), StringUtf8Coder.of());

    assertThat(enrich.missingKeys(), equalTo(MissingKeyPolicy.deadLetter()));
    assertThat(enrich.batchSize(), equalTo(100));
    assertThat(enrich.cacheSize(), equalTo(10_000));
    assertThat(enrich.cacheTtl(), equalTo(Duration.standardMinutes(5)));
    assertThat(enrich.missTtl(), equalTo(Duration.standardSeconds(30)));
    assertThat(enrich.maxAttempts(), equalTo(3));
    assertThat(enrich.retryBackoff(), equalTo(Duration.standardSeconds(1)));
    assertThat(enrich.recheckInterval(), equalTo(Duration.standardSeconds(30)));
    EnrichByLookup<String, String, String> tuned =
        enrich
            .withBatchSize(7)
            .withCacheSize(0)
            .withCacheTtl(Duration.ZERO)
            .withMissTtl(Duration.standardSeconds(1))
            .withRetries(5, Duration.millis(10))
            .withRecheckEvery(Duration.standardSeconds(5));
    assertThat(tuned.batchSize(), equalTo(7));
    assertThat(tuned.cacheSize(), equalTo(0));
    assertThat(tuned.maxAttempts(), equalTo(5));
    assertThat(tuned.recheckInterval(), equalTo(Duration.standardSeconds(5)));
  }

  @Test
  void namesEachBadArgument() {
    EnrichByLookup<String, String, String> enrich =
        EnrichByLookup.of(table.lookup(), StringUtf8Coder.of());

    assertThat(
        assertThrows(
                NullPointerException.class, () -> EnrichByLookup.of(null, StringUtf8Coder.of()))
            .getMessage(),
        equalTo("lookup must be set"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withBatchSize(0)).getMessage(),
        equalTo("batch size must be positive, was 0"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withCacheSize(-1)).getMessage(),
        equalTo("cache size must be >= 0, was -1"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withCacheTtl(Duration.millis(-1)))
            .getMessage(),
        equalTo("cache TTL must be >= 0, was PT-0.001S"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withRetries(0, Duration.ZERO))
            .getMessage(),
        equalTo("max attempts must be positive, was 0"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> enrich.withRecheckEvery(Duration.ZERO))
            .getMessage(),
        equalTo("recheck interval must be positive, was PT0S"));
  }

  @Test
  void theKeyCoderMustBeDeterministic() {
    PCollection<KV<Double, String>> byPrice =
        Pipeline.create().apply(Create.empty(KvCoder.of(DoubleCoder.of(), StringUtf8Coder.of())));
    TableLookup<Double, String> lookup = keys -> Map.of();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> byPrice.apply(EnrichByLookup.of(lookup, StringUtf8Coder.of())));
    assertThat(e.getMessage(), containsString("must be deterministic"));
  }
}
