package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.corrections;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.deadLetters;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.enrichedOrders;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.enrichment;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedCategories;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedDeadLetterLines;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedEnrichment;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedRevenue;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.finalResults;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.results;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.runnersConfig;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLate;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLateTotals;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.pipelines.ops.ReconcileCommands;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.Totals;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.WindowKey;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OrderRevenue on the embedded Flink runner (a mini cluster in this JVM, parallelism 2) over the
 * test orders: the bounded run must give the complete expected results, and the streaming replay
 * must account for every order: final result plus what it diverted as too late equals the bounded
 * result, for every window. Pane timing: a bounded run through the DataStream API in batch mode
 * ({@code --useDataStreamForBatch=true}, as {@code runners-config/flink-embedded.args} and {@code
 * flink-cluster.args} set it) labels its one pane per window ON_TIME, index 0, final, as the Direct
 * runner does; the DataSet translation (the option's default) labels it UNKNOWN. A stream's early
 * and late panes depend on scheduling: its tests assert final results.
 */
class OrderRevenueFlinkIT {

  private static final String ORDERS = "orders/orders.jsonl";

  private static String[] flink(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--runner=FlinkRunner";
    all[1] = "--flinkMaster=[local]";
    all[2] = "--parallelism=2";
    all[3] = "--flinkConfDir=" + runnersConfig("flink/embedded");
    System.arraycopy(args, 0, all, 4, args.length);
    return all;
  }

  @Test
  void boundedRunGivesTheCompleteResults(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(dir, flink("--source=FILES", "--input=" + testData(ORDERS)));

    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("enrichment/expected-category-revenue.jsonl")));
    assertThat(
        enrichment(enrichedOrders(out.enriched())),
        equalTo(expectedEnrichment("enrichment/expected-enriched-orders.jsonl")));
    assertThat(tooLate(out.tooLate()), is(empty()));
    assertThat(corrections(out.corrections()), is(empty()));
    assertThat(
        deadLetters(out.deadLetters()).stream()
            .map(d -> d.getPosition().getOffset())
            .sorted()
            .toList(),
        equalTo(expectedDeadLetterLines("orders/expected-dead-letters.jsonl")));
  }

  /**
   * The argument files' bounded run: through the DataStream API in batch mode, every window's one
   * pane fires at the end of the input's watermark, ON_TIME, first and final.
   */
  @Test
  void boundedRunThroughTheDataStreamApiLabelsEveryPaneOnTimeAndFinal(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            flink("--useDataStreamForBatch=true", "--source=FILES", "--input=" + testData(ORDERS)));

    List<CategoryRevenue> results = results(out.results());
    assertThat(
        finalResults(results),
        equalTo(expectedRevenue("enrichment/expected-category-revenue.jsonl")));
    assertThat(
        results.stream()
            .map(r -> r.getPaneTiming() + " " + r.getPaneIndex() + " " + r.getFinalPane())
            .distinct()
            .toList(),
        contains("ON_TIME 0 true"));
  }

  @Test
  void streamingReplayLosesNothingAndCountsNothingTwice(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            flink(
                "--source=REPLAY",
                "--input=" + testData(ORDERS),
                "--replaySpeedUp=600",
                "--maxOutOfOrderness=PT1M",
                "--earlyFirings=PT2S",
                "--allowedLateness=PT1H",
                "--accumulation=ACCUMULATING"));

    List<CategoryRevenue> results = results(out.results());
    List<TooLateOrder> tooLate = tooLate(out.tooLate());
    Map<WindowKey, Totals> expected = expectedRevenue("enrichment/expected-category-revenue.jsonl");

    // The stream joined every order with the same product and customer versions as the bounded
    // run and the Python reference: the temporal join does not depend on arrival order.
    assertThat(
        enrichment(enrichedOrders(out.enriched())),
        equalTo(expectedEnrichment("enrichment/expected-enriched-orders.jsonl")));

    // The replay must really stream: late panes, and orders too late to count.
    assertThat(
        results.stream().map(CategoryRevenue::getPaneTiming).distinct().toList(), hasItem("LATE"));
    assertThat(tooLate, is(not(empty())));
    // The change streams are files, read whole before any order is released: no late change.
    assertThat(corrections(out.corrections()), is(empty()));

    // Final panes (one per window, checked inside) plus the diverted orders = the bounded answer.
    Map<WindowKey, Totals> accounted = new TreeMap<>(finalResults(results));
    tooLateTotals(tooLate, expectedCategories("enrichment/expected-enriched-orders.jsonl"))
        .forEach((key, totals) -> accounted.merge(key, totals, Totals::plus));
    assertThat(new TreeSet<>(accounted.keySet()), equalTo(new TreeSet<>(expected.keySet())));
    assertThat(accounted, equalTo(expected));

    assertThat(
        deadLetters(out.deadLetters()).stream()
            .map(d -> d.getPosition().getOffset())
            .sorted()
            .toList(),
        equalTo(expectedDeadLetterLines("orders/expected-dead-letters.jsonl")));
  }

  @Test
  void reconcileExplainsEveryDifferenceOfTheStreamByItsTooLateOrders(@TempDir Path dir)
      throws IOException {
    OrderRevenueRuns.Outputs backfill =
        OrderRevenueRuns.run(
            dir.resolve("backfill"), flink("--source=FILES", "--input=" + testData(ORDERS)));
    OrderRevenueRuns.Outputs stream =
        OrderRevenueRuns.run(
            dir.resolve("stream"),
            flink(
                "--source=REPLAY",
                "--input=" + testData(ORDERS),
                "--replaySpeedUp=600",
                "--maxOutOfOrderness=PT1M",
                "--allowedLateness=PT1H",
                "--accumulation=ACCUMULATING"));
    List<TooLateOrder> tooLate = tooLate(stream.tooLate());
    long groups =
        tooLate.stream()
            .map(late -> late.getMissedWindow().getWindowStart() + late.getOrder().getCurrency())
            .distinct()
            .count();

    ByteArrayOutputStream report = new ByteArrayOutputStream();
    int exit =
        ReconcileCommands.run(
            report,
            Map.of(),
            "order-revenue",
            "--left=" + stream.results(),
            "--right=" + backfill.results(),
            "--tooLate=" + stream.tooLate());
    String text = report.toString(StandardCharsets.UTF_8);

    assertThat(text, exit, is(0));
    assertThat(text, containsString(" 0 differ unexplained"));
    assertThat(tooLate, is(not(empty())));
    // Every window and currency a too-late order missed differs, and no other.
    assertThat(text.lines().filter(line -> line.startsWith("EXPLAINED ")).count(), is(groups));
    assertThat(text, not(containsString("UNEXPLAINED")));
    // Each explained group names the too-late orders that explain it.
    for (TooLateOrder late : tooLate) {
      assertThat(text, containsString("    too late: order " + late.getOrder().getOrderId() + " "));
    }

    // The backfill tampered with in one window no too-late order missed: unexplained, exit 1.
    List<String> missed =
        tooLate.stream()
            .map(late -> late.getMissedWindow().getWindowStart() + late.getOrder().getCurrency())
            .toList();
    List<CategoryRevenue> rows = results(backfill.results());
    CategoryRevenue changed =
        rows.stream()
            .filter(row -> !missed.contains(row.getWindowStart() + row.getCurrency()))
            .findFirst()
            .orElseThrow();
    EventCodec<CategoryRevenue> codec = EventCodec.of(CategoryRevenue.class);
    StringBuilder tampered = new StringBuilder();
    for (CategoryRevenue row : rows) {
      tampered
          .append(
              codec.toJson(
                  row == changed
                      ? CategoryRevenue.newBuilder(row)
                          .setRevenueCents(row.getRevenueCents() + 1)
                          .build()
                      : row))
          .append('\n');
    }
    Path tamperedResults = dir.resolve("tampered/results");
    Files.createDirectories(tamperedResults.getParent());
    Files.writeString(dir.resolve("tampered/results-00000-of-00001.jsonl"), tampered);

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    int tamperedExit =
        ReconcileCommands.run(
            second,
            Map.of(),
            "order-revenue",
            "--left=" + stream.results(),
            "--right=" + tamperedResults,
            "--tooLate=" + stream.tooLate());
    String secondText = second.toString(StandardCharsets.UTF_8);

    assertThat(secondText, tamperedExit, is(1));
    assertThat(
        secondText,
        secondText.lines().filter(line -> line.startsWith("UNEXPLAINED ")).toList(),
        contains(
            startsWith(
                "UNEXPLAINED ["
                    + WINDOW.format(changed.getWindowStart())
                    + ", "
                    + TIME.format(changed.getWindowEnd())
                    + ") currency="
                    + changed.getCurrency()
                    + ": right - left = order_count +0 revenue_cents +1;")));
    assertThat(
        secondText.lines().filter(line -> line.startsWith("EXPLAINED ")).count(), is(groups));
  }

  private static final DateTimeFormatter WINDOW =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
}
