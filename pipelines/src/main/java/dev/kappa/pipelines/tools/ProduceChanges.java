package dev.kappa.pipelines.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.transforms.enrichment.DebeziumChangeDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Loads a JSON-lines file of Debezium-style change events into a Kafka topic, as a Debezium
 * connector would have written them: each line's bytes unchanged, keyed by the row's key (from
 * {@code after}, or {@code before} for a delete), with the change's commit time as the Kafka
 * timestamp, in file order.
 *
 * <p>Every form the jobs accept is read the way {@link DebeziumChangeDecoder} reads it: a bare
 * envelope or one wrapped by Kafka Connect's JSON converter ({@code {"schema": ..., "payload":
 * ...}}), its commit time {@code source.ts_ms}, else the envelope's {@code ts_ms}. A line with no
 * commit time (not UTF-8, not JSON, no integer time) is sent unchanged, unkeyed unless a key can be
 * read, stamped with the commit time of the closest change before it in the file, else of the first
 * one after it (see {@link Producers}): so it stays inside any backfill range its neighbours are
 * in, and the job reading the topic turns it into a dead letter. The file is read as bytes: any
 * line can be sent.
 */
public final class ProduceChanges {
  private ProduceChanges() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sends every non-blank line of {@code file}; returns how many were sent. */
  public static int produce(Path file, String bootstrapServers, String topic, String keyField)
      throws IOException {
    return produce(file, bootstrapServers, Map.of(), topic, keyField);
  }

  /** {@link #produce(Path, String, String, String)} with the producer settings {@code client}. */
  public static int produce(
      Path file, String bootstrapServers, Map<String, Object> client, String topic, String keyField)
      throws IOException {
    List<byte[]> lines = Producers.lines(file);
    List<@Nullable String> keys = new ArrayList<>();
    List<@Nullable Long> commitTimes = new ArrayList<>();
    for (byte[] line : lines) {
      JsonNode envelope = envelope(line);
      keys.add(envelope == null ? null : key(envelope, keyField));
      commitTimes.add(envelope == null ? null : DebeziumChangeDecoder.commitMillis(envelope));
    }
    long[] timestamps = Producers.timestamps(commitTimes, System::currentTimeMillis);
    int index = 0;
    try (KafkaProducer<byte[], byte[]> producer = Producers.idempotent(bootstrapServers, client)) {
      for (; index < lines.size(); index++) {
        String key = keys.get(index);
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    null,
                    timestamps[index],
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    lines.get(index)))
            .get();
      }
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot send change "
              + (index + 1)
              + " of "
              + file
              + " to "
              + topic
              + ": "
              + e.getCause(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending " + file, e);
    }
    return lines.size();
  }

  /** The change envelope of a line, unwrapped as the decoder does; null if it is not JSON. */
  private static @Nullable JsonNode envelope(byte[] line) {
    String text = Producers.text(line);
    if (text == null) {
      return null;
    }
    try {
      JsonNode root = JSON.readTree(text);
      return root == null ? null : DebeziumChangeDecoder.envelopeOf(root);
    } catch (IOException unparseable) {
      return null;
    }
  }

  /**
   * The row's key: {@code after.<field>}, else {@code before.<field>}, of the change {@code
   * envelope}; null if neither has it.
   */
  static @Nullable String key(JsonNode envelope, String keyField) {
    for (String side : new String[] {"after", "before"}) {
      JsonNode value = envelope.path(side).path(keyField);
      if (value.isTextual()) {
        return value.asText();
      }
    }
    return null;
  }
}
