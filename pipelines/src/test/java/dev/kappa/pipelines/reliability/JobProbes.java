package dev.kappa.pipelines.reliability;

import dev.kappa.pipelines.ops.FlinkRestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.JobVertexDetailsHeaders;
import org.apache.flink.runtime.rest.messages.ResponseBody;
import org.apache.flink.runtime.rest.messages.SubtasksTimesHeaders;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.SubtaskExecutionAttemptDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetric;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsHeaders;
import org.apache.flink.runtime.rest.util.RestMapperUtils;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * What the reliability tests ask of a running job, as an operator would: find a job by name, watch
 * its tasks and checkpoints, stop it with a savepoint, cancel it, read its exceptions and metrics.
 * The asking is {@link FlinkRestClient}'s (Flink's own REST client and message types); these are
 * only the tests' questions over its answers. ({@code FlinkCluster} covers the cluster half:
 * TaskManagers and slots.)
 */
final class JobProbes implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);

  /** Task states that count as up: a finished bounded part does not hold a job back. */
  private static final Set<String> UP = Set.of("RUNNING", "FINISHED");

  private final FlinkRestClient flink;

  JobProbes(String flinkMaster) {
    this.flink = FlinkRestClient.at(flinkMaster);
  }

  @Override
  public void close() {
    flink.close();
  }

  /** The newest job named {@code name}, if the cluster knows one. */
  Optional<String> jobNamed(String name) {
    return flink.jobs().stream()
        .filter(job -> job.name().equals(name))
        .map(FlinkRestClient.Job::id)
        .findFirst();
  }

  /** The job's state: RUNNING, FINISHED, CANCELED, FAILED... */
  String state(String jobId) {
    return details(jobId).job().state();
  }

  /**
   * Whether the job is RUNNING with every task RUNNING (or FINISHED): deployed, its state restored,
   * processing. The job's own state stays RUNNING during a regional failover, so the tasks decide.
   */
  boolean allTasksUp(String jobId) {
    FlinkRestClient.JobDetails details = details(jobId);
    return details.job().state().equals("RUNNING")
        && details.vertices().stream().allMatch(vertex -> UP.contains(vertex.status()));
  }

  /** The highest parallelism among the job's operators: the job's {@code --parallelism}. */
  int parallelism(String jobId) {
    return details(jobId).vertices().stream()
        .mapToInt(FlinkRestClient.Vertex::parallelism)
        .max()
        .orElse(0);
  }

  /**
   * The number of key groups of the job's operators ({@code --maxParallelism}), which a restore
   * must keep; fails if the operators disagree.
   */
  int maxParallelism(String jobId) {
    Set<Integer> values = new TreeSet<>();
    for (JobDetailsInfo.JobVertexDetailsInfo vertex :
        flink.send(JobDetailsHeaders.getInstance(), job(jobId)).getJobVertexInfos()) {
      values.add(vertex.getMaxParallelism());
    }
    if (values.size() != 1) {
      throw new AssertionError("operators of " + jobId + " with max parallelism " + values);
    }
    return values.iterator().next();
  }

  /** Per TaskManager resource id, how many of the job's subtasks run there. */
  Map<String, Integer> subtasksByTaskManager(String jobId) {
    Map<String, Integer> counts = new TreeMap<>();
    for (FlinkRestClient.Vertex vertex : details(jobId).vertices()) {
      for (SubtaskExecutionAttemptDetailsInfo subtask :
          flink
              .send(JobVertexDetailsHeaders.getInstance(), vertex(jobId, vertex.id()))
              .getSubtasks()) {
        counts.merge(subtask.getTaskmanagerId(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** {@code GET /jobs/:id/checkpoints}, the parts the tests look at. */
  Checkpoints checkpoints(String jobId) {
    FlinkRestClient.Checkpoints checkpoints = flink.checkpoints(jobId);
    return new Checkpoints(
        checkpoints.completed(),
        checkpoints.lastCompleted() == null ? -1 : checkpoints.lastCompleted().id(),
        checkpoints.restored() == null ? null : checkpoints.restored().path());
  }

  /**
   * When the JobManager recorded each failure of the job at or after {@code since} (its exception
   * history: one entry per failure, each followed by a restart while the strategy allows).
   */
  List<Instant> failuresSince(String jobId, Instant since) {
    List<Instant> failures = new ArrayList<>();
    for (JobExceptionsInfoWithHistory.RootExceptionInfo entry : exceptionHistory(jobId)) {
      Instant at = Instant.ofEpochMilli(entry.getTimestamp());
      if (!at.isBefore(since)) {
        failures.add(at);
      }
    }
    failures.sort(null);
    return failures;
  }

  /**
   * When the last of the job's current task attempts switched to RUNNING, by the JobManager's own
   * timestamps ({@code /vertices/:id/subtasktimes}): after a restart, when processing resumed.
   */
  Instant tasksRunningSince(String jobId) {
    long latest = Long.MIN_VALUE;
    for (FlinkRestClient.Vertex vertex : details(jobId).vertices()) {
      // Flink 1.19's SubtasksTimesInfo has no getters: its fields are read as the JSON it makes.
      JsonNode times =
          asJson(flink.send(SubtasksTimesHeaders.getInstance(), vertex(jobId, vertex.id())));
      for (JsonNode subtask : times.path("subtasks")) {
        latest =
            Math.max(
                latest,
                subtask
                    .path("timestamps")
                    .path(ExecutionState.RUNNING.name())
                    .asLong(Long.MIN_VALUE));
      }
    }
    return Instant.ofEpochMilli(latest);
  }

  /**
   * The first checkpoint triggered at or after {@code since} that completed: when it was
   * acknowledged by every task, from the checkpoint history.
   */
  Optional<Instant> firstCheckpointCompletedSince(String jobId, Instant since) {
    CheckpointingStatistics statistics =
        flink.send(CheckpointingStatisticsHeaders.getInstance(), job(jobId));
    return statistics.getHistory().stream()
        .filter(checkpoint -> checkpoint.getStatus() == CheckpointStatsStatus.COMPLETED)
        .filter(
            checkpoint -> !Instant.ofEpochMilli(checkpoint.getTriggerTimestamp()).isBefore(since))
        .min((a, b) -> Long.compare(a.getTriggerTimestamp(), b.getTriggerTimestamp()))
        .map(CheckpointStatistics::getLatestAckTimestamp)
        .map(Instant::ofEpochMilli);
  }

  /**
   * Stops the job with a savepoint, without draining, and returns the savepoint's location once it
   * is complete.
   */
  String stopWithSavepoint(String jobId, Duration timeout) {
    try {
      return flink.stopWithSavepoint(jobId, null, false, timeout);
    } catch (FlinkRestClient.SavepointFailedException e) {
      throw new AssertionError("stop-with-savepoint of job " + jobId + " failed: " + e.causes(), e);
    }
  }

  /** Cancels the job unless it has ended already. */
  void cancel(String jobId) {
    if (Set.of("FINISHED", "CANCELED", "FAILED").contains(state(jobId))) {
      return;
    }
    flink.cancel(jobId);
  }

  /** The job's root exception and the history of its exceptions, as one text. */
  String exceptions(String jobId) {
    JobExceptionsInfoWithHistory exceptions =
        flink.send(JobExceptionsHeaders.getInstance(), job(jobId));
    StringBuilder text =
        new StringBuilder(
            exceptions.getRootException() == null ? "" : exceptions.getRootException());
    for (JobExceptionsInfoWithHistory.RootExceptionInfo entry :
        exceptions.getExceptionHistory().getEntries()) {
      text.append('\n').append(entry.getStacktrace() == null ? "" : entry.getStacktrace());
    }
    return text.toString();
  }

  /**
   * For each of {@code suffixes}, the sum over all subtasks of all vertices of the task metrics
   * whose id contains {@code contains} and ends with that suffix. A Beam counter in namespace
   * {@code N} named {@code c} is a Flink metric of its operator ending in {@code N<separator>c}.
   */
  Map<String, Long> taskMetricSums(String jobId, String contains, List<String> suffixes) {
    Map<String, Long> sums = new LinkedHashMap<>();
    suffixes.forEach(suffix -> sums.put(suffix, 0L));
    for (FlinkRestClient.Vertex vertex : details(jobId).vertices()) {
      List<String> ids =
          flink
              .send(AggregatedSubtaskMetricsHeaders.getInstance(), vertex(jobId, vertex.id()))
              .getMetrics()
              .stream()
              .map(AggregatedMetric::getId)
              .filter(id -> id.contains(contains) && suffixes.stream().anyMatch(id::endsWith))
              .toList();
      if (ids.isEmpty()) {
        continue;
      }
      flink
          .summedTaskMetrics(jobId, vertex.id(), ids)
          .forEach(
              (id, sum) -> {
                for (String suffix : suffixes) {
                  if (id.endsWith(suffix)) {
                    sums.merge(suffix, sum.longValue(), Long::sum);
                  }
                }
              });
    }
    return sums;
  }

  /** Polls {@code probe} until it returns non-null, failing after {@code timeout}. */
  static <T> T await(String what, Duration timeout, Supplier<T> probe) {
    Instant deadline = Instant.now().plus(timeout);
    RuntimeException last = null;
    while (true) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
      }
      sleep(POLL);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@code GET /jobs/:id/checkpoints}, the parts the tests look at. */
  record Checkpoints(long completed, long latestId, String restoredFrom) {}

  private FlinkRestClient.JobDetails details(String jobId) {
    return flink
        .job(jobId)
        .orElseThrow(() -> new IllegalStateException("no job " + jobId + " at " + flink.url()));
  }

  private List<JobExceptionsInfoWithHistory.RootExceptionInfo> exceptionHistory(String jobId) {
    return flink
        .send(JobExceptionsHeaders.getInstance(), job(jobId))
        .getExceptionHistory()
        .getEntries();
  }

  private static JsonNode asJson(ResponseBody body) {
    return RestMapperUtils.getStrictObjectMapper().valueToTree(body);
  }

  private static Map<String, String> job(String jobId) {
    return Map.of("jobid", jobId);
  }

  private static Map<String, String> vertex(String jobId, String vertexId) {
    return Map.of("jobid", jobId, "vertexid", vertexId);
  }
}
