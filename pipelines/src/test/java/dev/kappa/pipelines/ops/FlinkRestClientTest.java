package dev.kappa.pipelines.ops;

import static dev.kappa.pipelines.ops.FakeFlink.ask;
import static dev.kappa.pipelines.ops.FakeFlink.resource;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Flink's REST client reading the answers of a real Flink 1.19 REST API (captured, see the
 * resources' README) through the stand-in {@link FakeFlink}.
 */
class FlinkRestClientTest {

  private static final String RUNNING_JOB = "1552e8f34e4add0f0761f065910f8cad";
  private static final String JOB = "/jobs/" + RUNNING_JOB;
  private static final String SOURCE = "95e574f35a36307881c61d1d3f178566";
  private static final String DIVERT = "5d83ae48fd568067584aeb10ce67153e";
  private static final String TRIGGER = "e04c3caa7a5feb322d6cdd033b82fbf2";

  static JsonNode json(String file) {
    try {
      return new ObjectMapper().readTree(resource(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void flinkMasterIsHostAndPortWithTheRestPortByDefault() {
    assertThat(FlinkRestClient.restUrl("localhost:8081"), is(URI.create("http://localhost:8081")));
    assertThat(FlinkRestClient.restUrl("flink-jm"), is(URI.create("http://flink-jm:8081")));
    assertThat(FlinkRestClient.restUrl("http://jm:9000/"), is(URI.create("http://jm:9000")));
    assertThat(FlinkRestClient.restUrl("https://jm:443"), is(URI.create("https://jm:443")));
  }

  @Test
  void embeddedFlinkMastersHaveNoRestApiToReach() {
    IllegalArgumentException local =
        assertThrows(IllegalArgumentException.class, () -> FlinkRestClient.restUrl("[local]"));
    assertThat(local.getMessage(), containsString("[local] and [auto] have no REST API"));
    assertThrows(IllegalArgumentException.class, () -> FlinkRestClient.restUrl(""));
    assertThrows(IllegalArgumentException.class, () -> FlinkRestClient.restUrl("host:port"));
  }

  @Test
  void jobsOverviewListsEveryJobNewestFirst() {
    List<FlinkRestClient.Job> jobs =
        ask("GET /jobs/overview", "jobs-overview.json", FlinkRestClient::jobs);

    assertThat(jobs.size(), is(7));
    assertThat(jobs.get(0).id(), is(RUNNING_JOB));
    FlinkRestClient.Job running =
        jobs.stream().filter(FlinkRestClient.Job::isActive).findFirst().orElseThrow();
    assertThat(running.id(), is(RUNNING_JOB));
    assertThat(running.name(), is("order-revenue"));
    assertThat(running.state(), is("RUNNING"));
    for (int i = 1; i < jobs.size(); i++) {
      assertThat(jobs.get(i - 1).startTimeMillis() >= jobs.get(i).startTimeMillis(), is(true));
    }
  }

  @Test
  void jobDetailsGiveTheVerticesInGraphOrderWithTheirNetworkRecords() {
    FlinkRestClient.JobDetails details =
        ask("GET " + JOB, "running-job.json", flink -> flink.job(RUNNING_JOB).orElseThrow());

    assertThat(details.job().id(), is(RUNNING_JOB));
    assertThat(details.job().state(), is("RUNNING"));
    assertThat(details.vertices().size(), is(24));
    FlinkRestClient.Vertex source = details.vertices().get(0);
    assertThat(source.id(), is(SOURCE));
    assertThat(source.name(), startsWith("Source: ReadOrders/ReplayRecords -> "));
    assertThat(source.parallelism(), is(2));
    assertThat(source.recordsIn(), is(0L));
    assertThat(source.recordsOut(), is(163L));
    FlinkRestClient.Vertex divert =
        details.vertices().stream().filter(v -> v.id().equals(DIVERT)).findFirst().orElseThrow();
    assertThat(divert.recordsIn(), is(146L));
    assertThat(divert.status(), is("RUNNING"));
  }

  @Test
  void anUnknownJobHasNoDetails() {
    // The stand-in answers anything not registered with Flink's 404 for an unknown job.
    assertThat(
        ask("GET /jobs/overview", "jobs-overview.json", flink -> flink.job(RUNNING_JOB)),
        is(Optional.empty()));
  }

  @Test
  void checkpointsGiveTheLastCompletedOne() {
    FlinkRestClient.Checkpoints checkpoints =
        ask(
            "GET " + JOB + "/checkpoints",
            "running-job-checkpoints.json",
            flink -> flink.checkpoints(RUNNING_JOB));

    assertThat(checkpoints.completed(), is(4L));
    assertThat(checkpoints.failed(), is(0L));
    assertThat(checkpoints.inProgress(), is(0L));
    assertThat(
        checkpoints.lastCompleted(),
        equalTo(
            new FlinkRestClient.Checkpoint(
                4,
                false,
                1795249113304L,
                643548,
                112,
                "file:/tmp/kappa-ops/flink/checkpoints/" + RUNNING_JOB + "/chk-4")));
    assertThat(checkpoints.lastSavepoint(), is(nullValue()));
    assertThat(checkpoints.lastFailure(), is(nullValue()));
    assertThat(checkpoints.restored(), is(nullValue()));
  }

  @Test
  void checkpointsOfAStoppedJobHoldItsSavepointAndTheFailedOne() {
    FlinkRestClient.Checkpoints checkpoints =
        ask(
            "GET " + JOB + "/checkpoints",
            "finished-job-checkpoints.json",
            flink -> flink.checkpoints(RUNNING_JOB));

    assertThat(checkpoints.lastSavepoint().id(), is(7L));
    assertThat(checkpoints.lastSavepoint().savepoint(), is(true));
    assertThat(
        checkpoints.lastSavepoint().path(),
        is("file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000"));
    assertThat(checkpoints.lastFailure().id(), is(6L));
    assertThat(
        checkpoints.lastFailure().message(),
        is("An Exception occurred while triggering the checkpoint. IO-problem detected."));
  }

  @Test
  void checkpointsOfAResumedJobNameTheSavepointItStartedFrom() {
    FlinkRestClient.Restore restored =
        ask(
            "GET " + JOB + "/checkpoints",
            "restored-job-checkpoints.json",
            flink -> flink.checkpoints(RUNNING_JOB).restored());

    assertThat(restored.savepoint(), is(true));
    assertThat(
        restored.path(), is("file:/tmp/kappa-ops/flink/savepoints/savepoint-b6746e-f30f64016ed9"));
  }

  @Test
  void watermarkIsTheLowestOverSubtasksAndSourcesHaveNone() {
    String vertices = "GET " + JOB + "/vertices/";
    assertThat(
        ask(
            vertices + DIVERT + "/watermarks",
            "vertex-divert-watermarks.json",
            flink -> flink.inputWatermark(RUNNING_JOB, DIVERT)),
        is(OptionalLong.of(1772362666000L)));
    assertThat(
        ask(
            vertices + SOURCE + "/watermarks",
            "vertex-source-watermarks.json",
            flink -> flink.inputWatermark(RUNNING_JOB, SOURCE)),
        is(OptionalLong.empty()));
  }

  @Test
  void ratesAreSummedOverSubtasks() {
    assertThat(
        ask(
            "GET "
                + JOB
                + "/vertices/"
                + DIVERT
                + "/subtasks/metrics?get=numRecordsInPerSecond,numRecordsOutPerSecond&agg=sum",
            "vertex-divert-rates.json",
            flink ->
                flink.summedTaskMetrics(
                    RUNNING_JOB,
                    DIVERT,
                    List.of("numRecordsInPerSecond", "numRecordsOutPerSecond"))),
        hasEntry("numRecordsInPerSecond", 2.4333333333333336));
  }

  @Test
  void theLastFailureIsTheNewestOfTheHistoryWithItsDeepestCause() {
    String history =
        FakeFlink.exceptions(
            FakeFlink.failure(
                new IllegalStateException("checkpoint 4 expired"), 1_000L, "SumRevenue (1/1)"),
            FakeFlink.failure(
                new RuntimeException(
                    "Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy",
                    new IOException(
                        "Could not acquire the minimum required resources",
                        new TimeoutException("Slot request timed out after 300000 ms"))),
                2_000L,
                null));
    try (FakeFlink flink = new FakeFlink().answer("GET " + JOB + "/exceptions", 200, history);
        FlinkRestClient client = flink.client()) {
      FlinkRestClient.JobFailure failure = client.lastFailure(RUNNING_JOB).orElseThrow();
      assertThat(failure.failedAtMillis(), is(2_000L));
      assertThat(failure.task(), nullValue());
      assertThat(
          failure.describe(),
          equalTo(
              "java.lang.RuntimeException: Recovery is suppressed by"
                  + " FixedDelayRestartBackoffTimeStrategy; caused by"
                  + " java.util.concurrent.TimeoutException: Slot request timed out after 300000"
                  + " ms"));
    }
  }

  @Test
  void aTaskFailureNamesItsTask() {
    String history =
        FakeFlink.exceptions(
            FakeFlink.failure(
                new IllegalArgumentException("no such topic"), 1_000L, "ReadOrders (1/2)"));
    try (FakeFlink flink = new FakeFlink().answer("GET " + JOB + "/exceptions", 200, history);
        FlinkRestClient client = flink.client()) {
      assertThat(
          client.lastFailure(RUNNING_JOB).map(FlinkRestClient.JobFailure::describe),
          is(
              Optional.of(
                  "java.lang.IllegalArgumentException: no such topic (in ReadOrders (1/2))")));
    }
  }

  @Test
  void aJobWithoutFailuresOrUnknownHasNone() {
    try (FakeFlink flink =
            new FakeFlink().answer("GET " + JOB + "/exceptions", 200, FakeFlink.exceptions());
        FlinkRestClient client = flink.client()) {
      assertThat(client.lastFailure(RUNNING_JOB), is(Optional.empty()));
      // Not registered: the stand-in answers with Flink's 404 for an unknown job.
      assertThat(client.lastFailure("0" + RUNNING_JOB.substring(1)), is(Optional.empty()));
    }
  }

  @Test
  void restartsAreTheJobsMetric() {
    assertThat(
        ask(
            "GET " + JOB + "/metrics?get=numRestarts",
            "running-job-metrics.json",
            flink -> flink.restarts(RUNNING_JOB)),
        is(OptionalLong.of(0)));
  }

  @Test
  void pipelineOptionsAreTheJobsBeamOptions() {
    var options =
        ask(
            "GET " + JOB + "/config",
            "running-job-config.json",
            flink -> flink.pipelineOptions(RUNNING_JOB));

    assertThat(options, hasEntry("source", "REPLAY"));
    assertThat(options, hasEntry("jobName", "order-revenue"));
  }

  @Test
  void accumulatorsAreTheJobsUserAccumulatorsByName() {
    var accumulators =
        ask(
            "GET " + JOB + "/accumulators",
            "finished-job-accumulators.json",
            flink -> flink.accumulators(RUNNING_JOB));

    assertThat(accumulators.keySet(), contains("__metricscontainers"));
    assertThat(accumulators.get("__metricscontainers"), containsString("\"attempted\""));
  }

  private static FakeFlink stopping(String... savepointAnswers) {
    return new FakeFlink()
        .on("POST " + JOB + "/stop", "stop-trigger.json")
        .on("GET " + JOB + "/savepoints/" + TRIGGER, savepointAnswers);
  }

  @Test
  void stopWithSavepointWaitsForItsLocation() {
    try (FakeFlink fake = stopping("savepoint-in-progress.json", "savepoint-completed.json");
        FlinkRestClient flink = fake.client()) {

      assertThat(
          flink.stopWithSavepoint(RUNNING_JOB, null, false, Duration.ofSeconds(30)),
          is("file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000"));
    }
  }

  @Test
  void aSavepointStillInProgressTimesOut() {
    try (FakeFlink fake = stopping("savepoint-in-progress.json");
        FlinkRestClient flink = fake.client()) {

      assertThrows(
          FlinkRestClient.SavepointTimeoutException.class,
          () -> flink.stopWithSavepoint(RUNNING_JOB, null, false, Duration.ofMillis(500)));
    }
  }

  @Test
  void failedSavepointGivesFlinksCausesWithoutTheFutureWrappers() {
    FakeFlink fake =
        new FakeFlink()
            .on("POST " + JOB + "/stop", "stop-trigger.json")
            .answer("GET " + JOB + "/savepoints/" + TRIGGER, 200, FakeFlink.deniedSavepoint());
    try (fake;
        FlinkRestClient flink = fake.client()) {

      FlinkRestClient.SavepointFailedException failed =
          assertThrows(
              FlinkRestClient.SavepointFailedException.class,
              () -> flink.stopWithSavepoint(RUNNING_JOB, null, false, Duration.ofSeconds(30)));

      assertThat(
          failed.causes(),
          contains(
              "org.apache.flink.runtime.checkpoint.CheckpointException: An Exception occurred while"
                  + " triggering the checkpoint. IO-problem detected.",
              "java.io.IOException: Failed to create savepoint directory at"
                  + " file:/proc/kappa-denied"));
    }
  }

  @Test
  void errorAnswersGiveFlinksReasonWithoutTheStackTrace() {
    FlinkRestClient.RestException notFound =
        assertThrows(
            FlinkRestClient.RestException.class,
            () ->
                ask(
                    "GET /jobs/overview",
                    "jobs-overview.json",
                    flink -> flink.pipelineOptions("00000000000000000000000000000000")));
    assertThat(notFound.status(), is(404));
    assertThat(notFound.reason(), is("Job 00000000000000000000000000000000 not found"));

    try (FakeFlink fake =
            new FakeFlink()
                .onError("PATCH " + JOB + "?mode=cancel", 409, "cancel-finished-job.json");
        FlinkRestClient flink = fake.client()) {
      FlinkRestClient.RestException refused =
          assertThrows(FlinkRestClient.RestException.class, () -> flink.cancel(RUNNING_JOB));
      assertThat(refused.status(), is(409));
      assertThat(
          refused.reason(),
          is(
              "Job cancellation failed because the job has already reached another terminal state"
                  + " (FINISHED)."));
    }
  }

  @Test
  void clusterOverviewCountsTaskManagersAndSlots() {
    assertThat(
        ask("GET /overview", "overview.json", FlinkRestClient::overview),
        equalTo(new FlinkRestClient.ClusterOverview("1.19.0", 2, 4, 2)));
  }

  @Test
  void nothingListeningIsUnreachableAtOnce() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    try (FlinkRestClient flink = FlinkRestClient.at("localhost:" + port)) {
      FlinkRestClient.UnreachableException unreachable =
          assertThrows(FlinkRestClient.UnreachableException.class, flink::jobs);
      assertThat(
          unreachable.getMessage(),
          startsWith(
              "cannot reach the Flink REST API at http://localhost:"
                  + port
                  + " (connection refused): "));
      assertThat(unreachable.getMessage(), containsString("is the cluster running there?"));
    }
  }

  @Test
  void aServerThatNeverAnswersIsUnreachableAfterTheTimeout() throws IOException {
    // The socket is listening, so connecting succeeds, but nothing ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        FlinkRestClient flink =
            FlinkRestClient.at("localhost:" + silent.getLocalPort(), Duration.ofSeconds(1))) {
      FlinkRestClient.UnreachableException unreachable =
          assertThrows(FlinkRestClient.UnreachableException.class, flink::jobs);
      assertThat(
          unreachable.getMessage(),
          startsWith(
              "cannot reach the Flink REST API at http://localhost:" + silent.getLocalPort()));
      assertThat(unreachable.getMessage(), containsString("is the cluster running there?"));
    }
  }
}
