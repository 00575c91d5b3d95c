package dev.kappa.pipelines.ops;

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
import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Parses the answers of a real Flink 1.19 REST API (captured, see the resources' README). */
class FlinkJobsTest {

  private static final String RUNNING_JOB = "1552e8f34e4add0f0761f065910f8cad";

  static JsonNode json(String file) {
    try {
      return new ObjectMapper().readTree(resource(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void flinkMasterIsHostAndPortWithTheRestPortByDefault() {
    assertThat(FlinkJobs.restUrl("localhost:8081"), is(URI.create("http://localhost:8081")));
    assertThat(FlinkJobs.restUrl("flink-jm"), is(URI.create("http://flink-jm:8081")));
    assertThat(FlinkJobs.restUrl("http://jm:9000/"), is(URI.create("http://jm:9000")));
    assertThat(FlinkJobs.restUrl("https://jm:443"), is(URI.create("https://jm:443")));
  }

  @Test
  void embeddedFlinkMastersHaveNoRestApiToReach() {
    IllegalArgumentException local =
        assertThrows(IllegalArgumentException.class, () -> FlinkJobs.restUrl("[local]"));
    assertThat(local.getMessage(), containsString("[local] and [auto] have no REST API"));
    assertThrows(IllegalArgumentException.class, () -> FlinkJobs.restUrl(""));
    assertThrows(IllegalArgumentException.class, () -> FlinkJobs.restUrl("host:port"));
  }

  @Test
  void jobsOverviewListsEveryJobNewestFirst() {
    List<FlinkJobs.Job> jobs = FlinkJobs.parseJobs(json("jobs-overview.json"));

    assertThat(jobs.size(), is(7));
    assertThat(jobs.get(0).id(), is(RUNNING_JOB));
    FlinkJobs.Job running = jobs.stream().filter(FlinkJobs.Job::isActive).findFirst().orElseThrow();
    assertThat(running.id(), is(RUNNING_JOB));
    assertThat(running.name(), is("order-revenue"));
    assertThat(running.state(), is("RUNNING"));
    for (int i = 1; i < jobs.size(); i++) {
      assertThat(jobs.get(i - 1).startTimeMillis() >= jobs.get(i).startTimeMillis(), is(true));
    }
  }

  @Test
  void jobDetailsGiveTheVerticesInGraphOrderWithTheirNetworkRecords() {
    FlinkJobs.JobDetails details = FlinkJobs.parseJobDetails(json("running-job.json"));

    assertThat(details.job().id(), is(RUNNING_JOB));
    assertThat(details.job().state(), is("RUNNING"));
    assertThat(details.vertices().size(), is(24));
    FlinkJobs.Vertex source = details.vertices().get(0);
    assertThat(source.name(), startsWith("Source: ReadOrders/ReplayRecords -> "));
    assertThat(source.parallelism(), is(2));
    assertThat(source.recordsIn(), is(0L));
    assertThat(source.recordsOut(), is(163L));
    FlinkJobs.Vertex divert =
        details.vertices().stream()
            .filter(v -> v.id().equals("5d83ae48fd568067584aeb10ce67153e"))
            .findFirst()
            .orElseThrow();
    assertThat(divert.recordsIn(), is(146L));
    assertThat(divert.status(), is("RUNNING"));
  }

  @Test
  void checkpointsGiveTheLastCompletedOne() {
    FlinkJobs.Checkpoints checkpoints =
        FlinkJobs.parseCheckpoints(json("running-job-checkpoints.json"));

    assertThat(checkpoints.completed(), is(4L));
    assertThat(checkpoints.failed(), is(0L));
    assertThat(checkpoints.inProgress(), is(0L));
    assertThat(
        checkpoints.lastCompleted(),
        equalTo(
            new FlinkJobs.Checkpoint(
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
    FlinkJobs.Checkpoints checkpoints =
        FlinkJobs.parseCheckpoints(json("finished-job-checkpoints.json"));

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
    FlinkJobs.Restore restored =
        FlinkJobs.parseCheckpoints(json("restored-job-checkpoints.json")).restored();

    assertThat(restored.savepoint(), is(true));
    assertThat(
        restored.path(), is("file:/tmp/kappa-ops/flink/savepoints/savepoint-b6746e-f30f64016ed9"));
  }

  @Test
  void watermarkIsTheLowestOverSubtasksAndSourcesHaveNone() {
    assertThat(
        FlinkJobs.parseWatermark(json("vertex-divert-watermarks.json")),
        is(OptionalLong.of(1772362666000L)));
    assertThat(
        FlinkJobs.parseWatermark(json("vertex-source-watermarks.json")), is(OptionalLong.empty()));
  }

  @Test
  void pipelineOptionsAreTheJobsBeamOptions() {
    assertThat(
        FlinkJobs.parsePipelineOptions(json("running-job-config.json")),
        hasEntry("source", "REPLAY"));
    assertThat(
        FlinkJobs.parsePipelineOptions(json("running-job-config.json")),
        hasEntry("jobName", "order-revenue"));
  }

  @Test
  void savepointInProgressIsNotDone() {
    FlinkJobs.Savepoint savepoint = FlinkJobs.parseSavepoint(json("savepoint-in-progress.json"));

    assertThat(savepoint.done(), is(false));
    assertThat(savepoint.failed(), is(false));
  }

  @Test
  void completedSavepointHasItsLocation() {
    FlinkJobs.Savepoint savepoint = FlinkJobs.parseSavepoint(json("savepoint-completed.json"));

    assertThat(savepoint.done(), is(true));
    assertThat(savepoint.failed(), is(false));
    assertThat(
        savepoint.location(),
        is("file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000"));
  }

  @Test
  void failedSavepointGivesFlinksCausesWithoutTheFutureWrappers() {
    FlinkJobs.Savepoint savepoint = FlinkJobs.parseSavepoint(json("savepoint-failed.json"));

    assertThat(savepoint.failed(), is(true));
    assertThat(
        savepoint.failure(),
        contains(
            "org.apache.flink.runtime.checkpoint.CheckpointException: An Exception occurred while"
                + " triggering the checkpoint. IO-problem detected.",
            "java.io.IOException: Failed to create savepoint directory at"
                + " file:/proc/kappa-denied"));
  }

  @Test
  void errorAnswersGiveFlinksReasonWithoutTheStackTrace() {
    assertThat(
        FlinkJobs.flinkReason(resource("job-not-found.json")),
        is("Job 00000000000000000000000000000000 not found"));
    assertThat(
        FlinkJobs.flinkReason(resource("cancel-finished-job.json")),
        is(
            "Job cancellation failed because the job has already reached another terminal state"
                + " (FINISHED)."));
    assertThat(FlinkJobs.flinkReason("Service Unavailable"), is("Service Unavailable"));
  }

  @Test
  void clusterOverviewCountsTaskManagersAndSlots() {
    assertThat(
        FlinkJobs.parseOverview(json("overview.json")),
        equalTo(new FlinkJobs.ClusterOverview("1.19.0", 2, 4, 2)));
  }
}
