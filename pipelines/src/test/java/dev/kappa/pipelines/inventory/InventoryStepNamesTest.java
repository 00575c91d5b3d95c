package dev.kappa.pipelines.inventory;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.StepNames;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
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
  void everyStepKeepsItsName() {
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

    StepNames.assertFrozen(pipeline, InventoryStepNamesTest.class, FROZEN);
  }
}
