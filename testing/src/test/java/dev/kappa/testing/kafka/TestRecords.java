package dev.kappa.testing.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing and consuming string records with kafka-clients, for the integration tests. */
final class TestRecords {

  /** How long a test waits for records it expects. */
  static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

  private TestRecords() {}

  /** A record as the tests write and read it. */
  record Record(int partition, String key, String value) {}

  /** A topic name no other test uses. */
  static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** {@code count} records spread round-robin over {@code partitions} partitions. */
  static List<Record> records(String prefix, int count, int partitions) {
    return IntStream.range(0, count)
        .mapToObj(i -> new Record(i % partitions, prefix + "-key-" + i, prefix + "-value-" + i))
        .toList();
  }

  /** Sends the records to their partitions, each acknowledged by the broker (acks=all). */
  static void produce(String bootstrapServers, String topic, List<Record> records) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      for (Record record : records) {
        producer
            .send(new ProducerRecord<>(topic, record.partition(), record.key(), record.value()))
            .get();
      }
    } catch (ExecutionException e) {
      throw new AssertionError("The broker did not acknowledge a record", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while producing", e);
    }
  }

  /**
   * Reads every partition of the topic from the beginning, without a consumer group, until {@code
   * expected} records have arrived or {@link #CONSUME_TIMEOUT} has passed.
   */
  static List<Record> consumeFromBeginning(String bootstrapServers, String topic, int expected) {
    try (KafkaConsumer<String, String> consumer = consumer(bootstrapServers, null)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      return poll(consumer, expected);
    }
  }

  /** Reads the topic as a member of a new consumer group, as a pipeline's source would. */
  static List<Record> consumeInGroup(String bootstrapServers, String topic, int expected) {
    try (KafkaConsumer<String, String> consumer =
        consumer(bootstrapServers, "group-" + UUID.randomUUID())) {
      consumer.subscribe(List.of(topic));
      List<Record> records = poll(consumer, expected);
      consumer.commitSync();
      return records;
    }
  }

  /** The values of each partition, in offset order. */
  static Map<Integer, List<String>> valuesByPartition(List<Record> records) {
    return records.stream()
        .collect(
            Collectors.groupingBy(
                Record::partition,
                TreeMap::new,
                Collectors.mapping(Record::value, Collectors.toList())));
  }

  private static List<Record> poll(KafkaConsumer<String, String> consumer, int expected) {
    List<Record> records = new ArrayList<>();
    Instant deadline = Instant.now().plus(CONSUME_TIMEOUT);
    while (records.size() < expected && Instant.now().isBefore(deadline)) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        records.add(new Record(record.partition(), record.key(), record.value()));
      }
    }
    return records;
  }

  private static KafkaConsumer<String, String> consumer(String bootstrapServers, String groupId) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    if (groupId != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }
}
