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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.pipelines.ops.ReconcileCommands;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.Totals;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.WindowKey;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * result, for every window. Asserts final results only: pane timing on Flink depends on scheduling.
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
  void reconcileExplainsEveryDifferenceOfTheStreamByItsTooLateOrders(@TempDir Path dir) {
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
  }
}
