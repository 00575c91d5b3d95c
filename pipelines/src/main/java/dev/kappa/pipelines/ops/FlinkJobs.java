package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.annotation.Nullable;

/**
 * The Flink REST API of a session cluster's JobManager ({@code --flinkMaster}, the address the
 * FlinkRunner submits to): jobs, their vertices (operator chains), checkpoints, watermarks and
 * metrics, and stopping them with a savepoint or cancelling them.
 *
 * <pre>{@code
 * FlinkJobs flink = FlinkJobs.at("localhost:8081");
 * String trigger = flink.stopWithSavepoint(jobId, null, false);
 * FlinkJobs.Savepoint savepoint = flink.savepoint(jobId, trigger);   // poll until done()
 * }</pre>
 *
 * <p>Failures are unchecked: {@link UnreachableException} when nothing answers at the address, and
 * {@link RestException} with Flink's own reason when the API answers with an error.
 */
public final class FlinkJobs {

  /** The REST port of a JobManager when {@code --flinkMaster} names none (Flink's rest.port). */
  static final int DEFAULT_PORT = 8081;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final HttpClient http;

  private FlinkJobs(URI url) {
    this.url = url;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /**
   * The REST API at {@code flinkMaster}: {@code host:port}, {@code host} (port 8081) or an {@code
   * http://} URL.
   *
   * @throws IllegalArgumentException for {@code [local]}, {@code [auto]} or a malformed address
   */
  public static FlinkJobs at(String flinkMaster) {
    return new FlinkJobs(restUrl(flinkMaster));
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
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--flinkMaster must be host:port, e.g. localhost:8081, was '" + master + "'", e);
    }
  }

  /** The REST API's base URL, e.g. {@code http://localhost:8081}. */
  public URI url() {
    return url;
  }

  // ---- Jobs ---------------------------------------------------------------------------------

  /** {@code GET /overview}: TaskManagers, slots and the Flink version. */
  public ClusterOverview overview() {
    return parseOverview(get("/overview"));
  }

  /** {@code GET /jobs/overview}: every job the cluster remembers, newest first. */
  public List<Job> jobs() {
    return parseJobs(get("/jobs/overview"));
  }

