package dev.kappa.pipelines.orderpayments;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.StepNames;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
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
  void everyStepKeepsItsName() {
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

    StepNames.assertFrozen(pipeline, OrderPaymentsStepNamesTest.class, FROZEN);
  }
}
