package dev.kappa.io.kafka;

import static dev.kappa.io.kafka.KafkaTestData.badPayload;
import static dev.kappa.io.kafka.KafkaTestData.payload;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.KafkaTestData.LeadingEventTime;
import dev.kappa.io.kafka.KafkaTestData.Produced;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
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
  void readsTheRecordsInRangeAsABoundedCollectionAndTheSameTwice(
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
            KafkaPartitionRange.of(topic, 0, 3, 10),
            KafkaPartitionRange.of(topic, 1, 3, 3),
            KafkaPartitionRange.of(topic, 2, 0, 6)));
    assertThat(plan.get(1).isEmpty(), equalTo(true));
    PCollection<SourceRecord> firstRecords = pipeline.apply("ReadFirst", first);

    // More records after the range: a second read of the same range starts at the same offsets,
    // scans the new ones too and reads the same records.
    List<ProducerRecord<byte[], byte[]>> later = new ArrayList<>();
    for (int partition = 0; partition < 3; partition++) {
      later.add(record(topic, partition, minutes(20), payload(minutes(20), 900 + partition)));
    }
    KafkaTestData.produce(broker.bootstrapServers(), later);
    ReadKafkaRange second =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), FROM, TO)
            .withEventTime(new LeadingEventTime());
    PCollection<SourceRecord> secondRecords = pipeline.apply("ReadSecond", second);

    assertThat(
        second.plan(),
        contains(
            KafkaPartitionRange.of(topic, 0, 3, 11),
            KafkaPartitionRange.of(topic, 1, 3, 4),
            KafkaPartitionRange.of(topic, 2, 0, 7)));
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

  /**
   * Partition 0, Kafka timestamps out of order: 10:00, 10:04, 10:02, 10:05, 2099 (a wrong clock),
   * 10:06, 10:08, 10:03, 10:01. Partition 1: nothing. Partition 2: 2099 first, then 10:03, 10:04.
   * Payloads carry the same times as event times.
   */
  private static List<Produced> produceDisordered(KafkaBroker broker, String topic)
      throws Exception {
    Instant farFuture = Instant.parse("2099-01-01T00:00:00Z");
    List<Instant> partition0 =
        List.of(
            minutes(0),
            minutes(4),
            minutes(2),
            minutes(5),
            farFuture,
            minutes(6),
            minutes(8),
            minutes(3),
            minutes(1));
    List<Instant> partition2 = List.of(farFuture, minutes(3), minutes(4));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < partition0.size(); i++) {
      records.add(record(topic, 0, partition0.get(i), payload(partition0.get(i), i)));
    }
    for (int i = 0; i < partition2.size(); i++) {
      records.add(record(topic, 2, partition2.get(i), payload(partition2.get(i), 200 + i)));
    }
    return KafkaTestData.produce(broker.bootstrapServers(), records);
  }

  @Test
  @Timeout(180)
  void readsEveryRecordInRangeWhateverTheOrderOfTimestampsAndCountsTheOthers(
      KafkaBroker broker, TestPipeline pipeline) throws Exception {
    String topic = KafkaTestData.uniqueTopic("disordered");
    broker.createTopic(topic, 3);
    List<Produced> produced = produceDisordered(broker, topic);

    ReadKafkaRange read =
        Kafka.readRange(broker.bootstrapServers(), List.of(topic), FROM, TO)
            .withEventTime(new LeadingEventTime());

    // Partition 0 starts at its first record at or after 10:03 (offset 1, 10:04; offset 0 is
    // before); partition 2 at offset 0 (2099 is at or after 10:03); both end at their end offsets,
    // not at the first record at or after 10:07. Partition 1 is empty.
    assertThat(
        read.plan(),
        contains(
            KafkaPartitionRange.of(topic, 0, 1, 9),
            KafkaPartitionRange.of(topic, 1, 0, 0),
            KafkaPartitionRange.of(topic, 2, 0, 3)));
    List<String> expected = new ArrayList<>();
    long beforeFrom = 0;
    long atOrAfterTo = 0;
    for (Produced record : produced) {
      Instant time = new Instant(record.record.timestamp());
      boolean scanned = record.metadata.partition() != 0 || record.metadata.offset() >= 1;
      if (!scanned) {
        continue;
      }
      if (time.isBefore(FROM)) {
        beforeFrom++;
      } else if (!time.isBefore(TO)) {
        atOrAfterTo++;
      } else {
        expected.add(record.line(time));
      }
    }
    // Computed above from what was produced; spelled out: 10:04, 10:05, 10:06 and 10:03 of
    // partition 0, 10:03 and 10:04 of partition 2.
    assertThat(expected.size(), equalTo(6));
    assertThat(beforeFrom, equalTo(2L));
    assertThat(atOrAfterTo, equalTo(3L));
    PAssert.that(KafkaTestData.lines(pipeline.apply("ReadDisordered", read)))
        .containsInAnyOrder(expected);

    PipelineResult result = pipeline.run();
    assertThat(result.waitUntilFinish(), equalTo(PipelineResult.State.DONE));
    assertThat(counter(result, "records"), equalTo(6L));
    assertThat(counter(result, "skippedBeforeFrom"), equalTo(beforeFrom));
    assertThat(counter(result, "skippedAtOrAfterTo"), equalTo(atOrAfterTo));
  }

  @Test
  @Timeout(180)
  void readsAChangeHistoryFromTheStartKeepingWhatIsBeforeTheEnd(
      KafkaBroker broker, TestPipeline pipeline) throws Exception {
    String topic = KafkaTestData.uniqueTopic("changes");
    broker.createTopic(topic, 3);
    List<Produced> produced = produceDisordered(broker, topic);

    ReadKafkaRange read =
        Kafka.readUntil(broker.bootstrapServers(), List.of(topic), TO)
            .withEventTime(new LeadingEventTime());

    assertThat(
        read.plan(),
        contains(
            KafkaPartitionRange.of(topic, 0, 0, 9),
            KafkaPartitionRange.of(topic, 1, 0, 0),
            KafkaPartitionRange.of(topic, 2, 0, 3)));
    List<String> expected = new ArrayList<>();
    for (Produced record : produced) {
      Instant time = new Instant(record.record.timestamp());
      if (time.isBefore(TO)) {
        expected.add(record.line(time));
      }
    }
    // Everything but 2099 (twice) and 10:08.
    assertThat(expected.size(), equalTo(9));
    PAssert.that(KafkaTestData.lines(pipeline.apply("ReadHistory", read)))
        .containsInAnyOrder(expected);

    PipelineResult result = pipeline.run();
    assertThat(result.waitUntilFinish(), equalTo(PipelineResult.State.DONE));
    assertThat(counter(result, "records"), equalTo(9L));
    assertThat(counter(result, "skippedBeforeFrom"), equalTo(0L));
    assertThat(counter(result, "skippedAtOrAfterTo"), equalTo(3L));

    // Read by this process (a launcher loading a small history): the same records, in offset
    // order per partition, or nothing at all when the plan spans more offsets than allowed.
    List<String> expectedNow = new ArrayList<>();
    for (Produced record : produced) {
      if (new Instant(record.record.timestamp()).isBefore(TO)) {
        expectedNow.add(record.line(BoundedWindow.TIMESTAMP_MIN_VALUE));
      }
    }
    List<SourceRecord> now = read.readNow(12);
    assertThat(
        now.stream().map(ReadKafkaRangeIT::lineWithoutTime).toList(),
        containsInAnyOrder(expectedNow.toArray()));
    for (int i = 1; i < now.size(); i++) {
      SourcePosition previous = now.get(i - 1).getPosition();
      SourcePosition next = now.get(i).getPosition();
      if (previous.getPartition().equals(next.getPartition())) {
        assertThat(next.getOffset() > previous.getOffset(), equalTo(true));
      }
    }
    assertThat(read.readNow(11), nullValue());
  }

  private static String lineWithoutTime(SourceRecord record) {
    ByteBuffer payload = record.getPayload().duplicate();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    byte[] key = null;
    if (record.getKey() != null) {
      ByteBuffer keyBuffer = record.getKey().duplicate();
      key = new byte[keyBuffer.remaining()];
      keyBuffer.get(key);
    }
    return KafkaTestData.line(
        record.getPosition().getName(),
        record.getPosition().getPartition(),
        record.getPosition().getOffset(),
        key,
        bytes,
        BoundedWindow.TIMESTAMP_MIN_VALUE);
  }

  /** The attempted value of the read's counter {@code name}, 0 if never reported. */
  private static long counter(PipelineResult result, String name) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(ReadKafkaRange.class, name))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
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
