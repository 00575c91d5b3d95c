package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Kafka#write} against a real broker, on the Direct runner. */
@ExtendWith({KafkaBrokerExtension.class, TestPipelineExtension.class})
class WriteKafkaIT {
  private static final int RECORDS = 20;

  private static List<KV<byte[], byte[]>> elements() {
    List<KV<byte[], byte[]>> elements = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      byte[] key = i % 4 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
      elements.add(KV.of(key, new byte[] {(byte) i, 0, (byte) 0xFF, (byte) (i * 7)}));
    }
    return elements;
  }

  private static String describe(byte[] key, byte[] value) {
    return (key == null ? "null" : HexFormat.of().formatHex(key))
        + "="
        + HexFormat.of().formatHex(value);
  }

  private static List<String> described(List<KV<byte[], byte[]>> elements) {
    List<String> lines = new ArrayList<>();
    for (KV<byte[], byte[]> element : elements) {
      lines.add(describe(element.getKey(), element.getValue()));
    }
    return lines;
  }

  /** Everything in {@code topic}, read from the beginning with a plain consumer. */
  private static List<String> consumeAll(KafkaBroker broker, String topic, String isolationLevel) {
    List<String> lines = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolationLevel,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class))) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && !caughtUp(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          lines.add(describe(record.key(), record.value()));
        }
      }
    }
    return lines;
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      if (consumer.position(partition.getKey()) < partition.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Test
  @Timeout(180)
  void writesEveryElementAtLeastOnceWithItsExactBytes(KafkaBroker broker, TestPipeline pipeline) {
    String topic = KafkaTestData.uniqueTopic("alerts");
    broker.createTopic(topic, 3);

    pipeline
        .apply(
            Create.of(elements())
                .withCoder(KvCoder.of(NullableCoder.of(ByteArrayCoder.of()), ByteArrayCoder.of())))
        .apply("WriteAlerts", Kafka.write(broker.bootstrapServers(), topic));
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));

    assertThat(
        consumeAll(broker, topic, "read_uncommitted"),
        containsInAnyOrder(described(elements()).toArray()));
  }

  @Test
  @Timeout(180)
  void writesEveryElementExactlyOnceInTransactions(KafkaBroker broker, TestPipeline pipeline) {
    String topic = KafkaTestData.uniqueTopic("alerts");
    broker.createTopic(topic, 3);

    pipeline
        .apply(
            Create.of(elements())
                .withCoder(KvCoder.of(NullableCoder.of(ByteArrayCoder.of()), ByteArrayCoder.of())))
        .apply(
            "WriteAlerts",
            Kafka.write(broker.bootstrapServers(), topic)
                .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .withSinkGroupId("sink-" + topic)
                .withNumShards(2));
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));

    assertThat(
        consumeAll(broker, topic, "read_committed"),
        containsInAnyOrder(described(elements()).toArray()));
  }
}
