package dev.kappa.pipelines.ops;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import org.apache.flink.runtime.rest.messages.ConversionException;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobAccumulatorsHeaders;
import org.apache.flink.runtime.rest.messages.JobAccumulatorsInfo;
import org.apache.flink.runtime.rest.messages.JobConfigHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.JobsOverviewHeaders;
import org.apache.flink.runtime.rest.messages.MessageHeaders;
import org.apache.flink.runtime.rest.messages.MessageParameter;
import org.apache.flink.runtime.rest.messages.MessageParameters;
import org.apache.flink.runtime.rest.messages.ResponseBody;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetric;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobVertexMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobVertexWatermarksHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.Metric;
import org.apache.flink.runtime.rest.messages.job.metrics.MetricCollectionResponseBody;
import org.apache.flink.runtime.rest.util.RestClientException;
import org.apache.flink.util.SerializedThrowable;

/**
 * The REST API of a Flink session cluster's JobManager ({@code --flinkMaster}, the address the
 * FlinkRunner submits to): jobs, their vertices (operator chains), checkpoints, watermarks and
 * metrics, and stopping them with a savepoint or cancelling them.
 *
 * <p>Flink's own client does the talking: {@link RestClusterClient} with the REST API's message
 * headers, so that requests and answers are Flink's own types. This class chooses the calls, turns
 * the answers into the few values the {@code ops} commands and the tests show, and fails fast:
 * Flink's client would retry an unreachable address for a minute.
 *
 * <pre>{@code
 * try (FlinkRestClient flink = FlinkRestClient.at("localhost:8081")) {
 *   String savepoint = flink.stopWithSavepoint(jobId, null, false, Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>Failures are unchecked: {@link UnreachableException} when nothing answers at the address (or
 * not in time), and {@link RestException} with Flink's own reason when the API answers with an
 * error.
 */
public final class FlinkRestClient implements AutoCloseable {

  /** The REST port of a JobManager when {@code --flinkMaster} names none (Flink's rest.port). */
  static final int DEFAULT_PORT = 8081;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final Duration timeout;
  private final RestClusterClient<String> client;

  private FlinkRestClient(URI url, Duration timeout, RestClusterClient<String> client) {
    this.url = url;
    this.timeout = timeout;
    this.client = client;
  }

  /**
   * The REST API at {@code flinkMaster}: {@code host:port}, {@code host} (port 8081) or an {@code
   * http://} URL.
   *
   * @throws IllegalArgumentException for {@code [local]}, {@code [auto]} or a malformed address
   */
  public static FlinkRestClient at(String flinkMaster) {
    return at(flinkMaster, TIMEOUT);
  }

