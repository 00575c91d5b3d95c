package dev.kappa.pipelines.cardfraud;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.StepNames;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Freezes the full name of every step of the card-fraud job, composites included, as a stream from
 * Kafka with the customers change stream, every output on Kafka and both alert tables: its state
 * (each card's qualifying transactions, the risk windows' panes, the temporal join's customers) is
 * what a savepoint restore must keep. No server is needed: the job connects to nothing while it
 * builds.
 */
class CardFraudStepNamesTest {

  @Test
  void everyStepKeepsItsName() {
    CardFraud.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--customerChanges=kafka:customers-changes",
                "--output=kafka:risk-scores",
                "--velocityAlertsOutput=kafka:velocity-alerts",
                "--riskAlertsOutput=kafka:risk-alerts",
                "--tooLateOutput=kafka:too-late-transactions",
                "--deadLetterOutput=kafka:dead-letters",
                "--velocityAlertsTable=velocity_alerts",
                "--riskAlertsTable=risk_alerts",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa")
            .withValidation()
            .as(CardFraud.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    JobRunner.build(new CardFraud(), pipeline, options);

    StepNames.assertFrozen(pipeline, CardFraudStepNamesTest.class, "card-fraud-steps-kafka.txt");
  }
}
