package dev.kappa.pipelines.inventory;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kappa.pipelines.job.JobRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.jupiter.api.Test;

/**
 * Freezes the full name of every step of the inventory job, composites included, as a stream from
 * Kafka with both tables: Flink derives operator uids from step names, so a renamed step (stateless
 * ones too) breaks the restore of a savepoint, and this job's state (each product's level and
 * waiting events) is exactly what a restore must keep. No server is needed: the job connects to
 * nothing while it builds.
 */
class InventoryStepNamesTest {
  private static final String FROZEN = "inventory-steps-kafka-stream.txt";

  @Test
  void everyStepKeepsItsName() throws IOException {
    Inventory.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--inventoryChanges=kafka:inventory-changes",
                "--historyOutput=kafka:stock-history",
                "--levelsTable=stock_levels",
                "--historyTable=stock_history",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa")
            .withValidation()
            .as(Inventory.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    JobRunner.build(new Inventory(), pipeline, options);

    List<String> current = fullNames(pipeline);
    List<String> frozen = frozen();
    if (!current.equals(frozen)) {
      List<String> missing = new ArrayList<>(frozen);
      missing.removeAll(current);
      List<String> added = new ArrayList<>(current);
      added.removeAll(frozen);
      fail(
          "The inventory job's steps no longer match "
              + FROZEN
              + ". A renamed or removed step breaks savepoint restore.\nGone: "
              + missing
              + "\nNew: "
              + added
              + "\nAll now:\n"
              + String.join("\n", current));
    }
  }

  private static List<String> frozen() throws IOException {
    try (InputStream in = InventoryStepNamesTest.class.getResourceAsStream(FROZEN)) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank())
          .toList();
    }
  }

  private static List<String> fullNames(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              names.add(node.getFullName());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names.stream().sorted().toList();
  }
}
