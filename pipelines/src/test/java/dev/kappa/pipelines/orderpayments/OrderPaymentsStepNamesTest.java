package dev.kappa.pipelines.orderpayments;

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
 * Freezes the full name of every step of the order-payments job, composites included, as a stream
 * from Kafka with its status table: Flink derives operator uids from step names, so a renamed step
 * (stateless ones too) breaks the restore of a savepoint, and this job's state (the orders and
 * payments each interval join key holds until its interval and lateness have passed) is exactly
 * what a restore must keep. No server is needed: the job connects to nothing while it builds.
 */
class OrderPaymentsStepNamesTest {
  private static final String FROZEN = "order-payments-steps-kafka-stream.txt";

  @Test
  void everyStepKeepsItsName() throws IOException {
    OrderPayments.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--output=kafka:paid-orders",
                "--alertsOutput=kafka:unpaid-alerts",
                "--orphansOutput=kafka:orphan-payments",
                "--tooLateEventsOutput=kafka:too-late-payments",
                "--deadLetterOutput=kafka:dead-letters",
                "--resultsTable=order_payment_status",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa")
            .withValidation()
            .as(OrderPayments.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    JobRunner.build(new OrderPayments(), pipeline, options);

    List<String> current = fullNames(pipeline);
    List<String> frozen = frozen();
    if (!current.equals(frozen)) {
      List<String> missing = new ArrayList<>(frozen);
      missing.removeAll(current);
      List<String> added = new ArrayList<>(current);
      added.removeAll(frozen);
      fail(
          "The order-payments job's steps no longer match "
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
    try (InputStream in = OrderPaymentsStepNamesTest.class.getResourceAsStream(FROZEN)) {
      if (in == null) {
        return List.of(); // the failure then lists every step, to freeze
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
