package dev.kappa.pipelines.ops;

import static dev.kappa.pipelines.ops.FakeFlink.ask;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code kappa status} against a stand-in REST API answering with a real cluster's JSON: argument
 * checks, the cluster's job list, an ended job's report, and its errors.
 */
class StatusCommandTest {

  private static final String RUNNING_JOB = "1552e8f34e4add0f0761f065910f8cad";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int status(String... args) {
    return StatusCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The stand-in answering for the job after it was stopped with a savepoint. */
  private static FakeFlink finishedJob() {
    String job = "/jobs/" + RUNNING_JOB;
    return new FakeFlink()
        .on("GET /jobs/overview", "jobs-overview-after-stop.json")
        .on("GET " + job, "finished-job.json")
        .on("GET " + job + "/config", "finished-job-config.json")
        .on("GET " + job + "/checkpoints", "finished-job-checkpoints.json")
        .on("GET " + job + "/accumulators", "finished-job-accumulators.json");
  }

  @Test
  void unknownOptionsAreUsageErrors() {
    assertThat(status("--flinkMastr=localhost:8081"), is(2));
    assertThat(err(), startsWith("kappa status: unknown option '--flinkMastr=localhost:8081'"));
    assertThat(err(), containsString("usage: kappa status"));
  }

  @Test
  void atMostOneJob() {
    assertThat(status("a", "b"), is(2));
    assertThat(err(), containsString("name at most one job"));
  }

  @Test
  void theEmbeddedRunnerHasNoRestApi() {
    assertThat(status("--flinkMaster=[local]"), is(2));
    assertThat(err(), containsString("[local] and [auto] have no REST API"));
  }

  @Test
  void anUnreachableClusterIsNamed() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    assertThat(status("--flinkMaster=localhost:" + port), is(1));
    assertThat(
        err(),
        startsWith("kappa status: cannot reach the Flink REST API at http://localhost:" + port));
  }

  @Test
  void withoutAJobListsTheClusterAndItsJobs() {
    try (FakeFlink flink =
        new FakeFlink()
            .on("GET /overview", "overview.json")
            .on("GET /jobs/overview", "jobs-overview.json")) {

      assertThat(status("--flinkMaster=" + flink.master()), is(0));
    }

    List<String> lines = out().lines().toList();
    assertThat(lines.get(0), startsWith("Flink 1.19.0 at http://localhost:"));
    assertThat(lines.get(0), containsString(": 2 TaskManagers, 4 slots (2 free)"));
    assertThat(
        lines.get(1),
        is(
            "  JOB ID                            NAME                                   STATE     STARTED (UTC)        DURATION"));
    assertThat(lines.get(2), startsWith("  " + RUNNING_JOB + "  order-revenue "));
    assertThat(lines.get(2), containsString(" RUNNING   2026-11-21 08:17:"));
    assertThat(lines.size(), is(9));
  }

  @Test
  void anUnknownJobIsReportedWithTheRunningOnes() {
    try (FakeFlink flink = new FakeFlink().on("GET /jobs/overview", "jobs-overview.json")) {

      assertThat(status("revenue", "--flinkMaster=" + flink.master()), is(1));
    }

    assertThat(err(), containsString("no job 'revenue' at http://localhost:"));
    assertThat(err(), containsString("; running: order-revenue (" + RUNNING_JOB + ")"));
  }

  @Test
  void anEndedJobShowsItsVerticesCheckpointsAndFinalBeamMetrics() {
    try (FakeFlink flink = finishedJob()) {

      assertThat(status(RUNNING_JOB, "--flinkMaster=" + flink.master()), is(0));
    }

    String text = out();
    assertThat(text, startsWith("Job order-revenue (" + RUNNING_JOB + ") at http://localhost:"));
    assertThat(text, containsString("\n  state FINISHED after "));
    assertThat(
        text, containsString("\n  checkpoints: 5 completed, 2 failed, 0 in progress; last: #4, "));
    assertThat(text, containsString("\n  last savepoint: #7, "));
    assertThat(
        text,
        containsString(
            " ago, 594.1 KiB in 122 ms\n    file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000\n"));
    assertThat(
        text,
        containsString(
            " ago: An Exception occurred while triggering the checkpoint. IO-problem detected.\n"));
    assertThat(
        text,
        containsString(
            "\n  Source: ReadOrders/ReplayRecords -> ...                                    2  FINISHED"
                + "           0          193     -      -  -\n"));
    assertThat(
        text,
        containsString(
            "\n  ComputeOrderRevenue/DecodeOrders                                       DecodeOrders/decoded"
                + "                     187\n"));
    assertThat(text, containsString("DivertTooLateEvents/lateRecordsAccepted  10\n"));
    assertThat(
        text,
        containsString(
            "result/eventTimeLatencyMillis            count 86, mean 264d 21h, min 264d 21h,"
                + " max 264d 22h\n"));
    assertThat(
        text,
        containsString(
            "\nKafka: the job reads no Kafka topic (--source=REPLAY): no consumer lag\n"));
  }

