package dev.kappa.pipelines.ops;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.runtime.rest.handler.async.AsynchronousOperationResult;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.job.savepoints.SavepointInfo;
import org.apache.flink.runtime.rest.util.RestMapperUtils;
import org.apache.flink.util.SerializedThrowable;

/**
 * A stand-in for a JobManager's REST API that answers with JSON captured from a real Flink 1.19
 * cluster (the files under {@code src/test/resources/dev/kappa/pipelines/ops/flink-1.19}, see its
 * README), so that Flink's own REST client parses what the REST API really answers: each request
 * {@code METHOD /path?query} gets the answers registered for it in turn, the last one again and
 * again; anything else gets Flink's 404. Like Flink, it serves the API under {@code /v1} too, where
 * Flink's client sends it.
 */
final class FakeFlink implements AutoCloseable {

  private static final String RESOURCES = "/dev/kappa/pipelines/ops/flink-1.19/";

  private record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Deque<Answer>> answers = new HashMap<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  FakeFlink() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          String request =
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().toString().replaceFirst("^/v1/", "/");
          try (InputStream body = exchange.getRequestBody()) {
            String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            // Flink's client sends an empty JSON object with requests that have no body.
            requests.add(text.isEmpty() || text.equals("{}") ? request : request + " " + text);
          }
          Answer answer = next(request);
          byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(answer.status(), bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  /** {@code localhost:<port>}, for {@code --flinkMaster}. */
  String master() {
    return "localhost:" + server.getAddress().getPort();
  }

  /** Answers {@code request} ({@code GET /jobs/overview}) with the captured file, status 200. */
  FakeFlink on(String request, String... files) {
    for (String file : files) {
      answer(request, 200, resource(file));
    }
    return this;
  }

  /** Answers {@code request} with {@code status} and the captured file. */
  FakeFlink onError(String request, int status, String file) {
    return answer(request, status, resource(file));
  }

  synchronized FakeFlink answer(String request, int status, String body) {
    answers.computeIfAbsent(request, r -> new ArrayDeque<>()).add(new Answer(status, body));
    return this;
  }

  /** Flink's REST client on this stand-in; the caller closes it. */
  FlinkRestClient client() {
    return FlinkRestClient.at(master());
  }

  /**
   * What {@code call} returns from Flink's REST client on a stand-in that answers {@code request}
   * with the captured {@code file}.
   */
  static <T> T ask(String request, String file, Function<FlinkRestClient, T> call) {
    try (FakeFlink flink = new FakeFlink().on(request, file);
        FlinkRestClient client = flink.client()) {
      return call.apply(client);
    }
  }

  /**
   * The answer of {@code GET /jobs/:id/savepoints/:triggerid} for a savepoint into a directory the
   * JobManager may not create ({@code "targetDirectory": "file:///proc/kappa-denied"}), with the
   * failure Flink 1.19 reported for it. Written as Flink writes it, its own response type through
   * its own JSON mapper, with the serialized exception that Flink's client reads back (the captured
   * answer's is a large base64 blob).
   */
  static String deniedSavepoint() {
    return savepointFailedWith(
        new CompletionException(
            new CheckpointException(
                CheckpointFailureReason.IO_EXCEPTION,
                new IOException(
                    "Failed to create savepoint directory at file:/proc/kappa-denied"))));
  }

  private static String savepointFailedWith(Throwable failure) {
    try {
      return RestMapperUtils.getStrictObjectMapper()
          .writeValueAsString(
              AsynchronousOperationResult.completed(
                  new SavepointInfo(null, new SerializedThrowable(failure))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The answer of {@code GET /jobs/:id/exceptions} for a job whose exception history holds {@code
   * entries}, written by Flink's own response type and JSON mapper as the JobManager writes it.
   */
  static String exceptions(JobExceptionsInfoWithHistory.RootExceptionInfo... entries) {
    try {
      return RestMapperUtils.getStrictObjectMapper()
          .writeValueAsString(
              new JobExceptionsInfoWithHistory(
                  new JobExceptionsInfoWithHistory.JobExceptionHistory(List.of(entries), false)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An entry of a job's exception history as the JobManager records it: {@code failure}'s class and
   * printed trace, when, and the failed task ({@code null} for a failure of the job as a whole).
   */
  static JobExceptionsInfoWithHistory.RootExceptionInfo failure(
      Throwable failure, long timestamp, String task) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    return new JobExceptionsInfoWithHistory.RootExceptionInfo(
        failure.getClass().getName(),
        trace.toString(),
        timestamp,
        Map.of(),
        task,
        task == null ? null : "localhost:40000",
        task == null ? null : "localhost:40000",
        task == null ? null : "taskmanager-1",
        List.of());
  }

  /** The requests received so far, {@code METHOD /path?query [body]}. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private synchronized Answer next(String request) {
    Deque<Answer> queue = answers.get(request);
    if (queue == null || queue.isEmpty()) {
      return new Answer(404, resource("job-not-found.json"));
    }
    return queue.size() > 1 ? queue.poll() : queue.peek();
  }

  static String resource(String file) {
    try (InputStream in = FakeFlink.class.getResourceAsStream(RESOURCES + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + RESOURCES + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
