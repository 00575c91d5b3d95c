package dev.kappa.io.kafka;

import static dev.kappa.io.kafka.KafkaTestData.badPayload;
import static dev.kappa.io.kafka.KafkaTestData.payload;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.KafkaTestData.LeadingEventTime;
import dev.kappa.io.kafka.KafkaTestData.Produced;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Kafka#readRange} against a real broker, on the Direct runner. */
@ExtendWith({KafkaBrokerExtension.class, TestPipelineExtension.class})
class ReadKafkaRangeIT {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant FROM = minutes(3);
  private static final Instant TO = minutes(7);

  private static Instant minutes(long minutes) {
    return T0.plus(Duration.standardMinutes(minutes));
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, int partition, Instant kafkaTime, byte[] payload) {
    return new ProducerRecord<>(
        topic,
        partition,
        kafkaTime.getMillis(),
        ("k" + partition).getBytes(StandardCharsets.UTF_8),
        payload);
  }

  /**
   * Partition 0: ten records a minute apart from 10:00, the one at 10:05 without event time.
   * Partition 1: three records, 10:00 to 10:02, all before {@code FROM}. Partition 2: six records a
   * minute apart from 10:03. Event times are five seconds after the Kafka timestamps.
   */
  private static List<Produced> produce(KafkaBroker broker, String topic) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Instant at = minutes(i);
      byte[] value = i == 5 ? badPayload(i) : payload(at.plus(Duration.standardSeconds(5)), i);
      records.add(record(topic, 0, at, value));
    }
    for (int i = 0; i < 3; i++) {
      records.add(record(topic, 1, minutes(i), payload(minutes(i), 100 + i)));
    }
    for (int i = 0; i < 6; i++) {
      Instant at = minutes(3 + i);
      records.add(record(topic, 2, at, payload(at.plus(Duration.standardSeconds(5)), 200 + i)));
    }
    return KafkaTestData.produce(broker.bootstrapServers(), records);
  }

  /**
   * The records at offsets 3..6 of partition 0 and 0..3 of partition 2, stamped with their event
   * times; the one without (partition 0, offset 5) with the greatest event time its reader saw
   * before it, 10:04:05.
   */
  private static List<String> expectedLines(List<Produced> produced) {
    List<String> lines = new ArrayList<>();
    for (Produced record : produced) {
      int partition = record.metadata.partition();
      long offset = record.metadata.offset();
      if (partition == 0 && offset >= 3 && offset < 7) {
        Instant eventTime =
            offset == 5
                ? minutes(4).plus(Duration.standardSeconds(5))
                : minutes(offset).plus(Duration.standardSeconds(5));
        lines.add(record.line(eventTime));
      } else if (partition == 2 && offset < 4) {
        lines.add(record.line(minutes(3 + offset).plus(Duration.standardSeconds(5))));
      }
    }
    return lines;
  }

  @Test
  @Timeout(180)
  void readsExactlyTheResolvedOffsetsAsABoundedCollectionAndTheSameTwice(
      KafkaBroker broker, TestPipeline pipeline) throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, 3);
    List<Produced> produced = produce(broker, topic);

    ReadKafkaRange first =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), FROM, TO)
            .withEventTime(new LeadingEventTime());
    List<KafkaPartitionRange> plan = first.plan();
    assertThat(
        plan,
        contains(
            KafkaPartitionRange.of(topic, 0, 3, 7),
            KafkaPartitionRange.of(topic, 1, 3, 3),
            KafkaPartitionRange.of(topic, 2, 0, 4)));
    assertThat(plan.get(1).isEmpty(), equalTo(true));
    PCollection<SourceRecord> firstRecords = pipeline.apply("ReadFirst", first);

    // More records after the range: a second read of the same range resolves the same offsets.
    List<ProducerRecord<byte[], byte[]>> later = new ArrayList<>();
    for (int partition = 0; partition < 3; partition++) {
      later.add(record(topic, partition, minutes(20), payload(minutes(20), 900 + partition)));
    }
    KafkaTestData.produce(broker.bootstrapServers(), later);
    ReadKafkaRange second =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), FROM, TO)
            .withEventTime(new LeadingEventTime());
    PCollection<SourceRecord> secondRecords = pipeline.apply("ReadSecond", second);

    assertThat(second.plan(), equalTo(plan));
    assertThat(firstRecords.isBounded(), equalTo(PCollection.IsBounded.BOUNDED));
    assertThat(secondRecords.isBounded(), equalTo(PCollection.IsBounded.BOUNDED));
    List<String> expected = expectedLines(produced);
    assertThat(expected.size(), equalTo(8));
    PAssert.that(KafkaTestData.lines("DescribeFirst", firstRecords)).containsInAnyOrder(expected);
    PAssert.that(KafkaTestData.lines("DescribeSecond", secondRecords)).containsInAnyOrder(expected);
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));
  }

  @Test
  @Timeout(180)
  void readsNothingWhenNoPartitionHasRecordsInTheRange(KafkaBroker broker, TestPipeline pipeline)
      throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, 3);
    produce(broker, topic);

    ReadKafkaRange read =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), minutes(30), minutes(40))
            .withEventTime(new LeadingEventTime());

    assertThat(
        read.plan(),
        contains(
            KafkaPartitionRange.of(topic, 0, 10, 10),
            KafkaPartitionRange.of(topic, 1, 3, 3),
            KafkaPartitionRange.of(topic, 2, 6, 6)));
    PAssert.that(pipeline.apply("ReadNothing", read)).empty();
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));
  }

  @Test
  @Timeout(120)
  void namesATopicThatDoesNotExist(KafkaBroker broker) {
    String topic = KafkaTestData.uniqueTopic("missing");
    ReadKafkaRange read =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), FROM, TO)
            .withEventTime(new LeadingEventTime());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read::plan);

    assertThat(
        e.getMessage(),
        equalTo("Kafka topic \"" + topic + "\" does not exist at " + broker.bootstrapServers()));
  }
}
