package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freezes the full names of OrderRevenue's runner-visible steps.
 *
 * <p>The Flink runner sets each operator's uid to its step's full name, so a step that loses or
 * changes its name leaves state in a savepoint that the new job cannot map, and the restore fails.
 * The list in {@code order-revenue-step-names.txt} was taken from the job before the steps were
 * guarded (issue 9, part 3); new steps may be added, none of these may go.
 */
class ComputeOrderRevenueStepNamesTest {

  @Test
  void everyFrozenStepNameStillExists(@TempDir Path dir) throws IOException {
    List<String> frozen = frozenNames();
    List<String> current = primitiveStepNames(dir);

    List<String> missing = new ArrayList<>(frozen);
    missing.removeAll(current);
    assertThat("steps renamed or removed; the job now has " + current, missing, empty());
  }

  @Test
  void theGuardedStepsAreAmongTheFrozenNames() throws IOException {
    List<String> frozen = frozenNames();
    for (String step :
        List.of(
            "ComputeOrderRevenue/EnrichOrders/KeyByProduct/Map/ParMultiDo(Anonymous)",
            "ComputeOrderRevenue/EnrichOrders/AddCategory/ParMultiDo(AddCategory)",
            "ComputeOrderRevenue/EnrichOrders/AddCustomerTier/ParMultiDo(AddCustomerTier)",
            "ComputeOrderRevenue/KeyByCategoryAndCurrency/Map/ParMultiDo(Anonymous)",
            "ComputeOrderRevenue/FormatResults/ParMultiDo(ToCategoryRevenue)",
            "ComputeOrderRevenue/FormatTooLate/Map/ParMultiDo(Anonymous)")) {
      assertThat(frozen, hasItem(step));
    }
  }

  private static List<String> frozenNames() throws IOException {
    try (InputStream in =
        ComputeOrderRevenueStepNamesTest.class.getResourceAsStream(
            "/order-revenue-step-names.txt")) {
      Objects.requireNonNull(in, "order-revenue-step-names.txt is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .toList();
    }
  }

  /** The full name of every primitive step of the file-source job (the ones Flink runs). */
  static List<String> primitiveStepNames(Path dir) {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=FILES",
                "--input=" + RevenueFiles.testData("orders/orders.jsonl"),
                "--productChanges=" + RevenueFiles.testData("enrichment/products.changelog.jsonl"),
                "--customerChanges="
                    + RevenueFiles.testData("enrichment/customers.changelog.jsonl"),
                "--output=" + dir.resolve("results"),
                "--enrichedOutput=" + dir.resolve("enriched"),
                "--tooLateOutput=" + dir.resolve("too-late"),
                "--deadLetterOutput=" + dir.resolve("dead-letters"),
                "--correctionsOutput=" + dir.resolve("corrections"))
            .withValidation()
            .as(OrderRevenue.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    OrderRevenue.build(pipeline, options);
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names;
  }
}