  @Test
  void aJobIsFoundByItsNameToo() {
    try (FakeFlink flink = finishedJob()) {
      flink.on("GET /jobs/overview", "jobs-overview-after-stop.json");

      assertThat(status("order-revenue", "--flinkMaster=" + flink.master()), is(0));
    }

    assertThat(out(), startsWith("Job order-revenue (" + RUNNING_JOB + ")"));
  }

  @Test
  void jsonHoldsTheSameReport() throws Exception {
    try (FakeFlink flink = finishedJob()) {

      assertThat(status(RUNNING_JOB, "--json", "--flinkMaster=" + flink.master()), is(0));
    }

    JsonNode report = new ObjectMapper().readTree(out());
    assertThat(report.path("job").path("state").asText(), is("FINISHED"));
    assertThat(report.path("vertices").size(), is(24));
    assertThat(
        report.path("checkpoints").path("lastSavepoint").path("path").asText(),
        is("file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000"));
    assertThat(report.path("metrics").size(), is(24));
    assertThat(report.path("kafka").path("note").asText(), containsString("no Kafka topic"));
  }

  @Test
  void aBackfillHasNoConsumerLag() {
    OpsArguments arguments =
        OpsArguments.parse(new String[0], java.util.Set.of(), java.util.Set.of());
    StatusCommand.KafkaReport backfill =
        StatusCommand.kafka(
            Map.of("appName", "OrderRevenue", "source", "KAFKA", "from", "2026-03-01T00:00:00Z"),
            arguments);

    assertThat(backfill.note(), containsString("backfill (--from/--to)"));
  }

  @Test
  void theConsumerGroupIsTheJobsOrThePipelinesDefault() {
    OpsArguments none = OpsArguments.parse(new String[0], Set.of(), Set.of("consumerGroup"));
    OpsArguments given =
        OpsArguments.parse(new String[] {"--consumerGroup=ops"}, Set.of(), Set.of("consumerGroup"));

    assertThat(
        StatusCommand.consumerGroup(Map.of("appName", "OrderRevenue"), none),
        is(Optional.of("kappa-order-revenue")));
    assertThat(
        StatusCommand.consumerGroup(Map.of("appName", "ArchiveTopics"), none),
        is(Optional.of("kappa-archive-topics")));
    assertThat(
        StatusCommand.consumerGroup(
            Map.of("appName", "OrderRevenue", "consumerGroup", "revenue-eu"), none),
        is(Optional.of("revenue-eu")));
    assertThat(
        StatusCommand.consumerGroup(Map.of("appName", "OrderRevenue"), given),
        is(Optional.of("ops")));
    assertThat(
        StatusCommand.consumerGroup(Map.of("appName", "WordCount"), none), is(Optional.empty()));
    // A versioned run reads with its own group.
    assertThat(
        StatusCommand.consumerGroup(Map.of("appName", "OrderRevenue", "outputVersion", "v2"), none),
        is(Optional.of("kappa-order-revenue-v2")));
    assertThat(
        StatusCommand.consumerGroup(
            Map.of("appName", "OrderRevenue", "consumerGroup", "revenue-eu", "outputVersion", "v2"),
            none),
        is(Optional.of("revenue-eu-v2")));
  }

  @Test
  void kafkaLagIsATableWithTheTotal() {
    StringBuilder text = new StringBuilder();
    StatusCommand.renderKafka(
        new StatusCommand.KafkaReport(
            new KafkaLag.Report(
                "localhost:9092",
                "kappa-order-revenue",
                List.of(
                    KafkaLag.PartitionLag.of("orders", 0, 134L, 140),
                    KafkaLag.PartitionLag.of("orders", 1, 133L, 133),
                    KafkaLag.PartitionLag.of("orders", 2, null, 133))),
            null),
        text);

    assertThat(
        text.toString(),
        is(
            "Kafka lag of consumer group kappa-order-revenue at localhost:9092 (offsets are"
                + " committed when a checkpoint completes):\n"
                + "  TOPIC   PARTITION  COMMITTED  END  LAG\n"
                + "  orders          0        134  140    6\n"
                + "  orders          1        133  133    0\n"
                + "  orders          2       none  133    -\n"
                + "  total lag: 6\n"));
  }

  @Test
  void rendersARunningJobsVerticesWithRatesAndWatermarks() {
    String text = StatusCommand.render(runningJobReport(checkpoints -> checkpoints));

    assertThat(text, containsString("state RUNNING for "));
    assertThat(text, containsString("; restarts: 0\n"));
    assertThat(text, containsString("; last: #4, 10 s ago, 628.5 KiB in 112 ms\n"));
    assertThat(
        text,
        containsString(
            "  ComputeOrderRevenue/.../DivertTooLate/DivertExpiredWindows -> ...    2  RUNNING         146          146   2.4    1.1  2026-03-01 10:57:46\n"));
    assertThat(
        text,
        containsString(
            "  ComputeOrderRevenue/WindowOrders/DivertTooLate/DivertExpiredWindows  DivertTooLateEvents/lateRecordsAccepted  7\n"));
  }

