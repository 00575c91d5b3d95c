package dev.kappa.pipelines.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.transforms.windowing.EventTimeBounds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Loads order events from a JSON-lines file into a Kafka topic, as the producers in the field would
 * have written them: each line as Avro single-object bytes in the schema version its fields show
 * (v1 without {@code shipping_method}, v2 without {@code promo_code}, else v3), keyed by order id,
 * with the Kafka timestamp set to the order's event time. A line that does not decode (malformed
 * JSON, not UTF-8, not an order) is sent as its raw bytes, exactly as they are in the file,
 * keyless, so the pipeline's dead-letter path sees real garbage; its Kafka timestamp is the event
 * time of the closest order before it in the file, else of the first one after it (see {@link
 * Producers}), so it belongs to the same backfill ranges as its neighbours. The file is read as
 * bytes: any line can be sent.
 *
 * <p>Lines are sent in file order, synchronously, to partitions in turn (line {@code i} to
 * partition {@code i mod partitions}), so every partition keeps the file's order and advances at
 * the same pace, and {@link #plan} knows each partition's final offset before anything is sent: a
 * streaming run can be told to stop exactly there. With a finite {@code speedUp} the sends are
 * paced like the file replay (see {@link Pacing}); an event time outside the {@link
 * EventTimeBounds} does not pace them.
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
    int lines = Producers.lines(file).size();
    for (int index = 0; index < lines; index++) {
      ends.merge(index % partitions, 1L, Long::sum);
    }
    return ends;
  }

  public static Summary produce(Path file, String bootstrapServers, String topic, double speedUp)
      throws IOException, InterruptedException {
    return produce(file, bootstrapServers, topic, speedUp, EventTimeBounds.create());
  }

  /** Sends the whole file, paced only by event times within {@code bounds}. */
  public static Summary produce(
      Path file, String bootstrapServers, String topic, double speedUp, EventTimeBounds bounds)
      throws IOException, InterruptedException {
    return produce(file, bootstrapServers, Map.of(), topic, speedUp, bounds);
  }

  /**
   * Sends the whole file with the producer settings {@code clientConfig} (security settings), paced
   * only by event times within {@code bounds}.
   */
  public static Summary produce(
      Path file,
      String bootstrapServers,
      Map<String, Object> clientConfig,
      String topic,
      double speedUp,
      EventTimeBounds bounds)
      throws IOException, InterruptedException {
    return produce(
        file, 0, Integer.MAX_VALUE, bootstrapServers, clientConfig, topic, speedUp, bounds);
  }

  /**
   * Sends only the non-blank lines {@code from} (inclusive, 0-based) to {@code to} (exclusive), to
   * the partitions they would have in a whole-file run, so a file can be produced in parts.
   */
  public static Summary produce(
      Path file, int from, int to, String bootstrapServers, String topic, double speedUp)
      throws IOException, InterruptedException {
    return produce(
        file, from, to, bootstrapServers, Map.of(), topic, speedUp, EventTimeBounds.create());
  }

  private static Summary produce(
      Path file,
      int from,
      int to,
      String bootstrapServers,
      Map<String, Object> clientConfig,
      String topic,
      double speedUp,
      EventTimeBounds bounds)
      throws IOException, InterruptedException {
    List<Line> all = parse(Producers.lines(file));
    List<Line> lines = all.subList(Math.min(from, all.size()), Math.min(to, all.size()));
    int index = from;
    Map<String, Integer> byKind = new TreeMap<>();
    Pacing pacing = new Pacing(speedUp, bounds, System::currentTimeMillis);
    try (KafkaProducer<byte[], byte[]> producer =
        Producers.idempotent(bootstrapServers, clientConfig)) {
      int partitions = producer.partitionsFor(topic).size();
      for (Line line : lines) {
        long timestamp = line.timestamp();
        long wait = pacing.dueAt(timestamp) - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        try {
          int partition = index++ % partitions;
          producer
              .send(new ProducerRecord<>(topic, partition, timestamp, line.key(), line.value()))
              .get();
        } catch (ExecutionException e) {
          throw new IOException("cannot send line to " + topic + ": " + e.getCause(), e);
        }
        byKind.merge(line.kind(), 1, Integer::sum);
      }
    }
    return new Summary(byKind);
  }

  /** A line as it will be sent: key, value, kind and Kafka timestamp. */
  private record Line(byte @Nullable [] key, byte[] value, String kind, long timestamp) {}

  /**
   * Every non-blank line of a file, parsed; unparseable lines stamped by the rule in {@link
   * Producers}, over the whole file (so that a file produced in parts is stamped as a whole).
   */
  private static List<Line> parse(List<byte[]> raw) {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    List<@Nullable OrderEvent> orders = new ArrayList<>();
    List<@Nullable Long> eventTimes = new ArrayList<>();
    for (byte[] bytes : raw) {
      OrderEvent order = null;
      String text = Producers.text(bytes);
      if (text != null) {
        try {
          order = codec.fromJson(text);
        } catch (RuntimeException undecodable) {
          // Sent as raw bytes: the job makes it a dead letter.
        }
      }
      orders.add(order);
      eventTimes.add(order == null ? null : order.getEventTime().toEpochMilli());
    }
    long[] timestamps = Producers.timestamps(eventTimes, System::currentTimeMillis);
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      OrderEvent order = orders.get(i);
      byte[] bytes = raw.get(i);
      Line line = null;
      if (order != null) {
        try {
          int version = versionOf(new String(bytes, StandardCharsets.UTF_8));
          line =
              new Line(
                  order.getOrderId().getBytes(StandardCharsets.UTF_8),
                  codec.encodeAs(order, version),
                  "avro-v" + version,
                  timestamps[i]);
        } catch (IOException | RuntimeException unencodable) {
          // Sent as raw bytes below.
        }
      }
      lines.add(line != null ? line : new Line(null, bytes, "raw", timestamps[i]));
    }
    return lines;
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
