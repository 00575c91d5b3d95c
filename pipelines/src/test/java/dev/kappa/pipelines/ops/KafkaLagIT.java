package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The consumer lag {@code kappa status} shows for a job reading Kafka, against a real broker: a
 * group's committed offsets against the partitions' end offsets.
 */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaLagIT {

  private static final OpsArguments NO_ARGUMENTS =
      OpsArguments.parse(new String[0], Set.of(), Set.of());

  private static String topicWithRecords(KafkaBroker broker, int... perPartition) throws Exception {
    String topic = "orders-" + UUID.randomUUID();
    broker.createTopic(topic, perPartition.length);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (int partition = 0; partition < perPartition.length; partition++) {
        for (int i = 0; i < perPartition[partition]; i++) {
          producer.send(new ProducerRecord<>(topic, partition, null, new byte[] {(byte) i})).get();
        }
      }
    }
    return topic;
  }

  private static void commit(KafkaBroker broker, String group, Map<TopicPartition, Long> offsets) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
      offsets.forEach((partition, offset) -> commits.put(partition, new OffsetAndMetadata(offset)));
      consumer.commitSync(commits);
    }
  }

  private static Map<String, String> kafkaJob(KafkaBroker broker, String group) {
    return Map.of(
        "appName",
        "OrderRevenue",
        "source",
        "KAFKA",
        "bootstrapServers",
        broker.bootstrapServers(),
        "consumerGroup",
        group);
  }

  @Test
  void lagIsTheEndOffsetMinusTheCommittedOnePerPartition(KafkaBroker broker) throws Exception {
    String topic = topicWithRecords(broker, 10, 5, 3);
    String group = "kappa-lag-" + UUID.randomUUID();
    commit(
        broker, group, Map.of(new TopicPartition(topic, 0), 4L, new TopicPartition(topic, 1), 5L));

    StatusCommand.KafkaReport report =
        StatusCommand.kafka(
            kafkaJob(broker, group),
            OpsArguments.parse(
                new String[] {"--inputTopics=" + topic}, Set.of(), Set.of("inputTopics")));

    assertThat(report.note(), is(nullValue()));
    assertThat(
        report.lag().partitions(),
        contains(
            KafkaLag.PartitionLag.of(topic, 0, 4L, 10),
            KafkaLag.PartitionLag.of(topic, 1, 5L, 5),
            KafkaLag.PartitionLag.of(topic, 2, null, 3)));
    assertThat(report.lag().totalLag(), is(6L));
    StringBuilder text = new StringBuilder();
    StatusCommand.renderKafka(report, text);
    assertThat(text.toString(), containsString("\n  total lag: 6\n"));
  }

  @Test
  void withoutTopicsEveryCommittedPartitionIsShown(KafkaBroker broker) throws Exception {
    String topic = topicWithRecords(broker, 7, 2);
    String other = topicWithRecords(broker, 3);
    String group = "kappa-lag-" + UUID.randomUUID();
    commit(
        broker, group, Map.of(new TopicPartition(topic, 1), 1L, new TopicPartition(other, 0), 3L));

    KafkaLag.Report all = StatusCommand.kafka(kafkaJob(broker, group), NO_ARGUMENTS).lag();
    KafkaLag.Report one =
        StatusCommand.kafka(
                kafkaJob(broker, group),
                OpsArguments.parse(
                    new String[] {"--inputTopics=" + other}, Set.of(), Set.of("inputTopics")))
            .lag();

    assertThat(all.group(), is(group));
    assertThat(
        all.partitions(),
        containsInAnyOrder(
            KafkaLag.PartitionLag.of(topic, 1, 1L, 2), KafkaLag.PartitionLag.of(other, 0, 3L, 3)));
    assertThat(one.partitions(), is(List.of(KafkaLag.PartitionLag.of(other, 0, 3L, 3))));
  }

  @Test
  void aGroupThatNeverCommittedHasNoCommittedOffsets(KafkaBroker broker) throws Exception {
    String group = "kappa-lag-" + UUID.randomUUID();

    StatusCommand.KafkaReport report = StatusCommand.kafka(kafkaJob(broker, group), NO_ARGUMENTS);

    assertThat(report.lag().hasCommits(), is(false));
    StringBuilder text = new StringBuilder();
    StatusCommand.renderKafka(report, text);
    assertThat(
        text.toString(),
        is(
            "Kafka lag of consumer group "
                + group
                + " at "
                + broker.bootstrapServers()
                + " (offsets are committed when a checkpoint completes):\n"
                + "  no committed offsets: the group has not committed yet, or is not this"
                + " job's\n"));
  }

  @Test
  void reprocessingStartsANewGroupAtTheFirstRecordOfItsInstantAndRefusesAGroupThatRan(
      KafkaBroker broker) throws Exception {
    String topic = "orders-" + UUID.randomUUID();
    broker.createTopic(topic, 2);
    long t0 = java.time.Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      // Partition 0: records at 10:00, 10:01, ... 10:05; partition 1: two at 09:00.
      for (int i = 0; i < 6; i++) {
        producer.send(new ProducerRecord<>(topic, 0, t0 + i * 60_000L, null, new byte[] {1})).get();
      }
      for (int i = 0; i < 2; i++) {
        producer.send(new ProducerRecord<>(topic, 1, t0 - 3_600_000L, null, new byte[] {2})).get();
      }
    }
    String group = "kappa-order-revenue-v2-" + UUID.randomUUID();
    dev.kappa.pipelines.job.JobSettings.KafkaRead read =
        new dev.kappa.pipelines.job.JobSettings.KafkaRead(
            broker.bootstrapServers(), List.of(topic), group, false, false, Map.of(), null);

    Map<TopicPartition, long[]> positions =
        ReprocessCommand.commitStart(
            read, java.time.Instant.parse("2026-03-01T10:03:00Z"), Map.of());

    // From 10:03: offset 3 of partition 0; partition 1 has nothing that late, so its end.
    assertThat(positions.get(new TopicPartition(topic, 0)), is(new long[] {3, 6}));
    assertThat(positions.get(new TopicPartition(topic, 1)), is(new long[] {2, 2}));
    assertThat(
        KafkaLag.read(broker.bootstrapServers(), group, List.of(topic)).partitions(),
        contains(
            KafkaLag.PartitionLag.of(topic, 0, 3L, 6), KafkaLag.PartitionLag.of(topic, 1, 2L, 2)));
    // Positioned again the same way (a launch that failed its checks): accepted, unchanged.
    assertThat(
        ReprocessCommand.commitStart(
                read, java.time.Instant.parse("2026-03-01T10:03:00Z"), Map.of())
            .get(new TopicPartition(topic, 0)),
        is(new long[] {3, 6}));
    ReprocessCommand.UsageException again =
        org.junit.jupiter.api.Assertions.assertThrows(
            ReprocessCommand.UsageException.class,
            () -> ReprocessCommand.commitStart(read, null, Map.of()));
    assertThat(again.getMessage(), containsString("has committed offsets already"));

    // earliest: every partition from its first offset.
    String fresh = group + "-earliest";
    Map<TopicPartition, long[]> earliest =
        ReprocessCommand.commitStart(
            new dev.kappa.pipelines.job.JobSettings.KafkaRead(
                broker.bootstrapServers(), List.of(topic), fresh, false, false, Map.of(), null),
            null,
            Map.of());
    assertThat(earliest.get(new TopicPartition(topic, 0)), is(new long[] {0, 6}));
    assertThat(earliest.get(new TopicPartition(topic, 1)), is(new long[] {0, 2}));
  }
}
