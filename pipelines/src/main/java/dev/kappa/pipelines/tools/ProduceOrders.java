package dev.kappa.pipelines.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Loads order events from a JSON-lines file into a Kafka topic, as the producers in the field would
 * have written them: each line as Avro single-object bytes in the schema version its fields show
 * (v1 without {@code shipping_method}, v2 without {@code promo_code}, else v3), keyed by order id,
 * with the Kafka timestamp set to the order's event time. A line that does not decode is sent as
 * its raw bytes, keyless, so the pipeline's dead-letter path sees real garbage.
 *
 * <p>Lines are sent in file order, synchronously, to partitions in turn (line {@code i} to
 * partition {@code i mod partitions}), so every partition keeps the file's order and advances at
 * the same pace, and {@link #plan} knows each partition's final offset before anything is sent: a
 * streaming run can be told to stop exactly there. With a finite {@code speedUp} the sends are
 * paced like the file replay: a line goes out once (its max event time so far − the first event
 * time) / speedUp has passed.
 */
public final class ProduceOrders {
  private ProduceOrders() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many records of each kind were sent. */
  public record Summary(Map<String, Integer> byKind) {
    public int total() {
      return byKind.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * How many records each partition of a fresh topic with {@code partitions} partitions will hold
   * after {@link #produce}: its end offset.
   */
  public static Map<Integer, Long> plan(Path file, int partitions) throws IOException {
    Map<Integer, Long> ends = new TreeMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      ends.put(partition, 0L);
    }
    int index = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        ends.merge(index++ % partitions, 1L, Long::sum);
      }
    }
    return ends;
  }

  public static Summary produce(Path file, String bootstrapServers, String topic, double speedUp)
      throws IOException, InterruptedException {
    return produce(file, 0, Integer.MAX_VALUE, bootstrapServers, topic, speedUp);
  }

  /**
   * Sends only the non-blank lines {@code from} (inclusive, 0-based) to {@code to} (exclusive), to
   * the partitions they would have in a whole-file run, so a file can be produced in parts.
   */
  public static Summary produce(
      Path file, int from, int to, String bootstrapServers, String topic, double speedUp)
      throws IOException, InterruptedException {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> nonBlank = all.stream().filter(line -> !line.isBlank()).toList();
    List<String> lines =
        nonBlank.subList(Math.min(from, nonBlank.size()), Math.min(to, nonBlank.size()));
    int index = from;
    Map<String, Integer> byKind = new TreeMap<>();
    long started = System.currentTimeMillis();
    Long firstEventTime = null;
    long maxEventTime = Long.MIN_VALUE;
    long lastTimestamp = started;
    try (KafkaProducer<byte[], byte[]> producer = Producers.idempotent(bootstrapServers)) {
      int partitions = producer.partitionsFor(topic).size();
      for (String line : lines) {
        if (line.isBlank()) {
          continue;
        }
        byte[] key;
        byte[] value;
        String kind;
        long timestamp;
        try {
          OrderEvent order = codec.fromJson(line);
          int version = versionOf(line);
          key = order.getOrderId().getBytes(StandardCharsets.UTF_8);
          value = codec.encodeAs(order, version);
          kind = "avro-v" + version;
          timestamp = order.getEventTime().toEpochMilli();
        } catch (RuntimeException undecodable) {
          key = null;
          value = line.getBytes(StandardCharsets.UTF_8);
          kind = "raw";
          timestamp = lastTimestamp;
        }
        if (firstEventTime == null) {
          firstEventTime = timestamp;
        }
        maxEventTime = Math.max(maxEventTime, timestamp);
        if (Double.isFinite(speedUp)) {
          long due = started + (long) ((maxEventTime - firstEventTime) / speedUp);
          long wait = due - System.currentTimeMillis();
          if (wait > 0) {
            Thread.sleep(wait);
          }
        }
        try {
          int partition = index++ % partitions;
          producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value)).get();
        } catch (ExecutionException e) {
          throw new IOException("cannot send line to " + topic + ": " + e.getCause(), e);
        }
        lastTimestamp = timestamp;
        byKind.merge(kind, 1, Integer::sum);
      }
    }
    return new Summary(byKind);
  }

  /** The schema version whose fields the JSON line uses. */
  static int versionOf(String line) throws IOException {
    JsonNode node = JSON.readTree(line);
    if (node.has("promo_code")) {
      return 3;
    }
    return node.has("shipping_method") ? 2 : 1;
  }
}
