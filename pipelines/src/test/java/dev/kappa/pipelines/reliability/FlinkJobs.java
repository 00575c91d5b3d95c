package dev.kappa.pipelines.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/**
 * The job-control half of Flink's REST API, as an operator uses it: find a job by name, watch its
 * tasks and checkpoints, stop it with a savepoint, cancel it, read its exceptions and metrics.
 * ({@code FlinkCluster} covers the cluster half: TaskManagers and slots.)
 */
final class FlinkJobs {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Task states that count as up: a finished bounded part does not hold a job back. */
  private static final Set<String> UP = Set.of("RUNNING", "FINISHED");

  private final URI baseUrl;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  FlinkJobs(URI baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** The newest job named {@code name}, if the cluster knows one. */
  Optional<String> jobNamed(String name) {
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      if (job.path("name").asText().equals(name) && job.path("start-time").asLong() > newestStart) {
        newest = job.path("jid").asText();
        newestStart = job.path("start-time").asLong();
      }
    }
    return Optional.ofNullable(newest);
  }

  /** The job's state: RUNNING, FINISHED, CANCELED, FAILED... */
  String state(String jobId) {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /**
   * Whether the job is RUNNING with every task RUNNING (or FINISHED): deployed, its state restored,
   * processing. The job's own state stays RUNNING during a regional failover, so the tasks decide.
   */
  boolean allTasksUp(String jobId) {
    JsonNode job = get("/jobs/" + jobId);
    if (!job.path("state").asText().equals("RUNNING")) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!UP.contains(vertex.path("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /** The highest parallelism among the job's operators: the job's {@code --parallelism}. */
  int parallelism(String jobId) {
    int highest = 0;
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      highest = Math.max(highest, vertex.path("parallelism").asInt());
    }
    return highest;
  }

  /**
   * The number of key groups of the job's operators ({@code --maxParallelism}), which a restore
   * must keep; fails if the operators disagree.
   */
  int maxParallelism(String jobId) {
    Set<Integer> values = new TreeSet<>();
    JsonNode job = get("/jobs/" + jobId);
    for (JsonNode vertex : job.path("vertices")) {
      values.add(vertex.path("maxParallelism").asInt(job.path("maxParallelism").asInt(-1)));
    }
    if (values.size() != 1) {
      throw new AssertionError("operators of " + jobId + " with max parallelism " + values);
    }
    return values.iterator().next();
  }

  /** Per TaskManager resource id, how many of the job's subtasks run there. */
  Map<String, Integer> subtasksByTaskManager(String jobId) {
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      JsonNode detail = get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText());
      for (JsonNode subtask : detail.path("subtasks")) {
        counts.merge(subtask.path("taskmanager-id").asText(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** {@code GET /jobs/:id/checkpoints}. */
  Checkpoints checkpoints(String jobId) {
    JsonNode stats = get("/jobs/" + jobId + "/checkpoints");
    JsonNode latest = stats.path("latest").path("completed");
    JsonNode restored = stats.path("latest").path("restored");
    return new Checkpoints(
        stats.path("counts").path("completed").asLong(),
        latest.isObject() ? latest.path("id").asLong() : -1,
        restored.isObject() ? restored.path("external_path").asText() : null);
  }

  /**
   * When the JobManager recorded each failure of the job at or after {@code since} (its exception
   * history: one entry per failure, each followed by a restart while the strategy allows).
   */
  List<Instant> failuresSince(String jobId, Instant since) {
    List<Instant> failures = new ArrayList<>();
    for (JsonNode entry :
        get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
      Instant at = Instant.ofEpochMilli(entry.path("timestamp").asLong());
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
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      JsonNode times =
          get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasktimes");
      for (JsonNode subtask : times.path("subtasks")) {
        latest =
            Math.max(latest, subtask.path("timestamps").path("RUNNING").asLong(Long.MIN_VALUE));
      }
    }
    return Instant.ofEpochMilli(latest);
  }

  /**
   * The first checkpoint triggered at or after {@code since} that completed: when it was
   * acknowledged by every task, from the checkpoint history.
   */
  Optional<Instant> firstCheckpointCompletedSince(String jobId, Instant since) {
    Instant first = null;
    Instant firstTrigger = null;
    for (JsonNode checkpoint : get("/jobs/" + jobId + "/checkpoints").path("history")) {
      Instant trigger = Instant.ofEpochMilli(checkpoint.path("trigger_timestamp").asLong());
      if (checkpoint.path("status").asText().equals("COMPLETED")
          && !trigger.isBefore(since)
          && (firstTrigger == null || trigger.isBefore(firstTrigger))) {
        firstTrigger = trigger;
        first = Instant.ofEpochMilli(checkpoint.path("latest_ack_timestamp").asLong());
      }
    }
    return Optional.ofNullable(first);
  }

  /**
   * Stops the job with a savepoint, without draining ({@code POST /jobs/:id/stop}), and returns the
   * savepoint's location once it is complete.
   */
  String stopWithSavepoint(String jobId, Duration timeout) {
    JsonNode trigger = send("POST", "/jobs/" + jobId + "/stop", "{\"drain\": false}");
    String requestId = trigger.path("request-id").asText();
    return await(
        "the savepoint of job " + jobId,
        timeout,
        () -> {
          JsonNode status = get("/jobs/" + jobId + "/savepoints/" + requestId);
          if (!status.path("status").path("id").asText().equals("COMPLETED")) {
            return null;
          }
          JsonNode operation = status.path("operation");
          if (operation.has("failure-cause")) {
            throw new AssertionError(
                "stop-with-savepoint of job "
                    + jobId
                    + " failed: "
                    + operation.get("failure-cause"));
          }
          return operation.path("location").asText();
        });
  }

  /** Cancels the job ({@code PATCH /jobs/:id?mode=cancel}) unless it has ended already. */
  void cancel(String jobId) {
    String state = state(jobId);
    if (Set.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
      return;
    }
    send("PATCH", "/jobs/" + jobId + "?mode=cancel", null);
  }

  /** The job's root exception and the history of its exceptions, as one text. */
  String exceptions(String jobId) {
    JsonNode exceptions = get("/jobs/" + jobId + "/exceptions");
    StringBuilder text = new StringBuilder(exceptions.path("root-exception").asText(""));
    for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
      text.append('\n').append(entry.path("stacktrace").asText(""));
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
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String base =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> ids = new ArrayList<>();
      for (JsonNode metric : get(base)) {
        String id = metric.path("id").asText();
        if (id.contains(contains) && suffixes.stream().anyMatch(id::endsWith)) {
          ids.add(id);
        }
      }
      if (ids.isEmpty()) {
        continue;
      }
      for (JsonNode value :
          get(
              base
                  + "?agg=sum&get="
                  + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8))) {
        String id = value.path("id").asText();
        for (String suffix : suffixes) {
          if (id.endsWith(suffix)) {
            sums.merge(suffix, (long) value.path("sum").asDouble(), Long::sum);
          }
        }
      }
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

  private JsonNode get(String path) {
    return send("GET", path, null);
  }

  private JsonNode send(String method, String path, String body) {
    URI uri = baseUrl.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + uri, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + uri + " answered " + response.statusCode() + ": " + response.body());
    }
    try {
      return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON from " + uri + ": " + response.body(), e);
    }
  }
}