  @Test
  void aJobThatFailedShowsItsLastFailureAndOneThatDidNotNone() {
    FlinkRestClient.JobFailure failure =
        new FlinkRestClient.JobFailure(
            1795249113304L,
            "ReadOrders (1/2)",
            "java.lang.RuntimeException: reading orders failed",
            "org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired");

    assertThat(
        StatusCommand.render(runningJobReport(c -> c, failure)),
        containsString(
            "\n  last failure 2026-11-21 08:18:33 UTC: java.lang.RuntimeException: reading orders"
                + " failed (in ReadOrders (1/2)); caused by"
                + " org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired\n"));
    assertThat(StatusCommand.render(runningJobReport(c -> c)), not(containsString("last failure")));
  }

  @Test
  void longVertexNamesKeepTheirFirstAndLastSteps() {
    assertThat(
        StatusCommand.vertexName(
            "WriteResults/WriteFiles/WriteWindowPanes/WriteFiles/GatherTempFileResults/Drop"
                + " key/Values/Map/ParMultiDo(Anonymous) -> WriteResults/WriteFiles/Other"),
        is("WriteResults/.../GatherTempFileResults/Drop key/Values/Map -> ..."));
    assertThat(StatusCommand.vertexName("Source: Impulse"), is("Source: Impulse"));
  }

  @Test
  void aFailedCheckpointFlinkKeptNoRecordOfIsExplained() {
    String text =
        StatusCommand.render(
            runningJobReport(
                c ->
                    new FlinkRestClient.Checkpoints(
                        c.completed(),
                        2,
                        c.inProgress(),
                        c.lastCompleted(),
                        c.lastSavepoint(),
                        null,
                        c.restored())));

    assertThat(text, containsString(" completed, 2 failed, 0 in progress; last: #4, "));
    assertThat(
        text,
        containsString(
            "\n  2 checkpoints failed before they started, so Flink keeps no reason for them:"));
    // Where to look for it: the web UI's page of the JobManager's logs, or the local cluster's
    // file.
    assertThat(
        text,
        containsString(
            "the JobManager's log names the cause: http://localhost:8081/#/job-manager/logs"
                + " (scripts/flink-cluster.sh: .kappa/flink/log/jobmanager.log)\n"));
  }

  /** The captured running job's report, its checkpoints as {@code checkpoints} makes them. */
  private static StatusCommand.JobReport runningJobReport(
      UnaryOperator<FlinkRestClient.Checkpoints> checkpoints) {
    return runningJobReport(checkpoints, null);
  }

  /** The same, with {@code lastFailure} in its exception history. */
  private static StatusCommand.JobReport runningJobReport(
      UnaryOperator<FlinkRestClient.Checkpoints> checkpoints,
      @Nullable FlinkRestClient.JobFailure lastFailure) {
    String job = "GET /jobs/" + RUNNING_JOB;
    String divertId = "5d83ae48fd568067584aeb10ce67153e";
    FlinkRestClient.JobDetails details =
        ask(job, "running-job.json", flink -> flink.job(RUNNING_JOB).orElseThrow());
    FlinkRestClient.Vertex divert =
        details.vertices().stream().filter(v -> v.id().equals(divertId)).findFirst().orElseThrow();
    List<String> beamMetricIds =
        ask(
                job + "/vertices/" + divertId + "/metrics",
                "vertex-divert-metric-ids.json",
                flink -> flink.metricIds(RUNNING_JOB, divertId))
            .stream()
            .filter(id -> BeamMetrics.parse(id).isPresent())
            .toList();
    StatusCommand.JobReport report =
        new StatusCommand.JobReport(
            "http://localhost:8081",
            1795249123304L,
            details.job(),
            0L,
            lastFailure,
            checkpoints.apply(
                ask(
                    job + "/checkpoints",
                    "running-job-checkpoints.json",
                    flink -> flink.checkpoints(RUNNING_JOB))),
            List.of(
                new StatusCommand.VertexReport(
                    divert.id(),
                    divert.name(),
                    divert.parallelism(),
                    divert.status(),
                    divert.recordsIn(),
                    divert.recordsOut(),
                    2.4333,
                    1.0833,
                    ask(
                            job + "/vertices/" + divertId + "/watermarks",
                            "vertex-divert-watermarks.json",
                            flink -> flink.inputWatermark(RUNNING_JOB, divertId))
                        .getAsLong())),
            BeamMetrics.aggregate(
                ask(
                    job
                        + "/vertices/"
                        + divertId
                        + "/metrics?get="
                        + String.join(",", beamMetricIds),
                    "vertex-divert-metric-values.json",
                    flink -> flink.metricValues(RUNNING_JOB, divertId, beamMetricIds))),
            new StatusCommand.KafkaReport(null, "the job reads no Kafka topic (--source=REPLAY)"));

    return report;
  }
}
