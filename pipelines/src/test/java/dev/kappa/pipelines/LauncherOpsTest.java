package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.pipelines.archive.ArchiveTopics;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The launcher's job names and its {@code status} and {@code stop} commands. */
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
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "reprocess",
                "order-revenue",
                "--from=earliest",
                "--outputVersion=v2",
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--inputTopics=orders",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa"));
    args.addAll(java.util.List.of(where));
    return launch(args.toArray(String[]::new));
  }

  @Test
  void reprocessOnTheEmbeddedRunnerIsRefusedNamingTheOption() {
    assertThat(
        reprocess("--runner=FlinkRunner", "--flinkMaster=[local]", "--checkpointingInterval=2000"),
        is(2));

    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(
        message,
        startsWith(
            "kappa reprocess order-revenue: the new version runs on a Flink cluster: give"
                + " --runner=FlinkRunner --flinkMaster=<host:port>"
                + " (@runners-config/flink-cluster.args), was --flinkMaster=[local]."));
    assertThat(message, containsString("kappa cutover --force"));
    assertThat(message, containsString("\nusage: kappa reprocess <job> --from="));
  }

  @Test
  void reprocessOnTheDirectRunnerIsRefusedToo() {
    assertThat(reprocess("--checkpointingInterval=2000"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString(
            "--flinkMaster=<host:port> (@runners-config/flink-cluster.args), was"
                + " --runner=DirectRunner."));
  }

  @Test
  void reprocessWithoutCheckpointsIsRefused() {
    assertThat(reprocess("--runner=FlinkRunner", "--flinkMaster=localhost:1"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith(
            "kappa reprocess order-revenue: --checkpointingInterval=<ms> is required: the"
                + " version's progress"));
  }
}