  /** {@code GET /jobs/:id}: the job and its vertices; empty if the cluster does not know it. */
  public Optional<JobDetails> job(String jobId) {
    try {
      return Optional.of(parseJobDetails(get("/jobs/" + jobId)));
    } catch (RestException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * {@code GET /jobs/:id/config}: the Beam pipeline options the job was submitted with, as the
   * FlinkRunner records them (list values are recorded as empty strings).
   */
  public Map<String, String> pipelineOptions(String jobId) {
    return parsePipelineOptions(get("/jobs/" + jobId + "/config"));
  }

  /** {@code GET /jobs/:id/checkpoints}: counts, the last completed one, the restore. */
  public Checkpoints checkpoints(String jobId) {
    return parseCheckpoints(get("/jobs/" + jobId + "/checkpoints"));
  }

  /**
   * {@code GET /jobs/:id/accumulators}: after a job ended, the final values of its Beam metrics
   * (see {@link BeamMetrics#fromAccumulators}).
   */
  public JsonNode accumulators(String jobId) {
    return get("/jobs/" + jobId + "/accumulators");
  }

  /** The job's restarts ({@code numRestarts}); empty once the job has ended. */
  public OptionalLong restarts(String jobId) {
    Map<String, String> metrics = metricValues(get("/jobs/" + jobId + "/metrics?get=numRestarts"));
    String restarts = metrics.get("numRestarts");
    return restarts == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(restarts));
  }

  // ---- Vertices -----------------------------------------------------------------------------

  /**
   * The lowest current input watermark over the vertex's subtasks (epoch millis); empty if none
   * reports one (sources, ended vertices).
   */
  public OptionalLong inputWatermark(String jobId, String vertexId) {
    return parseWatermark(get("/jobs/" + jobId + "/vertices/" + vertexId + "/watermarks"));
  }

  /**
   * Task metrics of a vertex summed over its subtasks, e.g. {@code numRecordsInPerSecond}; metrics
   * no subtask reports are missing.
   */
  public Map<String, Double> summedTaskMetrics(String jobId, String vertexId, List<String> names) {
    JsonNode metrics =
        get(
            "/jobs/"
                + jobId
                + "/vertices/"
                + vertexId
                + "/subtasks/metrics?agg=sum&get="
                + encode(String.join(",", names)));
    Map<String, Double> sums = new LinkedHashMap<>();
    for (JsonNode metric : metrics) {
      if (metric.has("sum")) {
        sums.put(metric.path("id").asText(), metric.path("sum").asDouble());
      }
    }
    return sums;
  }

  /**
   * The ids of every metric of a vertex's subtasks, {@code <subtask>.<metric>} or {@code
   * <subtask>.<operator>.<metric>}.
   */
  public List<String> metricIds(String jobId, String vertexId) {
    List<String> ids = new ArrayList<>();
    for (JsonNode metric : get("/jobs/" + jobId + "/vertices/" + vertexId + "/metrics")) {
      ids.add(metric.path("id").asText());
    }
    return ids;
  }

  /** The current values of the given metric ids of a vertex, as Flink renders them. */
  public Map<String, String> metricValues(String jobId, String vertexId, List<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    return metricValues(
        get(
            "/jobs/"
                + jobId
                + "/vertices/"
                + vertexId
                + "/metrics?get="
                + encode(String.join(",", ids))));
  }

  // ---- Stopping -----------------------------------------------------------------------------

  /**
   * {@code POST /jobs/:id/stop}: triggers a savepoint after which the job finishes; returns the
   * trigger id to poll with {@link #savepoint}.
   *
   * @param targetDirectory where the savepoint goes; null for the cluster's {@code
   *     state.savepoints.dir}
   * @param drain whether the sources first emit the maximum watermark, so that every window fires
   *     and every timer runs: for ending a job for good, not for resuming it
   */
  public String stopWithSavepoint(String jobId, @Nullable String targetDirectory, boolean drain) {
    ObjectNode body = JSON.createObjectNode();
    if (targetDirectory != null) {
      body.put("targetDirectory", targetDirectory);
    }
    body.put("drain", drain);
    JsonNode answer = send("POST", "/jobs/" + jobId + "/stop", body.toString());
    return answer.path("request-id").asText();
  }

  /** {@code GET /jobs/:id/savepoints/:triggerid}: how the savepoint is getting on. */
  public Savepoint savepoint(String jobId, String triggerId) {
    return parseSavepoint(get("/jobs/" + jobId + "/savepoints/" + triggerId));
  }

  /** {@code PATCH /jobs/:id?mode=cancel}: cancels the job, without a savepoint. */
  public void cancel(String jobId) {
    send("PATCH", "/jobs/" + jobId + "?mode=cancel", null);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private JsonNode get(String path) {
    return send("GET", path, null);
  }

  private JsonNode send(String method, String path, @Nullable String body) {
    URI uri = url.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UnreachableException(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during " + method + " " + uri, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new RestException(
          response.statusCode(), method + " " + uri, flinkReason(response.body()));
    }
    try {
      String text = response.body();
      return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new RestException(
          response.statusCode(), method + " " + uri, "the answer is not JSON: " + e.getMessage());
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- Parsing Flink's JSON (package-private for tests on captured answers) -----------------

  static ClusterOverview parseOverview(JsonNode overview) {
    return new ClusterOverview(
        overview.path("flink-version").asText(),
        overview.path("taskmanagers").asInt(),
        overview.path("slots-total").asInt(),
        overview.path("slots-available").asInt());
  }

  static List<Job> parseJobs(JsonNode overview) {
    List<Job> jobs = new ArrayList<>();
    for (JsonNode job : overview.path("jobs")) {
      jobs.add(parseJob(job));
    }
    jobs.sort(Comparator.comparingLong(Job::startTimeMillis).reversed());
    return jobs;
  }

  private static Job parseJob(JsonNode job) {
    return new Job(
        job.path("jid").asText(),
        job.path("name").asText(),
        job.path("state").asText(),
        job.path("start-time").asLong(),
        Math.max(0, job.path("duration").asLong()));
  }

  static JobDetails parseJobDetails(JsonNode details) {
    List<Vertex> vertices = new ArrayList<>();
    for (JsonNode vertex : details.path("vertices")) {
      JsonNode metrics = vertex.path("metrics");
      vertices.add(
          new Vertex(
              vertex.path("id").asText(),
              vertex.path("name").asText(),
              vertex.path("parallelism").asInt(),
              vertex.path("status").asText(),
              metrics.path("read-records").asLong(),
              metrics.path("write-records").asLong()));
    }
    return new JobDetails(parseJob(details), List.copyOf(vertices));
  }

  static Map<String, String> parsePipelineOptions(JsonNode config) {
    Map<String, String> options = new LinkedHashMap<>();
    config
        .path("execution-config")
        .path("user-config")
        .fields()
        .forEachRemaining(field -> options.put(field.getKey(), field.getValue().asText()));
    return options;
  }

  static Checkpoints parseCheckpoints(JsonNode checkpoints) {
    JsonNode counts = checkpoints.path("counts");
    JsonNode latest = checkpoints.path("latest");
    JsonNode restored = latest.path("restored");
    JsonNode failed = latest.path("failed");
    return new Checkpoints(
        counts.path("completed").asLong(),
        counts.path("failed").asLong(),
        counts.path("in_progress").asLong(),
        checkpoint(latest.path("completed")),
        checkpoint(latest.path("savepoint")),
        failed.isObject()
            ? new Failure(
                failed.path("id").asLong(),
                failed.path("is_savepoint").asBoolean(),
                failed.path("failure_timestamp").asLong(),
                failed.path("failure_message").asText())
            : null,
        restored.isObject()
            ? new Restore(
                restored.path("id").asLong(),
                restored.path("is_savepoint").asBoolean(),
                restored.path("restore_timestamp").asLong(),
                textOrNull(restored.path("external_path")))
            : null);
  }

  private static @Nullable Checkpoint checkpoint(JsonNode completed) {
    if (!completed.isObject()) {
      return null;
    }
    return new Checkpoint(
        completed.path("id").asLong(),
        completed.path("is_savepoint").asBoolean(),
        completed.path("latest_ack_timestamp").asLong(),
        completed.has("checkpointed_size")
            ? completed.path("checkpointed_size").asLong()
            : completed.path("state_size").asLong(),
        completed.path("end_to_end_duration").asLong(),
        textOrNull(completed.path("external_path")));
  }

  static OptionalLong parseWatermark(JsonNode watermarks) {
    OptionalLong lowest = OptionalLong.empty();
    for (JsonNode subtask : watermarks) {
      long value = Long.parseLong(subtask.path("value").asText());
      if (lowest.isEmpty() || value < lowest.getAsLong()) {
        lowest = OptionalLong.of(value);
      }
    }
    return lowest;
  }

  static Map<String, String> metricValues(JsonNode metrics) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode metric : metrics) {
      values.put(metric.path("id").asText(), metric.path("value").asText());
    }
    return values;
  }

  static Savepoint parseSavepoint(JsonNode status) {
    boolean done = status.path("status").path("id").asText().equals("COMPLETED");
    JsonNode operation = status.path("operation");
    JsonNode failure = operation.path("failure-cause");
    List<String> causes =
        failure.isObject() ? causes(failure.path("stack-trace").asText()) : List.of();
    return new Savepoint(done, textOrNull(operation.path("location")), causes);
  }

  /**
   * The messages of a Java stack trace's exception and its causes, outermost first, without the
   * {@code CompletionException} wrappers that only carry another exception.
   */
  static List<String> causes(String stackTrace) {
    List<String> causes = new ArrayList<>();
    String[] lines = stackTrace.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == 0 || line.startsWith("Caused by: ")) {
        String cause = line.replaceFirst("^Caused by: ", "").strip();
        if (!cause.isEmpty() && !cause.startsWith("java.util.concurrent.CompletionException")) {
          causes.add(cause);
        }
      }
    }
    return causes;
  }

  /**
   * The first line of Flink's error answer ({@code {"errors": ["...RestHandlerException: reason\n
   * at ..."]}}) without the handler's exception class, or the body itself.
   */
  static String flinkReason(String body) {
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      if (errors.isArray() && errors.size() > 0) {
        String first = errors.get(0).asText().split("\n", 2)[0].strip();
        return first.replaceFirst("^[\\w.$]+(Exception|Error): ", "");
      }
    } catch (JsonProcessingException e) {
      // not JSON: the body as it is
    }
    return body == null ? "" : body.strip();
  }

  private static @Nullable String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
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

  /**
   * A savepoint operation: done, and then either its {@code location} or the {@code failure} causes
   * Flink reported, outermost first.
   */
  public record Savepoint(boolean done, @Nullable String location, List<String> failure) {
    /** Whether it completed without a location: it failed. */
    public boolean failed() {
      return done && location == null;
    }
  }

  /** Nothing answers at the REST address: no cluster, or not there. */
  public static final class UnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreachableException(URI url, Exception cause) {
      super(
          "cannot reach the Flink REST API at "
              + url
              + " ("
              + describe(cause)
              + "): is the cluster running there? (scripts/flink-cluster.sh status;"
              + " --flinkMaster=host:port chooses another)",
          cause);
    }

    /** The first message in the cause chain ({@code Connection refused}), or the class name. */
    private static String describe(Throwable cause) {
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
          return t.getMessage();
        }
      }
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof java.net.ConnectException) {
          return "connection refused";
        }
      }
      return cause.getClass().getSimpleName();
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
}
