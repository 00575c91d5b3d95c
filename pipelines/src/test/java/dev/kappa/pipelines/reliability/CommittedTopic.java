package dev.kappa.pipelines.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one partition of an output topic from the start, as a downstream consumer does ({@code
 * isolation.level=read_committed}), on a thread of its own for as long as a test runs, and records
 * when each record became visible. With the exactly-once sink a record becomes visible when the
 * checkpoint that covers it completes and its transaction commits, so the arrival times show when
 * output progressed, stalled and resumed.
 */
final class CommittedTopic implements AutoCloseable {

  /** A record and when this reader first saw it. */
  record Arrival(Instant seenAt, long offset, byte[] key, byte[] value) {}

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Arrival> arrivals = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private CommittedTopic(String bootstrapServers, String topic) {
    this.topic = topic;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                // Back within a fraction of a second once a restarted broker answers again.
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                250,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    this.thread = new Thread(this::poll, "read-committed-" + topic);
    this.thread.setDaemon(true);
  }

  /** Starts reading partition 0 of {@code topic}. */
  static CommittedTopic follow(String bootstrapServers, String topic) {
    CommittedTopic reader = new CommittedTopic(bootstrapServers, topic);
    reader.thread.start();
    return reader;
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          Arrival arrival =
              new Arrival(Instant.now(), record.offset(), record.key(), record.value());
          synchronized (arrivals) {
            arrivals.add(arrival);
          }
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Everything read so far, in offset order. */
  List<Arrival> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  /** When the last record seen at or before {@code time} arrived. */
  Optional<Instant> lastArrivalAtOrBefore(Instant time) {
    Instant last = null;
    for (Arrival arrival : arrivals()) {
      if (!arrival.seenAt().isAfter(time)) {
        last = arrival.seenAt();
      }
    }
    return Optional.ofNullable(last);
  }

  /** When the first record seen after {@code time} arrived. */
  Optional<Instant> firstArrivalAfter(Instant time) {
    return arrivals().stream().map(Arrival::seenAt).filter(t -> t.isAfter(time)).findFirst();
  }

  /** Waits until what has arrived satisfies {@code condition}; fails after {@code timeout}. */
  void await(String what, Duration timeout, Predicate<List<Arrival>> condition) {
    JobProbes.await(
        what + " on " + topic, timeout, () -> condition.test(arrivals()) ? Boolean.TRUE : null);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
