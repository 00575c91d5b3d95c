package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Prometheus's HTTP API ({@code /api/v1/...}), the few calls {@code kappa dashboard} and the tests
 * make: the JDK's HTTP client and Jackson, as for Flink's REST API, since Prometheus publishes no
 * Java client for its query API (its Java library is for exporting metrics).
 */
final class PrometheusApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI url;

  private PrometheusApi(URI url) {
    this.url = url;
  }

  /** The API of the Prometheus server at {@code url} ({@code http://host:port}, or host:port). */
  static PrometheusApi at(String url) {
    String withScheme = url.contains("://") ? url : "http://" + url;
    return new PrometheusApi(URI.create(withScheme.endsWith("/") ? withScheme : withScheme + "/"));
  }

  /** The server's address, as given. */
  URI url() {
    return url;
  }

  /**
   * The {@code data} of {@code GET /api/v1/<path>?<parameters>} ({@code name, value, ...}).
   *
   * @throws PrometheusException when the server cannot be reached or its answer is not a success
   */
  JsonNode get(String path, String... parameters) {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < parameters.length; i += 2) {
      query
          .append(i == 0 ? "?" : "&")
          .append(parameters[i])
          .append('=')
          .append(URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
    }
    URI request = url.resolve("api/v1/" + path + query);
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(request).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PrometheusException("cannot reach Prometheus at " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrometheusException("interrupted while asking Prometheus at " + url, e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new PrometheusException(
          url + " answered " + response.statusCode() + " to " + path + ", not Prometheus' JSON", e);
    }
    if (!"success".equals(body.path("status").asText())) {
      throw new PrometheusException(
          "Prometheus answered "
              + response.statusCode()
              + " to "
              + path
              + query
              + ": "
              + body.path("error").asText(body.toString()),
          null);
    }
    return body.get("data");
  }

  /**
   * A range query from {@code start} to {@code end} every {@code step}, as Grafana's time series
   * panels ask it: {@code resultType} {@code matrix}, one entry of {@code result} per series, each
   * with its {@code metric} labels and {@code values} ({@code [seconds, "value"]} pairs).
   */
  JsonNode queryRange(String expr, Instant start, Instant end, Duration step) {
    return get(
        "query_range",
        "query",
        expr,
        "start",
        Long.toString(start.getEpochSecond()),
        "end",
        Long.toString(end.getEpochSecond()),
        "step",
        step.toSeconds() + "s");
  }

  /** Prometheus could not be reached, or refused a request; the message says which and why. */
  static final class PrometheusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PrometheusException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
