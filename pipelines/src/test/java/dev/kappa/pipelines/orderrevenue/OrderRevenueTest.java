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
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.CategoryRevenue;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole OrderRevenue job, bounded, on the Direct runner, against the expected files. */
class OrderRevenueTest {

  @Test
  void boundedRunCountsEveryValidOrder(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("orders/orders.jsonl"));

    List<CategoryRevenue> results = results(out.results());
    assertThat(
        finalResults(results),
        equalTo(expectedRevenue("enrichment/expected-category-revenue.jsonl")));
    // Every valid order, with the product and customer versions valid at its event time.
    assertThat(
        enrichment(enrichedOrders(out.enriched())),
        equalTo(expectedEnrichment("enrichment/expected-enriched-orders.jsonl")));
    // No late table change in a bounded run, so nothing to correct (the products are
    // recategorised, deleted and re-created during the orders' hours).
    assertThat(corrections(out.corrections()), is(empty()));
    // A bounded run has no late data: one on-time pane per window, nothing diverted.
    assertThat(
        results.stream().map(CategoryRevenue::getPaneTiming).toList(), everyItem(is("ON_TIME")));
    assertThat(tooLate(out.tooLate()), is(empty()));
    List<DeadLetter> deadLetters = deadLetters(out.deadLetters());
    assertThat(
        deadLetters.stream().map(d -> d.getPosition().getOffset()).sorted().toList(),
        equalTo(expectedDeadLetterLines("orders/expected-dead-letters.jsonl")));
    assertThat(
        deadLetters.stream().map(DeadLetter::getStep).distinct().toList(),
        equalTo(List.of("DecodeOrders")));
  }

  @Test
  void missingProductsBecomeDeadLettersWhenAskedTo(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("orders/orders.jsonl"),
            "--missingProduct=DEAD_LETTER");

    Map<String, String> categories =
        expectedCategories("enrichment/expected-enriched-orders.jsonl");
    List<String> withoutProduct =
        categories.entrySet().stream()
            .filter(order -> order.getValue().equals("unknown"))
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    List<DeadLetter> notFound =
        deadLetters(out.deadLetters()).stream()
            .filter(d -> d.getStep().equals("EnrichWithProduct"))
            .toList();
    assertThat(
        notFound.stream()
            .map(d -> StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString())
            .sorted()
            .toList(),
        equalTo(withoutProduct));
    assertThat(notFound.get(0).getErrorMessage(), containsString("products has no row for P-102"));
    assertThat(
        StandardCharsets.UTF_8.decode(notFound.get(0).getPayload().duplicate()).toString(),
        containsString("\"product_id\":\"P-102\""));
    // Dead-lettered orders are not counted anywhere, not even under 'unknown'.
    assertThat(
        finalResults(results(out.results())).keySet().stream()
            .map(RevenueFiles.WindowKey::category)
            .distinct()
            .filter(category -> category.equals("unknown"))
            .toList(),
        is(empty()));
  }

  @Test
  void smallFileGivesTheHandComputedResults(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("orders/small.jsonl"));

    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("enrichment/expected-small-category-revenue.jsonl")));
    assertThat(
        deadLetters(out.deadLetters()).stream().map(d -> d.getPosition().getOffset()).toList(),
        equalTo(expectedDeadLetterLines("orders/expected-small-dead-letters.jsonl")));
  }

  @Test
  void twoOrdersWhoseWindowTotalOverflowsALongAreOneDeadLetterAndTheJobFinishes(@TempDir Path dir)
      throws IOException {
    // The test data plus two valid orders of 2^62 cents each in CHF, a currency of their own: their
    // window's total, 2^63, is one past Long.MAX_VALUE. This used to crash the whole job.
    Path input = dir.resolve("orders-with-overflow.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(testData("orders/orders.jsonl")));
    for (String id : List.of("O-90001", "O-90002")) {
      lines.add(
          "{\"order_id\": \""
              + id
              + "\", \"customer_id\": \"C-16\", \"product_id\": \"P-100\", \"quantity\": 1,"
              + " \"unit_price_cents\": "
              + (1L << 62)
              + ", \"currency\": \"CHF\", \"event_time\": \"2026-03-01T10:01:00Z\"}");
    }
    Files.write(input, lines);

    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(dir, "--runner=DirectRunner", "--source=FILES", "--input=" + input);

    // Every other window and key is exact, and the overflowing one has no (wrong) row.
    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("enrichment/expected-category-revenue.jsonl")));
    List<DeadLetter> deadLetters = deadLetters(out.deadLetters());
    // The bad lines of the test data, as in boundedRunCountsEveryValidOrder.
    assertThat(
        deadLetters.stream()
            .filter(d -> d.getStep().equals("DecodeOrders"))
            .map(d -> d.getPosition().getOffset())
            .sorted()
            .toList(),
        equalTo(expectedDeadLetterLines("orders/expected-dead-letters.jsonl")));
    List<DeadLetter> overflows =
        deadLetters.stream().filter(d -> !d.getStep().equals("DecodeOrders")).toList();
    assertThat(overflows.size(), is(1));
    DeadLetter overflow = overflows.get(0);
    String category =
        expectedCategories("enrichment/expected-enriched-orders.jsonl").get("O-00001");
    assertThat(overflow.getStep(), equalTo("FormatResults"));
    assertThat(overflow.getPosition().getSystem(), equalTo("window"));
    assertThat(
        overflow.getPosition().getName(),
        equalTo(category + " CHF [2026-03-01T10:00:00Z, 2026-03-01T10:05:00Z)"));
    assertThat(
        overflow.getErrorMessage(),
        containsString(BigInteger.TWO.pow(63) + " cents over 2 orders"));
    // Nothing lost: both orders are in the enriched output, the dead letter names their window.
    assertThat(
        enrichedOrders(out.enriched()).stream()
            .map(order -> order.getOrder().getOrderId())
            .filter(id -> id.startsWith("O-9000"))
            .sorted()
            .toList(),
        equalTo(List.of("O-90001", "O-90002")));
  }
}
