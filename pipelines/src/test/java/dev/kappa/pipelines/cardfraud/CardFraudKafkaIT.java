package dev.kappa.pipelines.cardfraud;

import static dev.kappa.pipelines.cardfraud.CardFraudRuns.read;
import static dev.kappa.pipelines.cardfraud.CardFraudRuns.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.EmbeddedFlinkArgs;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.VelocityAlert;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * CardFraud through real Kafka on the embedded Flink runner (parallelism 2), with the shared
 * broker: {@code test-data/card-fraud/transactions.jsonl} produced to a two-partition topic, then
 * streamed ({@code --source=KAFKA --stopAtEnd}) and backfilled from the same topic (bounded, {@code
 * --from}/{@code --to}). Both equal the Python reference exactly (velocity alerts, final scores,
 * risk alerts, dead letters), and so each other.
 *
 * <p><b>A quiet partition.</b> Partition 0 holds the file in its order; partition 1 only what the
 * file delivers minutes behind the stream (K-05's first transaction, three minutes late: the
 * manifest's "quiet partition catching up"). Over a backlog the quiet partition's reader gets its
 * one record at once and reaches its end (its watermark the end of time), so what this covers is a
 * partition that ends long before the other: its end must not close the windows of the busy one,
 * whose transactions must all still count. The record's lateness against the watermark is covered
 * by the paced file replay ({@code CardFraudFlinkIT}) and the TestStream cases ({@code
 * CardFraudLatenessTest}).
 */
@ExtendWith(KafkaBrokerExtension.class)
class CardFraudKafkaIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A line at least this far behind the latest event time before it goes to the quiet partition.
   */
  private static final Duration BEHIND = Duration.ofMinutes(2);

  @Test
  @Timeout(300)
  void streamThroughKafkaAndABackfillFromItEqualTheReference(KafkaBroker broker, @TempDir Path dir)
      throws IOException {
    String topic = "card-transactions-" + UUID.randomUUID();
    broker.createTopic(topic, 2);
    int quiet = produce(broker, topic);
    assertThat("transactions on the quiet partition", quiet, equalTo(1));
    List<String> kafka =
        EmbeddedFlinkArgs.with(
            "--autoWatermarkInterval=200",
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--inputTopics=" + topic);

    CardFraudRuns.Outputs stream =
        CardFraudRuns.run(dir.resolve("stream"), args(kafka, "--stopAtEnd"));
    CardFraudRuns.Outputs backfill =
        CardFraudRuns.run(
            dir.resolve("backfill"),
            args(kafka, "--from=2026-03-01T00:00:00Z", "--to=2026-03-02T00:00:00Z"));

    CardFraudTest.assertEqualsTheReference(stream);
    CardFraudTest.assertEqualsTheReference(backfill);
    assertThat(flagged(stream), equalTo(flagged(backfill)));
    assertThat(finalScores(stream), equalTo(finalScores(backfill)));
  }

  private static String[] args(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  /**
   * The file's lines as their producers would write them, JSON bytes keyed by card, the Kafka
   * timestamp the event time (a line without one: the previous line's): a line at least {@link
   * #BEHIND} behind the latest event time before it to partition 1, every other line to partition
   * 0. Returns how many went to partition 1.
   */
  private static int produce(KafkaBroker broker, String topic) throws IOException {
    List<String> lines =
        Files.readAllLines(testData("card-fraud/transactions.jsonl"), StandardCharsets.UTF_8);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    Instant latest = Instant.parse("2026-03-01T10:00:00Z");
    long time = latest.toEpochMilli();
    int quiet = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (String line : lines) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = null;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          // A malformed line goes as it is.
        }
        int partition = 0;
        if (node != null && node.hasNonNull("event_time")) {
          Instant eventTime = Instant.parse(node.get("event_time").asText());
          time = eventTime.toEpochMilli();
          if (!eventTime.plus(BEHIND).isAfter(latest)) {
            partition = 1;
            quiet++;
          }
          latest = eventTime.isAfter(latest) ? eventTime : latest;
        }
        byte[] key =
            node != null && node.hasNonNull("card_id")
                ? node.get("card_id").asText().getBytes(StandardCharsets.UTF_8)
                : null;
        producer.send(
            new ProducerRecord<>(
                topic, partition, time, key, line.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    return quiet;
  }

  /** Each alerting transaction once: the fields every run agrees on, sorted. */
  private static List<String> flagged(CardFraudRuns.Outputs out) {
    return read(out.velocityAlerts(), VelocityAlert.class).stream()
        .map(alert -> DetectCardFraud.flag(alert).toString())
        .sorted()
        .toList();
  }

  private static List<String> finalScores(CardFraudRuns.Outputs out) {
    return read(out.scores(), RiskScore.class).stream()
        .filter(RiskScore::getFinalPane)
        .map(s -> DetectCardFraud.riskAlert(s).toString())
        .sorted()
        .toList();
  }
}
