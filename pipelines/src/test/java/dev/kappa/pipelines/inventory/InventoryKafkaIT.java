package dev.kappa.pipelines.inventory;

import static dev.kappa.pipelines.inventory.InventoryFiles.canonical;
import static dev.kappa.pipelines.inventory.InventoryFiles.deadLetters;
import static dev.kappa.pipelines.inventory.InventoryFiles.expected;
import static dev.kappa.pipelines.inventory.InventoryFiles.expectedDeadLetters;
import static dev.kappa.pipelines.inventory.InventoryFiles.testData;
import static dev.kappa.pipelines.inventory.InventoryFiles.written;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.pipelines.EmbeddedFlinkArgs;
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
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory job on the embedded Flink runner with its change stream in Kafka ({@code
 * --inventoryChanges=kafka:<topic>}) and its levels and history upserted into PostgreSQL. The
 * changes go to their topic first, except P-MUG's restock at 10:03:20, which is produced after all
 * the orders (among them P-MUG's orders at 10:03:50 and 10:04:10 that follow it in event time) and
 * after later changes: it reaches the job last, out of order in its own topic. The stream over both
 * topics to their end, then a backfill of the same range into the emptied tables: both tables equal
 * the reference (the last level per product; every minute's row) after each run.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class InventoryKafkaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 2;
  private static final String HELD_BACK = "P-MUG";

  @Test
  @Timeout(400)
  void aChangeProducedAfterTheOrdersItPrecedesGivesTheBackfillsTables(
      KafkaBroker broker, PostgresServer postgres, @TempDir Path dir) throws Exception {
    String orders = "inventory-orders-" + UUID.randomUUID();
    String changes = "inventory-changes-" + UUID.randomUUID();
    broker.createTopic(orders, PARTITIONS);
    broker.createTopic(changes, 1);
    List<String> changeLines =
        Files.readAllLines(testData("inventory.changelog.jsonl"), StandardCharsets.UTF_8);
    List<String> heldBack = changeLines.stream().filter(InventoryKafkaIT::isHeldBack).toList();
    assertThat(heldBack.size(), is(1));
    try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
      produce(producer, changes, changeLines.stream().filter(l -> !isHeldBack(l)).toList(), 1);
      produce(
          producer,
          orders,
          Files.readAllLines(testData("orders.jsonl"), StandardCharsets.UTF_8),
          PARTITIONS);
      producer.flush();
      produce(producer, changes, heldBack, 1);
      producer.flush();
    }
    String schema = postgres.createSchema("inventory");
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".stock_levels (product_id text PRIMARY KEY, event_time timestamptz NOT NULL,"
            + " cause text NOT NULL, order_id text, quantity bigint NOT NULL,"
            + " level_before bigint NOT NULL, level bigint NOT NULL, stocked boolean NOT NULL);"
            + "CREATE TABLE "
            + schema
            + ".stock_history (product_id text NOT NULL, minute_start timestamptz NOT NULL,"
            + " minute_end timestamptz NOT NULL, level bigint NOT NULL, orders bigint NOT NULL,"
            + " units_ordered bigint NOT NULL, changes bigint NOT NULL,"
            + " oversold_orders bigint NOT NULL, PRIMARY KEY (product_id, minute_start));");
    List<String> common =
        EmbeddedFlinkArgs.with(
            "--autoWatermarkInterval=200",
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--inputTopics=" + orders,
            "--inventoryChanges=kafka:" + changes,
            "--jdbcUrl=" + postgres.jdbcUrl(schema),
            "--jdbcUser=" + postgres.user(),
            "--jdbcPassword=" + postgres.password(),
            "--levelsTable=stock_levels",
            "--historyTable=stock_history");

    // 1. A stream over both topics to their end.
    InventoryFiles.Outputs stream =
        InventoryFiles.run(
            dir.resolve("stream"),
            args(common, "--stopAtEnd", "--maxOutOfOrderness=PT1M", "--orderingLateness=PT30S"));
    List<String> levelsAfterStream = table(postgres, schema + ".stock_levels", "product_id");
    List<String> historyAfterStream =
        table(postgres, schema + ".stock_history", "product_id, minute_start");

    // 2. The same range as a backfill into the emptied tables.
    postgres.execute("TRUNCATE " + schema + ".stock_levels, " + schema + ".stock_history");
    assertThat(table(postgres, schema + ".stock_levels", "product_id"), is(empty()));
    InventoryFiles.Outputs backfill =
        InventoryFiles.run(
            dir.resolve("backfill"),
            args(common, "--from=2026-03-01T00:00:00Z", "--to=2026-03-02T00:00:00Z"));
    List<String> levelsAfterBackfill = table(postgres, schema + ".stock_levels", "product_id");
    List<String> historyAfterBackfill =
        table(postgres, schema + ".stock_history", "product_id, minute_start");

    assertThat(written(stream.tooLate()), is(empty()));
    assertThat(written(stream.levels()), equalTo(expected("expected-levels.jsonl")));
    assertThat(written(backfill.levels()), equalTo(expected("expected-levels.jsonl")));
    assertThat(written(stream.alerts()), equalTo(expected("expected-alerts.jsonl")));
    assertThat(written(backfill.alerts()), equalTo(expected("expected-alerts.jsonl")));
    assertThat(deadLetters(stream.deadLetters()), equalTo(expectedDeadLetters()));
    assertThat(deadLetters(backfill.deadLetters()), equalTo(expectedDeadLetters()));

    List<String> expectedLevels = lastLevelPerProduct();
    assertThat(levelsAfterStream, equalTo(expectedLevels));
    assertThat(levelsAfterBackfill, equalTo(expectedLevels));
    assertThat(historyAfterStream, equalTo(expected("expected-history.jsonl")));
    assertThat(historyAfterBackfill, equalTo(expected("expected-history.jsonl")));
    assertThat(levelsAfterBackfill, equalTo(levelsAfterStream));
    assertThat(historyAfterBackfill, equalTo(historyAfterStream));
  }

  private static boolean isHeldBack(String changeLine) {
    return changeLine.contains("\"" + HELD_BACK + "\"") && changeLine.contains("\"op\": \"u\"");
  }

  private static String[] args(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config);
  }

  /**
   * Lines as their producers would write them: JSON bytes keyed by product, the Kafka timestamp the
   * event time ({@code event_time}, or a change's {@code source.ts_ms}; a bad line: the previous
   * line's), line {@code i} to partition {@code i mod partitions}.
   */
  private static void produce(
      KafkaProducer<byte[], byte[]> producer, String topic, List<String> lines, int partitions) {
    long lastTime = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    int sent = 0;
    for (String line : lines) {
      JsonNode node = null;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        // A malformed line goes as it is.
      }
      if (node != null && node.has("event_time")) {
        lastTime = Instant.parse(node.get("event_time").asText()).toEpochMilli();
      } else if (node != null && node.path("source").path("ts_ms").isIntegralNumber()) {
        lastTime = node.path("source").path("ts_ms").longValue();
      }
      String product =
          node == null
              ? null
              : node.path("product_id").isTextual()
                  ? node.get("product_id").asText()
                  : node.path("after").path("product_id").isTextual()
                      ? node.path("after").get("product_id").asText()
                      : node.path("before").path("product_id").asText(null);
      producer.send(
          new ProducerRecord<>(
              topic,
              sent++ % partitions,
              lastTime,
              product == null ? null : product.getBytes(StandardCharsets.UTF_8),
              line.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** The reference's last level of each product: what the levels table holds after a run. */
  private static List<String> lastLevelPerProduct() throws IOException {
    Map<String, String> last = new LinkedHashMap<>();
    for (String line :
        Files.readAllLines(testData("expected-levels.jsonl"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        last.put(JSON.readTree(line).get("product_id").asText(), line);
      }
    }
    return canonical(new ArrayList<>(last.values()));
  }

  /** The rows of {@code table} as JSON lines, canonical and sorted as the expected files are. */
  private static List<String> table(PostgresServer postgres, String table, String orderBy)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT * FROM " + table + " ORDER BY " + orderBy)) {
      ResultSetMetaData columns = row.getMetaData();
      while (row.next()) {
        ObjectNode line = JSON.createObjectNode();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          String name = columns.getColumnName(i);
          Object value = row.getObject(i);
          if (value == null) {
            line.putNull(name);
          } else if (value instanceof Timestamp time) {
            line.put(name, time.toInstant().toString());
          } else if (value instanceof Boolean flag) {
            line.put(name, flag);
          } else if (value instanceof Number number) {
            line.put(name, number.longValue());
          } else {
            line.put(name, value.toString());
          }
        }
        rows.add(line.toString());
      }
    }
    return canonical(rows);
  }
}
