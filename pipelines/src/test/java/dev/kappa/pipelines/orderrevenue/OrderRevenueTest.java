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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
}
