package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kappa.testing.process.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (the distribution's {@code prometheus} binary, installed with {@code
 * scripts/install-tools.sh} when it is not on PATH) scraping given Flink reporter ports, on a free
 * loopback port with its storage in a temporary directory: never the packaged service or port 9090.
 * Closing it stops the process.
 */
final class PrometheusServer implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final URI url;
  private final Path log;

  private PrometheusServer(Process process, URI url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * Installs Prometheus if missing, starts it scraping {@code localhost:<port>} for each of {@code
   * ports} every {@code scrapeInterval}, and waits until it is ready.
   */
  static PrometheusServer start(
      Path repository, Path workDir, List<Integer> ports, Duration scrapeInterval)
      throws IOException, InterruptedException {
    InstalledTools.ensure(repository, workDir, "prometheus");
    Files.createDirectories(workDir);
    Path config = workDir.resolve("prometheus.yml");
    String seconds = scrapeInterval.toSeconds() + "s";
    Files.writeString(
        config,
        "global:\n"
            + "  scrape_interval: "
            + seconds
            + "\n  evaluation_interval: "
            + seconds
            + "\nscrape_configs:\n  - job_name: flink\n    static_configs:\n      - targets: ["
            + ports.stream().map(p -> "'localhost:" + p + "'").collect(Collectors.joining(", "))
            + "]\n");
    long startNanos = System.nanoTime();
    int port = freePort();
    Path log = workDir.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PrometheusServer server =
        new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
    try {
      server.awaitReady();
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    System.out.printf(
        "prometheus ready at %s in %d ms, scraping %s every %s%n",
        server.url, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), ports, seconds);
    return server;
  }

  private static int freePort() {
    return Ports.freePorts("127.0.0.1", 1)[0];
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "prometheus exited with " + process.exitValue() + ":\n" + logText());
      }
      try {
        HttpResponse<String> ready =
            HTTP.send(
                HttpRequest.newBuilder(url.resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("prometheus was not ready within 60 s:\n" + logText());
  }

  /** The server's address, {@code http://127.0.0.1:<port>}. */
  URI url() {
    return url;
  }

  /** The {@code data} of {@code GET /api/v1/<path>?<query>}; fails unless its status is success. */
  JsonNode api(String path, String... parameters) {
    return PrometheusApi.at(url.toString()).get(path, parameters);
  }

  /**
   * The result of a range query from {@code start} to now, as Grafana's time series panels ask it:
   * one entry per series, each with its {@code values}.
   */
  JsonNode queryRange(String expr, Instant start, Duration step) {
    return PrometheusApi.at(url.toString()).queryRange(expr, start, Instant.now(), step);
  }

  private String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the server: SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
