package dev.kappa.pipelines.visitorsessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.EmbeddedFlinkArgs;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.VisitorEvent;
import dev.kappa.schemas.results.VisitorSession;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * VisitorSessions on the embedded Flink runner (parallelism 2) with the shared Kafka broker and
 * PostgreSQL. A streaming replay of {@code test-data/visitor-sessions/events.jsonl}, plus one view
 * hours too late, with five hours of allowed lateness: the late views at the end of the file merge
 * sessions already emitted (retractions), and the extra view is too late. Then the events the
 * stream did not reject as too late are produced to a topic and backfilled from Kafka (bounded).
 * The stream's sessions, after applying its retractions and keeping each session's last version,
 * equal the backfill's, and the backfill's (a real bounded Kafka source, over the test data) equal
 * the Python reference's {@code expected-sessions.jsonl}; the sessions table after the stream (its
 * live rows: retracted ones are tombstones) equals the table after the backfill. Asserts final
 * results only.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class VisitorSessionsFlinkIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 2;

  /** Hours before anything else of its visitor, arriving last: too late by hours. */
  private static final String TOO_LATE_VIEW =
      "{\"view_id\": \"V-LATE\", \"session_id\": \"S-LATE\", \"customer_id\": \"C-LATE\","
          + " \"url\": \"/\", \"product_id\": null, \"referrer\": null,"
          + " \"event_time\": \"2026-03-01T08:00:00Z\"}";

  private record Outputs(Path sessions, Path retractions, Path tooLate, Path deadLetters) {
    static Outputs under(Path dir) {
      return new Outputs(
          dir.resolve("sessions"),
          dir.resolve("retractions"),
          dir.resolve("too-late"),
          dir.resolve("dead-letters"));
    }

    List<String> args() {
      return List.of(
          "--output=" + sessions,
          "--retractionsOutput=" + retractions,
          "--tooLateOutput=" + tooLate,
          "--deadLetterOutput=" + deadLetters);
    }
  }

  @Test
  @Timeout(300)
  void streamAfterRetractionsEqualsAKafkaBackfillOfWhatWasNotTooLate(
      KafkaBroker broker, PostgresServer postgres, @TempDir Path dir) throws Exception {
    String streamSchema = postgres.createSchema("sessions_stream");
    String backfillSchema = postgres.createSchema("sessions_backfill");
    String ddl =
        Files.readString(Path.of("../scripts/sql/visitor-sessions.sql"), StandardCharsets.UTF_8);
    postgres.execute("SET search_path TO " + streamSchema + ";\n" + ddl);
    postgres.execute("SET search_path TO " + backfillSchema + ";\n" + ddl);
    List<String> events = new ArrayList<>(Files.readAllLines(testData(), StandardCharsets.UTF_8));
    events.add(TOO_LATE_VIEW);
    Path streamInput = dir.resolve("events.jsonl");
    Files.write(streamInput, events, StandardCharsets.UTF_8);

    Outputs stream = Outputs.under(dir.resolve("stream/out"));
    run(
        stream,
        postgres,
        streamSchema,
        "--source=REPLAY",
        "--input=" + streamInput,
        "--replaySpeedUp=1200",
        "--maxOutOfOrderness=PT1M");

    List<TooLateVisitorEvent> tooLate = read(stream.tooLate(), TooLateVisitorEvent.class);
    Set<String> tooLateIds = new HashSet<>();
    tooLate.forEach(late -> tooLateIds.add(eventId(late.getEvent())));
    // Only the added view: the file's own late views are within the five hours.
    assertThat(tooLateIds, equalTo(Set.of("V-LATE")));
    List<SessionRetraction> retractions = read(stream.retractions(), SessionRetraction.class);
    assertThat(retractions, is(not(empty())));

    String topic = "visitor-events-" + UUID.randomUUID();
    broker.createTopic(topic, PARTITIONS);
    produce(
        broker,
        topic,
        events.stream().filter(line -> !tooLateIds.contains(eventId(line))).toList());
    Outputs backfill = Outputs.under(dir.resolve("backfill/out"));
    run(
        backfill,
        postgres,
        backfillSchema,
        "--source=KAFKA",
        "--bootstrapServers=" + broker.bootstrapServers(),
        "--inputTopics=" + topic,
        "--from=2026-03-01T00:00:00Z",
        "--to=2026-03-02T00:00:00Z");

    List<String> backfilled = sorted(read(backfill.sessions(), VisitorSession.class));
    // What the backfill read is the test data itself: its sessions are the reference's, exactly.
    assertThat(backfilled, equalTo(reference()));
    assertThat(read(backfill.retractions(), SessionRetraction.class), is(empty()));
    assertThat(read(backfill.tooLate(), TooLateVisitorEvent.class), is(empty()));
    assertThat(lines(stream.deadLetters()), is(empty()));
    assertThat(lines(backfill.deadLetters()), is(empty()));
    assertThat(
        applied(read(stream.sessions(), VisitorSession.class), retractions), equalTo(backfilled));

    List<String> tableAfterStream = liveRows(postgres, streamSchema);
    assertThat(tableAfterStream, equalTo(liveRows(postgres, backfillSchema)));
    assertThat(tableAfterStream.size(), equalTo(backfilled.size()));
    assertThat(tombstones(postgres, streamSchema), equalTo(retractions.size()));
  }

  /**
   * A backfill from files through Flink's DataStream API in batch mode, as {@code
   * runners-config/flink-embedded.args} runs it ({@code --useDataStreamForBatch=true}): Flink fires
   * each visitor's timers once the visitor's events are read and ignores timers set while they
   * fire, so the sessions after a visitor's first must come out in that one firing. They did not:
   * the job failed at its end on the lost timers' watermark holds, the later sessions unwritten.
   */
  @Test
  @Timeout(300)
  void aFilesBackfillThroughTheDataStreamApiEqualsTheReference(@TempDir Path dir) throws Exception {
    Outputs backfill = Outputs.under(dir.resolve("out"));
    List<String> args =
        EmbeddedFlinkArgs.with(
            "--useDataStreamForBatch=true",
            "--source=FILES",
            "--input=" + testData().toAbsolutePath());
    args.addAll(backfill.args());
    VisitorSessions.Options options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(VisitorSessions.Options.class);

    assertThat(
        JobRunner.run(new VisitorSessions(), options).waitUntilFinish(),
        is(PipelineResult.State.DONE));

    assertThat(sorted(read(backfill.sessions(), VisitorSession.class)), equalTo(reference()));
    assertThat(read(backfill.retractions(), SessionRetraction.class), is(empty()));
    assertThat(read(backfill.tooLate(), TooLateVisitorEvent.class), is(empty()));
    assertThat(lines(backfill.deadLetters()), is(empty()));
  }

  private static void run(Outputs outputs, PostgresServer postgres, String schema, String... more) {
    List<String> args =
        EmbeddedFlinkArgs.with(
            "--autoWatermarkInterval=200",
            "--allowedLateness=PT5H",
            "--sessionsTable=visitor_sessions",
            "--jdbcUrl=" + postgres.jdbcUrl(schema),
            "--jdbcUser=" + postgres.user(),
            "--jdbcPassword=" + postgres.password());
    args.addAll(outputs.args());
    args.addAll(List.of(more));
    VisitorSessions.Options options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(VisitorSessions.Options.class);
    assertThat(
        JobRunner.run(new VisitorSessions(), options).waitUntilFinish(),
        is(PipelineResult.State.DONE));
  }

  /**
   * What a keyed sink holds after the stream: per session its last version (the most pages, then
   * orders, as the sessions table's version), less the retracted sessions; sorted.
   */
  private static List<String> applied(
      List<VisitorSession> sessions, List<SessionRetraction> retractions) {
    Comparator<VisitorSession> version =
        Comparator.comparingInt(VisitorSession::getPageCount)
            .thenComparingInt(VisitorSession::getOrders);
    Map<String, VisitorSession> last = new LinkedHashMap<>();
    for (VisitorSession session : sessions) {
      last.merge(
          session.getVisitorId() + "|" + session.getSessionStart(),
          session,
          (a, b) -> version.compare(a, b) >= 0 ? a : b);
    }
    for (SessionRetraction retraction : retractions) {
      last.remove(retraction.getVisitorId() + "|" + retraction.getSessionStart());
    }
    return sorted(new ArrayList<>(last.values()));
  }

  private static List<String> sorted(List<VisitorSession> sessions) {
    return sessions.stream().map(Object::toString).sorted().toList();
  }

  /** The id of an input line (a view or an order id), or of a decoded event. */
  private static String eventId(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node.has("view_id") ? node.get("view_id").asText() : node.get("order_id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String eventId(VisitorEvent event) {
    return event.getPageView() != null
        ? event.getPageView().getViewId()
        : event.getOrder().getOrderId();
  }

  /** The lines to one topic, round robin over its partitions, the event time as Kafka time. */
  private static void produce(KafkaBroker broker, String topic, List<String> lines) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      int sent = 0;
      for (String line : lines) {
        long time = Instant.parse(JSON.readTree(line).get("event_time").asText()).toEpochMilli();
        producer.send(
            new ProducerRecord<>(
                topic, sent++ % PARTITIONS, time, null, line.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> liveRows(PostgresServer postgres, String schema) throws SQLException {
    return query(
        postgres, "SELECT v::text FROM " + schema + ".visitor_sessions_live v ORDER BY v::text");
  }

  private static int tombstones(PostgresServer postgres, String schema) throws SQLException {
    return query(postgres, "SELECT visitor_id FROM " + schema + ".visitor_sessions WHERE retracted")
        .size();
  }

  private static List<String> query(PostgresServer postgres, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }

  private static Path testData() {
    return testData("events.jsonl");
  }

  private static Path testData(String file) {
    return Path.of(System.getProperty("kappa.testData", "../test-data"))
        .resolve("visitor-sessions")
        .resolve(file);
  }

  /** The Python reference's sessions ({@code expected-sessions.jsonl}), decoded, sorted. */
  private static List<String> reference() throws IOException {
    EventCodec<VisitorSession> codec = EventCodec.of(VisitorSession.class);
    List<VisitorSession> sessions = new ArrayList<>();
    for (String line :
        Files.readAllLines(testData("expected-sessions.jsonl"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        sessions.add(codec.decode(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return sorted(sessions);
  }

  /** Every record written under {@code prefix} ({@code prefix-*.jsonl}). */
  private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
      Path prefix, Class<T> type) {
    EventCodec<T> codec = EventCodec.of(type);
    return lines(prefix).stream().map(codec::fromJson).toList();
  }

  private static List<String> lines(Path prefix) {
    List<String> lines = new ArrayList<>();
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }
}
