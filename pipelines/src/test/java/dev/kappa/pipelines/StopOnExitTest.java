package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

class StopOnExitTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

  private static PipelineOptions options(String... args) {
    return JobRunner.parse(new OrderRevenue(), args);
  }

  @Test
  void theRunnerAndFlinkMasterSayWhereTheJobRuns() {
    assertThat(StopOnExit.where(options()), is(StopOnExit.Where.DIRECT));
    assertThat(
        StopOnExit.where(options("--runner=FlinkRunner", "--flinkMaster=[local]")),
        is(StopOnExit.Where.EMBEDDED_FLINK));
    assertThat(
        StopOnExit.where(options("--runner=FlinkRunner")), is(StopOnExit.Where.EMBEDDED_FLINK));
    assertThat(
        StopOnExit.where(options("--runner=FlinkRunner", "--flinkMaster=localhost:8081")),
        is(StopOnExit.Where.FLINK_CLUSTER));
  }

  @Test
  void cancelJobOnExitIsOffByDefault() {
    assertThat(options().as(OrderRevenue.Options.class).getCancelJobOnExit(), is(false));
    assertThat(
        options("--cancelJobOnExit").as(OrderRevenue.Options.class).getCancelJobOnExit(), is(true));
  }

  @Test
  void aClusterJobKeepsRunningAndTheLauncherSaysHowToStopIt() {
    StopOnExit stop =
        StopOnExit.forJob(
            options(
                "--runner=FlinkRunner", "--flinkMaster=localhost:1", "--jobName=order-revenue-eu"),
            errStream);

    stop.stop();

    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(
        said,
        startsWith(
            "kappa: the launcher stops; job order-revenue-eu keeps running on the Flink cluster"
                + " at localhost:1: stop it with 'kappa stop order-revenue-eu --savepoint'"));
    assertThat(said, containsString("--cancelJobOnExit"));
  }

  @Test
  void aRunningDirectJobIsCancelled() {
    PipelineOptions options = options("--jobName=endless");
    options.as(DirectOptions.class).setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Count", GenerateSequence.from(0).withRate(10, Duration.standardSeconds(1)));
    PipelineResult result = pipeline.run();
    StopOnExit stop = StopOnExit.forJob(options, errStream);
    stop.watch(result);

    stop.stop();

    assertThat(result.getState(), is(PipelineResult.State.CANCELLED));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith("kappa: stopping: cancelling endless (Direct runner)\nkappa: stopped in "));
  }

  @Test
  void withoutAResultADirectJobEndsWithTheJvm() {
    StopOnExit stop = StopOnExit.forJob(options("--jobName=quick"), errStream);

    stop.stop();

    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith("kappa: stopping: quick (Direct runner) ends with this JVM\n"));
  }
}
