package dev.kappa.pipelines.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Loads a JSON-lines file of Debezium-style change events into a Kafka topic, as a Debezium
 * connector would have written them: each line's bytes unchanged, keyed by the row's key (from
 * {@code after}, or {@code before} for a delete), with the change's commit time ({@code
 * source.ts_ms}) as the Kafka timestamp, in file order. A line that is not JSON is sent unchanged
 * and unkeyed, so that the job reading the topic turns it into a dead letter.
 */
public final class ProduceChanges {
  private ProduceChanges() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sends every non-blank line of {@code file}; returns how many were sent. */
  public static int produce(Path file, String bootstrapServers, String topic, String keyField)
      throws IOException {
    List<String> lines =
        Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isBlank())
            .toList();
    int lineNumber = 0;
    try (KafkaProducer<byte[], byte[]> producer = Producers.idempotent(bootstrapServers)) {
      for (String line : lines) {
        lineNumber++;
        String key = null;
        Long timestamp = null;
        try {
          JsonNode change = JSON.readTree(line);
          key = key(change, keyField);
          JsonNode commitTime = change.path("source").path("ts_ms");
          timestamp = commitTime.canConvertToLong() ? commitTime.asLong() : null;
        } catch (IOException unparseable) {
          // Sent as is, unkeyed, stamped now: the job's decoder makes it a dead letter.
        }
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    line.getBytes(StandardCharsets.UTF_8)))
            .get();
      }
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot send line " + lineNumber + " of " + file + " to " + topic + ": " + e.getCause(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending " + file, e);
    }
    return lines.size();
  }

  /** The row's key: {@code after.<field>}, else {@code before.<field>}; null if neither has it. */
  static String key(JsonNode change, String keyField) {
    for (String side : new String[] {"after", "before"}) {
      JsonNode value = change.path(side).path(keyField);
      if (value.isTextual()) {
        return value.asText();
      }
    }
    return null;
  }
}
