package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.deadLetters;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedDeadLetterLines;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedRevenue;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.finalResults;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.results;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.ProductRevenue;
import java.nio.file.Path;
import java.util.List;
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

    List<ProductRevenue> results = results(out.results());
    assertThat(finalResults(results), equalTo(expectedRevenue("orders/expected-revenue.jsonl")));
    // A bounded run has no late data: one on-time pane per window, nothing diverted.
    assertThat(
        results.stream().map(ProductRevenue::getPaneTiming).toList(), everyItem(is("ON_TIME")));
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
  void smallFileGivesTheHandComputedResults(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("orders/small.jsonl"));

    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("orders/expected-small.jsonl")));
    assertThat(
        deadLetters(out.deadLetters()).stream().map(d -> d.getPosition().getOffset()).toList(),
        equalTo(expectedDeadLetterLines("orders/expected-small-dead-letters.jsonl")));
  }
}
