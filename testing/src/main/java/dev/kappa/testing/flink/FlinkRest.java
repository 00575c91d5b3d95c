package dev.kappa.testing.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few calls of Flink's REST API (the JobManager's, on rest.port) that the cluster needs. */
final class FlinkRest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final URI baseUrl;
  private final HttpClient client;

  FlinkRest(URI baseUrl) {
    this.baseUrl = baseUrl;
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** {@code GET /overview}: TaskManagers, slots and job counts. */
  FlinkCluster.Overview overview() {
    Map<String, Object> overview = Json.parseObject(get("/overview"));
    return new FlinkCluster.Overview(
        intValue(overview, "taskmanagers"),
        intValue(overview, "slots-total"),
        intValue(overview, "slots-available"),
        intValue(overview, "jobs-running"),
        intValue(overview, "jobs-finished"),
        intValue(overview, "jobs-cancelled"),
        intValue(overview, "jobs-failed"),
        String.valueOf(overview.get("flink-version")));
  }

  /** {@code GET /jobs/overview}: every job the cluster knows, newest first. */
  List<FlinkCluster.Job> jobs() {
    List<FlinkCluster.Job> jobs = new ArrayList<>();
    for (Object element : list(Json.parseObject(get("/jobs/overview")), "jobs")) {
      Map<String, Object> job = map(element);
      jobs.add(
          new FlinkCluster.Job(
              String.valueOf(job.get("jid")),
              String.valueOf(job.get("name")),
              String.valueOf(job.get("state")),
              Instant.ofEpochMilli(longValue(job, "start-time")),
              Duration.ofMillis(Math.max(0, longValue(job, "duration")))));
    }
    jobs.sort((a, b) -> b.startTime().compareTo(a.startTime()));
    return jobs;
  }

  /** {@code GET /taskmanagers}: the registered TaskManagers' resource ids and slot counts. */
  Map<String, Integer> taskManagerSlots() {
    Map<String, Integer> slots = new java.util.TreeMap<>();
    for (Object element : list(Json.parseObject(get("/taskmanagers")), "taskmanagers")) {
      Map<String, Object> taskManager = map(element);
      slots.put(String.valueOf(taskManager.get("id")), intValue(taskManager, "slotsNumber"));
    }
    return slots;
  }

  private String get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(TIMEOUT).GET().build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + baseUrl.resolve(path) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during GET " + baseUrl.resolve(path), e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET "
              + baseUrl.resolve(path)
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return response.body();
  }

  private static List<?> list(Map<String, Object> object, String key) {
    Object value = object.get(key);
    if (!(value instanceof List)) {
      throw new IllegalStateException("Expected a list at '" + key + "' in " + object);
    }
    return (List<?>) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalStateException("Expected a JSON object, got " + value);
    }
    return (Map<String, Object>) value;
  }

  private static int intValue(Map<String, Object> object, String key) {
    return Math.toIntExact(longValue(object, key));
  }

  private static long longValue(Map<String, Object> object, String key) {
    Object value = object.get(key);
    if (!(value instanceof Number)) {
      throw new IllegalStateException("Expected a number at '" + key + "' in " + object);
    }
    return ((Number) value).longValue();
  }
}
