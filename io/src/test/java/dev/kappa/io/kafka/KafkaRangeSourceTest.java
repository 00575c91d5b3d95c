package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.EventTimePolicyTest.PayloadIsTheTime;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Splitting, size estimates and the reader's batches (with Kafka's mock consumer); reading from a
 * broker is tested in ReadKafkaRangeIT.
 */
class KafkaRangeSourceTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  /**
   * Records {@code first..last} of orders-0 for the mock consumer's next poll; record {@code o} has
   * event time {@code T0 + (10 - o) s} (descending, so a batch's earliest is its last), Kafka
   * timestamp {@code T0 + o s}, except offset 3, stamped by Kafka before the read's range.
   */
  private static Runnable poll(MockConsumer<byte[], byte[]> consumer, long first, long last) {
    return () -> {
      for (long offset = first; offset <= last; offset++) {
        String eventTime = T0.plus(Duration.standardSeconds(10 - offset)).toString();
        long kafkaTime =
            offset == 3 ? T0.minus(Duration.standardDays(1)).getMillis() : T0.getMillis() + offset;
        consumer.addRecord(
            new ConsumerRecord<>(
                "orders",
                0,
                offset,
                kafkaTime,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                null,
                eventTime.getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(),
                Optional.empty()));
      }
    };
  }

  private static KafkaRangeSource source(KafkaPartitionRange... ranges) {
    return new KafkaRangeSource(
        "localhost:9092",
        Map.of(),
        List.of(ranges),
        TimestampRange.between(Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z")),
        new EventTimePolicyFactory(
            new PayloadIsTheTime(),
            Duration.standardMinutes(1),
            Duration.standardMinutes(1),
            new ManualClock(Instant.EPOCH)),
        new ConsumerConfigs.DefaultConsumerFactory(),
        ProcessingClock.system());
  }

  private static List<KafkaPartitionRange> rangesOf(List<KafkaRangeSource> sources) {
    List<KafkaPartitionRange> ranges = new ArrayList<>();
    for (KafkaRangeSource source : sources) {
      ranges.addAll(source.ranges());
    }
    return ranges;
  }

  @Test
  void splitsIntoOneSourcePerPartition() throws Exception {
    KafkaPartitionRange orders0 = KafkaPartitionRange.of("orders", 0, 10, 20);
    KafkaPartitionRange orders1 = KafkaPartitionRange.of("orders", 1, 0, 5);

    List<KafkaRangeSource> splits = source(orders0, orders1).split(Long.MAX_VALUE, OPTIONS);

    assertThat(rangesOf(splits), contains(orders0, orders1));
  }

  @Test
  void halvesLargeRangesByOffsetDownToTheDesiredSize() throws Exception {
    KafkaPartitionRange big = KafkaPartitionRange.of("orders", 0, 1000, 9000);

    List<KafkaRangeSource> splits = source(big).split(2000 * 1024, OPTIONS);

    assertThat(
        rangesOf(splits),
        contains(
            KafkaPartitionRange.of("orders", 0, 1000, 3000),
            KafkaPartitionRange.of("orders", 0, 3000, 5000),
            KafkaPartitionRange.of("orders", 0, 5000, 7000),
            KafkaPartitionRange.of("orders", 0, 7000, 9000)));
  }

  @Test
  void doesNotSplitBelowTheMinimumNumberOfOffsets() throws Exception {
    KafkaPartitionRange small = KafkaPartitionRange.of("orders", 0, 0, 1999);

    assertThat(rangesOf(source(small).split(1, OPTIONS)), contains(small));
  }

  @Test
  void estimatesOneKibPerOffset() throws Exception {
    assertThat(
        source(KafkaPartitionRange.of("orders", 0, 10, 20), KafkaPartitionRange.of("a", 3, 0, 5))
            .getEstimatedSizeBytes(OPTIONS),
        equalTo(15L * 1024));
  }

  @Test
  void readsNothingWhenEveryPartitionIsEmpty() throws Exception {
    KafkaRangeSource empty = source();
    List<KafkaRangeSource> splits = empty.split(1024, OPTIONS);

    assertThat(splits.size(), equalTo(1));
    try (var reader = splits.get(0).createReader(OPTIONS)) {
      assertThat(reader.start(), equalTo(false));
      assertThat(reader.getFractionConsumed(), equalTo(1.0));
    }
  }

  @Test
  void readsInBatchesThatEndWithWhatTheConsumerFetched() throws Exception {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.NONE);
    consumer.schedulePollTask(poll(consumer, 0, 4));
    consumer.schedulePollTask(poll(consumer, 5, 9));
    KafkaRangeSource source =
        new KafkaRangeSource(
            "localhost:9092",
            Map.of(),
            List.of(KafkaPartitionRange.of("orders", 0, 0, 8)),
            TimestampRange.between(T0, T0.plus(Duration.standardHours(1))),
            new EventTimePolicyFactory(
                new PayloadIsTheTime(),
                Duration.standardMinutes(1),
                Duration.standardMinutes(1),
                new ManualClock(T0)),
            config -> consumer,
            ProcessingClock.system());

    List<List<Long>> batches = new ArrayList<>();
    List<Instant> batchTimestamps = new ArrayList<>();
    try (var reader = source.createReader(OPTIONS)) {
      for (boolean more = reader.start(); more; more = reader.advance()) {
        List<Long> offsets = new ArrayList<>();
        for (TimestampedValue<SourceRecord> record : reader.getCurrent()) {
          long offset = record.getValue().getPosition().getOffset();
          offsets.add(offset);
          assertThat(
              record.getTimestamp(), equalTo(T0.plus(Duration.standardSeconds(10 - offset))));
        }
        batches.add(offsets);
        batchTimestamps.add(reader.getCurrentTimestamp());
      }
      assertThat(reader.getFractionConsumed(), equalTo(1.0));
    }

    // Offset 3 is outside the range of Kafka timestamps, 8 and 9 past the range's end.
    assertThat(batches, contains(List.of(0L, 1L, 2L, 4L), List.of(5L, 6L, 7L)));
    assertThat(
        batchTimestamps,
        contains(T0.plus(Duration.standardSeconds(6)), T0.plus(Duration.standardSeconds(3))));
  }

  @Test
  void mustBeSplitBeforeReadingSeveralRanges() {
    KafkaRangeSource unsplit =
        source(
            KafkaPartitionRange.of("orders", 0, 0, 1), KafkaPartitionRange.of("orders", 1, 0, 1));
    assertThrows(IllegalStateException.class, () -> unsplit.createReader(OPTIONS));
  }

  @Test
  void isSerializable() {
    KafkaRangeSource source = source(KafkaPartitionRange.of("orders", 0, 10, 20));
    assertThat(SerializableUtils.clone(source).ranges(), equalTo(source.ranges()));
  }

  @Test
  void partitionRangesCheckTheirOffsets() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KafkaPartitionRange.of("o", 0, 5, 4));
    assertThat(
        e.getMessage(),
        equalTo("A partition range needs 0 <= startOffset <= endOffset, was o-0 [5, 4)"));
    assertThat(
        KafkaPartitionRange.of("orders", 2, 10, 30).toString(),
        equalTo("orders-2 [10, 30): 20 offsets"));
  }
}
