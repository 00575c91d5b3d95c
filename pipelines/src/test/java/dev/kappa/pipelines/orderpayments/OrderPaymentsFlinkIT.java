package dev.kappa.pipelines.orderpayments;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * OrderPayments on the embedded Flink runner through the shared Kafka broker and PostgreSQL: the
 * test events are produced to an orders and a payments topic, streamed (the join's timers fire as
 * the watermark advances), then the same range is backfilled (bounded). Every output of the stream
 * equals the backfill's and the reference's, and the status table the stream filled equals the one
 * the backfill fills after it was emptied, and the reference.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class OrderPaymentsFlinkIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 2;

  @Test
  @Timeout(300)
  void streamAndBackfillGiveTheSameOutputsAndTable(
      KafkaBroker broker, PostgresServer postgres, @TempDir Path dir) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    String payments = "payments-" + UUID.randomUUID();
    broker.createTopic(orders, PARTITIONS);
    broker.createTopic(payments, PARTITIONS);
    produce(broker, orders, payments);
    String schema = postgres.createSchema("order_payments");
    postgres.execute(
        "SET search_path TO "
            + schema
            + ";\n"
            + Files.readString(Path.of("../scripts/sql/schema.sql"), StandardCharsets.UTF_8));
    List<String> common =
        List.of(
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--flinkConfDir=" + Path.of("../runners-config/flink/embedded"),
            "--autoWatermarkInterval=200",
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--inputTopics=" + orders + "," + payments,
            "--jdbcUrl=" + postgres.jdbcUrl(schema),
            "--jdbcUser=" + postgres.user(),
            "--jdbcPassword=" + postgres.password(),
            "--resultsTable=order_payment_status");

    // 1. A stream over what the topics hold, to their end.
    PaymentFiles.Outputs stream = PaymentFiles.Outputs.under(dir.resolve("stream"));
    run(common, stream, "--stopAtEnd");
    List<String> tableAfterStream = table(postgres, schema);

    // 2. The same range as a bounded backfill into the emptied table: upserting over the stream's
    // rows would let a backfill that wrote nothing pass.
    postgres.execute("TRUNCATE " + schema + ".order_payment_status");
    assertThat(table(postgres, schema), is(empty()));
    PaymentFiles.Outputs backfill = PaymentFiles.Outputs.under(dir.resolve("backfill"));
    run(common, backfill, "--from=2026-03-01T00:00:00Z", "--to=2026-03-02T00:00:00Z");
    List<String> tableAfterBackfill = table(postgres, schema);

    for (PaymentFiles.Outputs out : List.of(stream, backfill)) {
      assertThat(
          PaymentFiles.paid(out.paid()), equalTo(PaymentFiles.expected("expected-paid.jsonl")));
      assertThat(
          PaymentFiles.unpaid(out.unpaid()),
          equalTo(PaymentFiles.expected("expected-unpaid.jsonl")));
      assertThat(
          PaymentFiles.orphans(out.orphans()),
          equalTo(PaymentFiles.expected("expected-orphans.jsonl")));
      assertThat(PaymentFiles.tooLate(out.tooLate()), is(empty()));
    }
    List<String> streamDead = deadLetters(stream.deadLetters());
    assertThat(streamDead.size(), is(PaymentFiles.expected("expected-dead-letters.jsonl").size()));
    assertThat(deadLetters(backfill.deadLetters()), equalTo(streamDead));

    List<String> expectedTable = PaymentFiles.expected("expected-statuses.jsonl");
    assertThat(tableAfterStream, equalTo(expectedTable));
    assertThat(tableAfterBackfill, equalTo(expectedTable));
    assertThat(tableAfterBackfill, equalTo(tableAfterStream));
  }

  private static void run(List<String> common, PaymentFiles.Outputs outputs, String... more) {
    List<String> args = new ArrayList<>(common);
    args.addAll(outputs.args());
    args.addAll(List.of(more));
    OrderPayments.Options options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(OrderPayments.Options.class);
    assertThat(
        JobRunner.run(new OrderPayments(), options).waitUntilFinish(),
        is(PipelineResult.State.DONE));
  }

  /**
   * The test events as their producers would write them: orders to one topic, payments to the
   * other, JSON bytes keyed by order id, the Kafka timestamp the event time (a bad line: the
   * previous line's), line {@code i} of each topic to partition {@code i mod 2}.
   */
  private static void produce(KafkaBroker broker, String orders, String payments)
      throws IOException {
    List<String> lines =
        Files.readAllLines(PaymentFiles.testData("events.jsonl"), StandardCharsets.UTF_8);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    long lastTime = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    int[] sent = new int[2];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (String line : lines) {
        JsonNode node = null;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          // A malformed line goes as it is.
        }
        boolean payment = node != null && node.has("payment_id");
        if (node != null && node.has("event_time")) {
          lastTime = Instant.parse(node.get("event_time").asText()).toEpochMilli();
        }
        byte[] key =
            node != null && node.has("order_id")
                ? node.get("order_id").asText().getBytes(StandardCharsets.UTF_8)
                : null;
        int topic = payment ? 1 : 0;
        producer.send(
            new ProducerRecord<>(
                payment ? payments : orders,
                sent[topic]++ % PARTITIONS,
                lastTime,
                key,
                line.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /** The status table as the reference's lines, by order id. */
  private static List<String> table(PostgresServer postgres, String schema) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT order_id, status, order_total_cents, paid_cents, time_to_pay_ms,"
                    + " payment_count, duplicate_payments FROM "
                    + schema
                    + ".order_payment_status ORDER BY order_id COLLATE \"C\"")) {
      while (row.next()) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("order_id", row.getString(1));
        line.put("status", row.getString(2));
        line.put("order_total_cents", row.getLong(3));
        line.put("paid_cents", row.getLong(4));
        long timeToPay = row.getLong(5);
        line.put("time_to_pay_ms", row.wasNull() ? null : timeToPay);
        line.put("payment_count", row.getInt(6));
        line.put("duplicate_payments", row.getInt(7));
        rows.add(JSON.writeValueAsString(line));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  /** Dead letters without their processing time and stack: position, key, bytes, step, error. */
  private static List<String> deadLetters(Path prefix) {
    EventCodec<DeadLetter> codec = EventCodec.of(DeadLetter.class);
    return PaymentFiles.read(prefix, DeadLetter.class).stream()
        .map(
            d -> {
              d.setFailedAt(Instant.EPOCH);
              d.setStackTrace("");
              return codec.toJson(d);
            })
        .sorted()
        .toList();
  }
}
