package dev.kappa.pipelines.ops;

import static dev.kappa.pipelines.ops.FakeFlink.ask;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command that resumes a stopped job, from the options Flink recorded for it. */
class ResumeCommandTest {

  private static final KappaJob<?> ORDER_REVENUE = KappaJobs.named("order-revenue").orElseThrow();

  private static final String SAVEPOINT =
      "file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000";

  /** The options of runners-config/flink-cluster.args, as the launcher reads them. */
  static List<String> clusterArgs() throws IOException {
    Path file =
        Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
            .resolve("flink-cluster.args");
    return Files.readAllLines(file).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static Map<String, String> jobOptions() {
    return ask(
        "GET /jobs/1552e8f34e4add0f0761f065910f8cad/config",
        "running-job-config.json",
        flink -> flink.pipelineOptions("1552e8f34e4add0f0761f065910f8cad"));
  }

  @Test
  void namesThePipelineFromTheJobsOptions() {
    assertThat(
        ResumeCommand.pipeline(jobOptions()).map(KappaJob::name), is(Optional.of("order-revenue")));
    assertThat(
        ResumeCommand.pipeline(Map.of("appName", "Launcher", "jobName", "archive-topics"))
            .map(KappaJob::name),
        is(Optional.of("archive-topics")));
    assertThat(ResumeCommand.pipeline(Map.of("appName", "WordCount")), is(Optional.empty()));
  }

  @Test
  void repeatsWhatDiffersFromTheArgumentFileAndTheDefaults() throws IOException {
    ResumeCommand.Command command =
        ResumeCommand.build(ORDER_REVENUE, jobOptions(), Optional.of(clusterArgs()), SAVEPOINT);

    List<String> arguments = command.arguments();
    assertThat(
        arguments.subList(0, 3),
        contains("run", "order-revenue", "@runners-config/flink-cluster.args"));
    assertThat(arguments.get(arguments.size() - 1), is("--savepointPath=" + SAVEPOINT));
    assertThat(
        arguments.subList(3, arguments.size() - 1),
        containsInAnyOrder(
            "--source=REPLAY",
            "--replaySpeedUp=100",
            "--input=test-data/orders/orders.jsonl",
            "--tooLateOutput=/tmp/kappa-ops/run5/too-late",
            "--deadLetterOutput=/tmp/kappa-ops/run5/dead-letters",
            "--output=/tmp/kappa-ops/run5/results",
            "--productChanges=test-data/enrichment/products.changelog.jsonl",
            "--customerChanges=test-data/enrichment/customers.changelog.jsonl",
            "--flinkMaster=localhost:18081",
            // The recorded job was launched when the argument file said 200 ms; it says 50 now,
            // and the job resumes with its own.
            "--autoWatermarkInterval=200"));
    assertThat(command.unrecordedListOptions(), is(List.of()));
  }

  @Test
  void withoutTheArgumentFileRepeatsTheRunnerOptionsToo() {
    ResumeCommand.Command command =
        ResumeCommand.build(ORDER_REVENUE, jobOptions(), Optional.empty(), SAVEPOINT);

    assertThat(command.arguments(), not(hasItems("@runners-config/flink-cluster.args")));
    assertThat(
        command.arguments(),
        hasItems(
            "--runner=org.apache.beam.runners.flink.FlinkRunner",
            "--flinkMaster=localhost:18081",
            "--parallelism=2",
            "--maxParallelism=128",
            "--checkpointingInterval=10000",
            "--shutdownSourcesAfterIdleMs=15000"));
    // Beam's default: not repeated.
    assertThat(command.arguments(), not(hasItems("--checkpointingMode=EXACTLY_ONCE")));
  }

  @Test
  void aJobNameOtherThanThePipelinesIsRepeated() throws IOException {
    Map<String, String> options = new LinkedHashMap<>(jobOptions());
    options.put("jobName", "order-revenue-eu");

    assertThat(
        ResumeCommand.build(ORDER_REVENUE, options, Optional.of(clusterArgs()), SAVEPOINT)
            .arguments(),
        hasItems("--jobName=order-revenue-eu"));
  }

  @Test
  void listOptionsFlinkDidNotRecordAreNamedNotGuessed() throws IOException {
    Map<String, String> options = new LinkedHashMap<>(jobOptions());
    options.put("source", "KAFKA");
    options.put("inputTopics", "");

    ResumeCommand.Command command =
        ResumeCommand.build(ORDER_REVENUE, options, Optional.of(clusterArgs()), SAVEPOINT);

    assertThat(command.unrecordedListOptions(), is(List.of("inputTopics")));
    assertThat(command.arguments(), hasItems("--source=KAFKA"));
    assertThat(
        command.arguments().stream().anyMatch(a -> a.startsWith("--inputTopics")), is(false));
  }

  @Test
  void rendersOneOptionPerLineQuotingWhatTheShellWouldSplit() {
    ResumeCommand.Command command =
        new ResumeCommand.Command(
            List.of("run", "order-revenue", "--input=/data/my orders.jsonl", "--savepointPath=x"),
            List.of());

    assertThat(
        command.render("  "),
        is(
            "  scripts/kappa run order-revenue \\\n"
                + "      '--input=/data/my orders.jsonl' \\\n"
                + "      --savepointPath=x"));
    assertThat(ResumeCommand.quote("it's"), is("'it'\\''s'"));
    assertThat(
        ResumeCommand.quote("--input=/tmp/orders-*.avro"), is("'--input=/tmp/orders-*.avro'"));
  }

  @Test
  void repeatsTheRecordedLaunchArgumentsAsTypedWithTheNewSavepoint() throws IOException {
    Map<String, String> options = new LinkedHashMap<>(jobOptions());
    options.put(
        "launchArguments",
        ResumeCommand.record(
            List.of(
                "@runners-config/flink-cluster.args",
                "--inputTopics=orders-demo-1,orders-demo-2",
                "--savepointPath=file:/tmp/an-older-savepoint",
                "--output=console")));

    ResumeCommand.Command command =
        ResumeCommand.build(ORDER_REVENUE, options, Optional.of(clusterArgs()), SAVEPOINT);

    assertThat(
        command.arguments(),
        contains(
            "run",
            "order-revenue",
            "@runners-config/flink-cluster.args",
            "--inputTopics=orders-demo-1,orders-demo-2",
            "--output=console",
            "--savepointPath=" + SAVEPOINT));
    assertThat(command.unrecordedListOptions(), is(List.of()));
  }

  @Test
  void neverRecordsADatabasePasswordTypedInline() throws IOException {
    String recorded =
        ResumeCommand.record(
            List.of(
                "--jdbcUrl=jdbc:postgresql://db:5432/kappa",
                "--jdbcPassword=s3cret-inline",
                "--jdbcPasswordFile=/run/secrets/db"));

    assertThat(recorded.contains("s3cret-inline"), is(false));
    assertThat(recorded.contains("--jdbcPasswordFile=/run/secrets/db"), is(true));
  }
}
