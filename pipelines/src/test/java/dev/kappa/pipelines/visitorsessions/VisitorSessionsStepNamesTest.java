package dev.kappa.pipelines.visitorsessions;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.StepNames;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Freezes the full name of every step of the visitor-sessions job, composites included, as a stream
 * from Kafka with every output on Kafka and the sessions table: its state (each visitor's open
 * sessions, whether they were emitted, the highest watermark seen) is what a savepoint restore must
 * keep. No server is needed: the job connects to nothing while it builds.
 */
class VisitorSessionsStepNamesTest {

  @Test
  void everyStepKeepsItsName() {
    VisitorSessions.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--output=kafka:visitor-sessions",
                "--retractionsOutput=kafka:session-retractions",
                "--tooLateOutput=kafka:too-late-visitor-events",
                "--deadLetterOutput=kafka:dead-letters",
                "--sessionsTable=visitor_sessions",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa")
            .withValidation()
            .as(VisitorSessions.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    JobRunner.build(new VisitorSessions(), pipeline, options);

    StepNames.assertFrozen(
        pipeline, VisitorSessionsStepNamesTest.class, "visitor-sessions-steps-kafka.txt");
  }
}
