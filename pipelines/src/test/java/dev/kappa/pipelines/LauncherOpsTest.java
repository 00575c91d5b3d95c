package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.pipelines.archive.ArchiveTopics;
import dev.kappa.pipelines.ops.ReprocessCommand;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * The launcher's job names, its {@code status} and {@code stop} commands and {@code reprocess}'s
 * option checks.
 */
class LauncherOpsTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int launch(String... args) {
    return Launcher.launch(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void aJobIsNamedAfterItsPipelineUnlessTheOptionsNameIt() {
    assertThat(
        Launcher.withDefaultJobName(new OrderRevenue(), new String[] {"--source=KAFKA"}),
        is(new String[] {"--source=KAFKA", "--jobName=order-revenue"}));
    assertThat(
        Launcher.withDefaultJobName(
            new ArchiveTopics(), new String[] {"--jobName=archive-eu", "--stopAtEnd"}),
        is(new String[] {"--jobName=archive-eu", "--stopAtEnd"}));
  }

  @Test
  void usageListsStatusAndStop() {
    launch("--help");

    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage, containsString("\n       kappa status [<job id | job name>]"));
    assertThat(usage, containsString("\n       kappa stop <job id | job name> --savepoint"));
    assertThat(usage, containsString("\n       kappa stop <job id | job name> --cancel"));
    assertThat(usage, containsString("\n       kappa dashboard [<job name>] [--prometheus="));
  }

  @Test
  void stopWithoutSavepointOrCancelIsRefused() {
    assertThat(launch("stop", "order-revenue"), is(2));
    assertThat(err.toString(StandardCharsets.UTF_8), startsWith("kappa stop: say how to stop it"));
  }

  @Test
  void statusChecksItsOptions() {
    assertThat(launch("status", "--bootstrap=localhost:9092"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith("kappa status: unknown option '--bootstrap=localhost:9092'"));
  }

  /** A reprocessing version's options but where it runs; no Kafka or database is reached. */
  private int reprocess(String... where) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "reprocess",
                "order-revenue",
                "--from=earliest",
                "--outputVersion=v2",
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--inputTopics=orders",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa"));
    args.addAll(List.of(where));
    return launch(args.toArray(String[]::new));
  }

  @Test
  void reprocessOnTheEmbeddedRunnerGetsPastTheRunnerCheckButNeedsCheckpoints() {
    // Embedded, the job commits its offsets at checkpoints as on a cluster: the same requirement.
    for (String master : List.of("--flinkMaster=[local]", "--flinkMaster=[auto]")) {
      err.reset();
      assertThat(reprocess("--runner=FlinkRunner", master), is(2));
      assertThat(
          err.toString(StandardCharsets.UTF_8),
          startsWith(
              "kappa reprocess order-revenue: --checkpointingInterval=<ms> is required: the"
                  + " version's progress, and kappa cutover's check that it caught up, read the"
                  + " offsets it commits at each checkpoint (@runners-config/flink-cluster.args"
                  + " sets 10000; give it with @runners-config/flink-embedded.args too)\n"));
    }
  }

  @Test
  void reprocessOnTheEmbeddedRunnerWithCheckpointsIsAccepted() {
    assertThat(
        ReprocessCommand.checkRunner(
            options(
                "--runner=FlinkRunner", "--flinkMaster=[local]", "--checkpointingInterval=2000")),
        is(nullValue()));
    assertThat(
        ReprocessCommand.checkRunner(
            options("--runner=FlinkRunner", "--checkpointingInterval=2000")),
        is(nullValue()));
    assertThat(
        ReprocessCommand.checkRunner(
            options(
                "--runner=FlinkRunner",
                "--flinkMaster=localhost:8081",
                "--checkpointingInterval=2000")),
        equalTo("localhost:8081"));
  }

  @Test
  void reprocessOnTheDirectRunnerIsRefusedNamingTheRunnerOption() {
    assertThat(reprocess("--checkpointingInterval=2000"), is(2));

    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(
        message,
        startsWith(
            "kappa reprocess order-revenue: the new version runs on the Flink runner, was"
                + " --runner=DirectRunner: give --runner=FlinkRunner, embedded"
                + " (@runners-config/flink-embedded.args) or on a cluster"
                + " (@runners-config/flink-cluster.args --flinkMaster=<host:port>)."));
    assertThat(message, containsString("\nusage: kappa reprocess <job> --from="));
  }

  @Test
  void reprocessWithoutCheckpointsIsRefusedOnAClusterToo() {
    assertThat(reprocess("--runner=FlinkRunner", "--flinkMaster=localhost:1"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith(
            "kappa reprocess order-revenue: --checkpointingInterval=<ms> is required: the"
                + " version's progress"));
  }

  @Test
  void reprocessRefusesALiveFlinkMasterThatIsNotACluster() {
    assertThat(reprocess("--liveFlinkMaster=[local]"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith(
            "kappa reprocess order-revenue: --liveFlinkMaster must be a Flink cluster's REST"
                + " address such as localhost:8081, was '[local]'"));
  }

  private static PipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withoutStrictParsing().create();
  }
}