  /** {@link #at(String)}, giving up on a call after {@code timeout}. */
  static FlinkRestClient at(String flinkMaster, Duration timeout) {
    URI url = restUrl(flinkMaster);
    Configuration config = new Configuration();
    config.set(RestOptions.ADDRESS, url.getHost());
    config.set(RestOptions.PORT, url.getPort());
    config.set(SecurityOptions.SSL_REST_ENABLED, url.getScheme().equals("https"));
    config.set(RestOptions.RETRY_MAX_ATTEMPTS, 0);
    config.set(RestOptions.CONNECTION_TIMEOUT, timeout.toMillis());
    config.set(RestOptions.IDLENESS_TIMEOUT, timeout.toMillis());
    config.set(RestOptions.AWAIT_LEADER_TIMEOUT, timeout.toMillis());
    try {
      return new FlinkRestClient(url, timeout, new RestClusterClient<>(config, url.toString()));
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "cannot create a Flink REST client for " + url + ": " + e.getMessage(), e);
    }
  }

  static URI restUrl(String flinkMaster) {
    String master = flinkMaster == null ? "" : flinkMaster.trim();
    if (master.isEmpty() || master.startsWith("[")) {
      throw new IllegalArgumentException(
          "--flinkMaster must be the host:port of a JobManager's REST API, e.g. localhost:8081,"
              + " was '"
              + master
              + "' ([local] and [auto] have no REST API to reach)");
    }
    String address = master.replaceFirst("^https?://", "").replaceFirst("/+$", "");
    String scheme = master.startsWith("https://") ? "https" : "http";
    if (!address.contains(":")) {
      address = address + ":" + DEFAULT_PORT;
    }
    try {
      URI uri = new URI(scheme + "://" + address);
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw new IllegalArgumentException("no host and port");
      }
      return uri;
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--flinkMaster must be host:port, e.g. localhost:8081, was '" + master + "'", e);
    }
  }

  /** The REST API's base URL, e.g. {@code http://localhost:8081}. */
  public URI url() {
    return url;
  }

  @Override
  public void close() {
    client.close();
  }

  // ---- Cluster and jobs ---------------------------------------------------------------------

  /** {@code GET /overview}: TaskManagers, slots and the Flink version. */
  public ClusterOverview overview() {
    ClusterOverviewWithVersion overview = await("GET /overview", client.getClusterOverview());
    return new ClusterOverview(
        overview.getVersion(),
        overview.getNumTaskManagersConnected(),
        overview.getNumSlotsTotal(),
        overview.getNumSlotsAvailable());
  }

  /** {@code GET /jobs/overview}: every job the cluster remembers, newest first. */
  public List<Job> jobs() {
    return send(JobsOverviewHeaders.getInstance(), Map.of()).getJobs().stream()
        .map(
            job ->
                new Job(
                    job.getJobId().toString(),
                    job.getJobName(),
                    job.getStatus().name(),
                    job.getStartTime(),
                    Math.max(0, job.getDuration())))
        .sorted(Comparator.comparingLong(Job::startTimeMillis).reversed())
        .toList();
  }

  /** {@code GET /jobs/:id}: the job and its vertices; empty if the cluster does not know it. */
  public Optional<JobDetails> job(String jobId) {
    JobDetailsInfo details;
    try {
      details = await("GET /jobs/" + jobId, client.getJobDetails(JobID.fromHexString(jobId)));
    } catch (RestException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
    List<Vertex> vertices =
        details.getJobVertexInfos().stream()
            .map(
                vertex ->
                    new Vertex(
                        vertex.getJobVertexID().toString(),
                        vertex.getName(),
                        vertex.getParallelism(),
                        vertex.getExecutionState().name(),
                        vertex.getJobVertexMetrics().getRecordsRead(),
                        vertex.getJobVertexMetrics().getRecordsWritten()))
            .toList();
    Job job =
        new Job(
            details.getJobId().toString(),
            details.getName(),
            details.getJobStatus().name(),
            details.getStartTime(),
            Math.max(0, details.getDuration()));
    return Optional.of(new JobDetails(job, vertices));
  }

  /**
   * {@code GET /jobs/:id/config}: the Beam pipeline options the job was submitted with, as the
   * FlinkRunner records them (list values are recorded as empty strings).
   */
  public Map<String, String> pipelineOptions(String jobId) {
    Map<String, String> options =
        send(JobConfigHeaders.getInstance(), Map.of("jobid", jobId))
            .getExecutionConfigInfo()
            .getGlobalJobParameters();
    return options == null ? Map.of() : new LinkedHashMap<>(options);
  }

  /** {@code GET /jobs/:id/checkpoints}: counts, the last completed one, the restore. */
  public Checkpoints checkpoints(String jobId) {
    CheckpointingStatistics statistics =
        send(CheckpointingStatisticsHeaders.getInstance(), Map.of("jobid", jobId));
    CheckpointingStatistics.Counts counts = statistics.getCounts();
    CheckpointingStatistics.LatestCheckpoints latest = statistics.getLatestCheckpoints();
    CheckpointStatistics.FailedCheckpointStatistics failed = latest.getFailedCheckpointStatistics();
    CheckpointingStatistics.RestoredCheckpointStatistics restored =
        latest.getRestoredCheckpointStatistics();
    return new Checkpoints(
        counts.getNumberCompletedCheckpoints(),
        counts.getNumberFailedCheckpoints(),
        counts.getNumberInProgressCheckpoints(),
        checkpoint(latest.getCompletedCheckpointStatistics()),
        checkpoint(latest.getSavepointStatistics()),
        failed == null
            ? null
            : new Failure(
                failed.getId(),
                failed.isSavepoint(),
                failed.getFailureTimestamp(),
                failed.getFailureMessage()),
        restored == null
            ? null
            : new Restore(
                restored.getId(),
                restored.isSavepoint(),
                restored.getRestoreTimestamp(),
                restored.getExternalPath()));
  }

  private static @Nullable Checkpoint checkpoint(
      @Nullable CheckpointStatistics.CompletedCheckpointStatistics completed) {
    if (completed == null) {
      return null;
    }
    return new Checkpoint(
        completed.getId(),
        completed.isSavepoint(),
        completed.getLatestAckTimestamp(),
        completed.getCheckpointedSize(),
        completed.getDuration(),
        completed.getExternalPath());
  }

  /**
   * {@code GET /jobs/:id/accumulators}: the job's user accumulators by name, their values as Flink
   * renders them. After a job ended they hold the final values of its Beam metrics (see {@link
   * BeamMetrics#fromAccumulators}).
   */
  public Map<String, String> accumulators(String jobId) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JobAccumulatorsInfo.UserTaskAccumulator accumulator :
        send(JobAccumulatorsHeaders.getInstance(), Map.of("jobid", jobId)).getUserAccumulators()) {
      values.put(accumulator.getName(), accumulator.getValue());
    }
    return values;
  }

  /**
   * {@code GET /jobs/:id/exceptions}: the newest failure in the job's exception history (the one
   * that failed it, once it has FAILED), or empty if it has none or the cluster does not know the
   * job.
   */
  public Optional<JobFailure> lastFailure(String jobId) {
    JobExceptionsInfoWithHistory exceptions;
    try {
      exceptions = send(JobExceptionsHeaders.getInstance(), Map.of("jobid", jobId));
    } catch (RestException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
    return exceptions.getExceptionHistory().getEntries().stream()
        .max(Comparator.comparingLong(JobExceptionsInfoWithHistory.RootExceptionInfo::getTimestamp))
        .map(
            entry ->
                JobFailure.of(
                    entry.getTimestamp(),
                    entry.getTaskName(),
                    entry.getStacktrace() == null
                        ? entry.getExceptionName()
                        : entry.getStacktrace()));
  }

  /** The job's restarts ({@code numRestarts}); empty once the job has ended. */
  public OptionalLong restarts(String jobId) {
    String restarts =
        metricValues(
                send(JobMetricsHeaders.getInstance(), Map.of("jobid", jobId, "get", "numRestarts")))
            .get("numRestarts");
    return restarts == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(restarts));
  }

  // ---- Vertices -----------------------------------------------------------------------------

  /**
   * The lowest current input watermark over the vertex's subtasks (epoch millis); empty if none
   * reports one (sources, ended vertices).
   */
  public OptionalLong inputWatermark(String jobId, String vertexId) {
    return metricValues(send(JobVertexWatermarksHeaders.INSTANCE, vertex(jobId, vertexId)))
        .values()
        .stream()
        .mapToLong(Long::parseLong)
        .min();
  }

  /**
   * Task metrics of a vertex summed over its subtasks, e.g. {@code numRecordsInPerSecond}; metrics
   * no subtask reports are missing.
   */
  public Map<String, Double> summedTaskMetrics(String jobId, String vertexId, List<String> names) {
    Map<String, String> parameters = new LinkedHashMap<>(vertex(jobId, vertexId));
    parameters.put("agg", "sum");
    parameters.put("get", String.join(",", names));
    Map<String, Double> sums = new LinkedHashMap<>();
    for (AggregatedMetric metric :
        send(AggregatedSubtaskMetricsHeaders.getInstance(), parameters).getMetrics()) {
      if (metric.getSum() != null) {
        sums.put(metric.getId(), metric.getSum());
      }
    }
    return sums;
  }

  /**
   * The ids of every metric of a vertex's subtasks, {@code <subtask>.<metric>} or {@code
   * <subtask>.<operator>.<metric>}.
   */
  public List<String> metricIds(String jobId, String vertexId) {
    return send(JobVertexMetricsHeaders.getInstance(), vertex(jobId, vertexId))
        .getMetrics()
        .stream()
        .map(Metric::getId)
        .toList();
  }

  /** The current values of the given metric ids of a vertex, as Flink renders them. */
  public Map<String, String> metricValues(String jobId, String vertexId, List<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    Map<String, String> parameters = new LinkedHashMap<>(vertex(jobId, vertexId));
    parameters.put("get", String.join(",", ids));
    return metricValues(send(JobVertexMetricsHeaders.getInstance(), parameters));
  }

  private static Map<String, String> vertex(String jobId, String vertexId) {
    return Map.of("jobid", jobId, "vertexid", vertexId);
  }

  private static Map<String, String> metricValues(MetricCollectionResponseBody metrics) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Metric metric : metrics.getMetrics()) {
      values.put(metric.getId(), metric.getValue());
    }
    return values;
  }

  // ---- Stopping -----------------------------------------------------------------------------

  /**
   * {@code POST /jobs/:id/stop}, then polls {@code GET /jobs/:id/savepoints/:triggerid}: stops the
   * job with a savepoint, after which it finishes, and returns the savepoint's location.
   *
   * @param targetDirectory where the savepoint goes; null for the cluster's {@code
   *     state.savepoints.dir}
   * @param drain whether the sources first emit the maximum watermark, so that every window fires
   *     and every timer runs: for ending a job for good, not for resuming it
   * @throws SavepointFailedException if Flink reports the savepoint failed (the job keeps running)
   * @throws SavepointTimeoutException if it is still in progress after {@code timeout}
   */
  public String stopWithSavepoint(
      String jobId, @Nullable String targetDirectory, boolean drain, Duration timeout) {
    CompletableFuture<String> savepoint =
        client.stopWithSavepoint(
            JobID.fromHexString(jobId), drain, targetDirectory, SavepointFormatType.CANONICAL);
    try {
      return savepoint.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      savepoint.cancel(true);
      throw new SavepointTimeoutException(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping " + jobId, e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      // The failure Flink reported for the savepoint comes serialized; any other is the call's.
      if (cause instanceof SerializedThrowable) {
        throw new SavepointFailedException(causes(cause));
      }
      throw failure("POST /jobs/" + jobId + "/stop", cause);
    }
  }

  /** {@code PATCH /jobs/:id?mode=cancel}: cancels the job, without a savepoint. */
  public void cancel(String jobId) {
    await("PATCH /jobs/" + jobId + "?mode=cancel", client.cancel(JobID.fromHexString(jobId)));
  }

  // ---- Any other call -----------------------------------------------------------------------

  /**
   * Sends a request of the REST API without a body, e.g. {@code
   * send(JobExceptionsHeaders.getInstance(), Map.of("jobid", id))}: {@code parameters} are the path
   * and query parameters by their keys ({@code jobid}, {@code vertexid}, {@code get}...).
   */
  public <R extends ResponseBody, P extends MessageParameters> R send(
      MessageHeaders<EmptyRequestBody, R, P> headers, Map<String, String> parameters) {
    P resolved = headers.getUnresolvedMessageParameters();
    List<MessageParameter<?>> all =
        Stream.<MessageParameter<?>>concat(
                resolved.getPathParameters().stream(), resolved.getQueryParameters().stream())
            .toList();
    for (MessageParameter<?> parameter : all) {
      String value = parameters.get(parameter.getKey());
      if (value != null) {
        try {
          parameter.resolveFromString(value);
        } catch (ConversionException e) {
          throw new IllegalArgumentException(
              "not a value of " + parameter.getKey() + ": '" + value + "'", e);
        }
      }
    }
    String request =
        headers.getHttpMethod()
            + " "
            + MessageParameters.resolveUrl(headers.getTargetRestEndpointURL(), resolved);
    return await(request, client.sendRequest(headers, resolved, EmptyRequestBody.getInstance()));
  }

  private <T> T await(String request, CompletableFuture<T> call) {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new UnreachableException(url, "no answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during " + request + " at " + url, e);
    } catch (ExecutionException e) {
      throw failure(request, unwrap(e));
    }
  }

  private RuntimeException failure(String request, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof RestClientException rest) {
        return new RestException(
            rest.getHttpResponseStatus().code(),
            request + " at " + url,
            flinkReason(t.getMessage()));
      }
    }
    return new UnreachableException(url, describe(cause), cause);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The messages of an exception and its causes, outermost first, without the {@code
   * CompletionException} wrappers that only carry another exception.
   */
  static List<String> causes(Throwable failure) {
    List<String> causes = new ArrayList<>();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      // A SerializedThrowable's message may itself begin with its exception's class name.
      String cause =
          t.toString().split("\n", 2)[0].strip().replaceFirst("^([\\w.$]+): \\1: ", "$1: ");
      if (!cause.isEmpty() && !cause.startsWith("java.util.concurrent.CompletionException")) {
        causes.add(cause);
      }
    }
    return causes;
  }

  /**
   * The first line of Flink's error ({@code [...RestHandlerException: reason\n at ...]}, as Flink's
   * client renders the answer's {@code errors}) without the handler's exception class, or the text
   * itself.
   */
  static String flinkReason(@Nullable String errors) {
    if (errors == null) {
      return "";
    }
    String first = errors.strip().replaceFirst("^\\[", "").split("\n", 2)[0].strip();
    first = first.replaceFirst("\\]$", "");
    return first.replaceFirst("^[\\w.$]+(Exception|Error): ", "");
  }

  /** {@code connection refused}, else the first message in the cause chain, or the class name. */
  private static String describe(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "connection refused";
      }
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return cause.getClass().getSimpleName();
  }

  // ---- Values -------------------------------------------------------------------------------

  /** The cluster as {@code /overview} describes it. */
  public record ClusterOverview(
      String flinkVersion, int taskManagers, int slotsTotal, int slotsAvailable) {}

  /** One job: its id, name ({@code --jobName}), state, start time and duration in millis. */
  public record Job(
      String id, String name, String state, long startTimeMillis, long durationMillis) {

    /** Whether the job has not reached a terminal state (FINISHED, CANCELED, FAILED). */
    public boolean isActive() {
      return !(state.equals("FINISHED") || state.equals("CANCELED") || state.equals("FAILED"));
    }
  }

  /** A job and its vertices in the order of the job graph (sources first). */
  public record JobDetails(Job job, List<Vertex> vertices) {}

  /**
   * A vertex of the job graph: a chain of operators run by the same tasks. Records in and out are
   * those crossing the network to and from other vertices (a source reads none over it).
   */
  public record Vertex(
      String id, String name, int parallelism, String status, long recordsIn, long recordsOut) {}

  /**
   * A job's checkpoints: counts, the last completed checkpoint and savepoint, the last failure, and
   * the checkpoint or savepoint the job started from.
   */
  public record Checkpoints(
      long completed,
      long failed,
      long inProgress,
      @Nullable Checkpoint lastCompleted,
      @Nullable Checkpoint lastSavepoint,
      @Nullable Failure lastFailure,
      @Nullable Restore restored) {}

  /** A checkpoint or savepoint that failed, with Flink's message. */
  public record Failure(long id, boolean savepoint, long failedAtMillis, String message) {}

  /**
   * A failure of a job: when, in which task (none for a failure of the job as a whole, such as
   * missing slots), the exception's first line and that of its deepest cause.
   */
  public record JobFailure(
      long failedAtMillis, @Nullable String task, String exception, @Nullable String rootCause) {

    /** From an exception history entry: {@code stacktrace} is the whole printed trace. */
    static JobFailure of(long failedAtMillis, @Nullable String task, String stacktrace) {
      List<String> lines = stacktrace.lines().map(String::strip).toList();
      String exception = lines.isEmpty() ? "" : lines.get(0);
      String rootCause = null;
      for (String line : lines) {
        if (line.startsWith("Caused by: ")) {
          rootCause = line.substring("Caused by: ".length());
        }
      }
      return new JobFailure(failedAtMillis, task, exception, rootCause);
    }

    /** One line: the exception, its task, and its deepest cause if it has one. */
    public String describe() {
      return exception
          + (task == null ? "" : " (in " + task + ")")
          + (rootCause == null ? "" : "; caused by " + rootCause);
    }
  }

  /** A completed checkpoint or savepoint: its size in bytes and its duration in millis. */
  public record Checkpoint(
      long id,
      boolean savepoint,
      long completedAtMillis,
      long sizeBytes,
      long durationMillis,
      @Nullable String path) {}

  /** The checkpoint or savepoint a job started from. */
  public record Restore(long id, boolean savepoint, long restoredAtMillis, @Nullable String path) {}

  /** Nothing answers at the REST address: no cluster, or not there, or not in time. */
  public static final class UnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreachableException(URI url, String problem, Throwable cause) {
      super(
          "cannot reach the Flink REST API at "
              + url
              + " ("
              + problem
              + "): is the cluster running there? (scripts/flink-cluster.sh status;"
              + " --flinkMaster=host:port chooses another)",
          cause);
    }
  }

  /** The REST API answered with an error status; the message holds Flink's reason. */
  public static final class RestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String reason;

    RestException(int status, String request, String reason) {
      super(request + " answered " + status + ": " + reason);
      this.status = status;
      this.reason = reason;
    }

    /** The HTTP status. */
    public int status() {
      return status;
    }

    /** Flink's reason, without its stack trace. */
    public String reason() {
      return reason;
    }
  }

  /** Flink reported that a savepoint failed: its causes, outermost first. */
  public static final class SavepointFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> causes;

    SavepointFailedException(List<String> causes) {
      super("the savepoint failed: " + String.join("; caused by: ", causes));
      this.causes = List.copyOf(causes);
    }

    /** Flink's reasons, outermost first. */
    public List<String> causes() {
      return causes;
    }
  }

  /** A savepoint still in progress when the caller stopped waiting. */
  public static final class SavepointTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SavepointTimeoutException(Duration timeout) {
      super("the savepoint is still in progress after " + timeout.toSeconds() + " s");
    }
  }
}
