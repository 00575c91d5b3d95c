package dev.kappa.benchmarks;

import dev.kappa.schemas.codec.DecodeException;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.validation.OrderEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The floor contender: one plain KafkaConsumer reads every record of the orders topic up to its end
 * offsets and decodes and validates each as OrderRevenue's decoder does ({@link EventCodec}, then
 * {@link OrderEvents#validate}). Nothing else: no enrichment, no windows. What any job reading this
 * topic must at least spend.
 *
 * <p>Usage: {@code ReadAndDecode <bootstrapServers> <ordersTopic> <resultDir>}.
 */
public final class ReadAndDecode {
  private ReadAndDecode() {}

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    String topic = args[1];
    Path out = Path.of(args[2]);
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    long valid = 0;
    long dead = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() >= ends.get(new TopicPartition(topic, record.partition()))) {
            continue;
          }
          try {
            OrderEvent order = codec.decode(record.value());
            if (OrderEvents.validate(order).isEmpty()) {
              valid++;
            } else {
              dead++;
            }
          } catch (DecodeException undecodable) {
            dead++;
          }
        }
      }
    }
    RaceResult.countsOnly(valid, dead).write(out);
  }
}
