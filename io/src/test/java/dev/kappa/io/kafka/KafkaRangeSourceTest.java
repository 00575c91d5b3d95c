package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.EventTimePolicyTest.PayloadIsTheTime;
import dev.kappa.io.watermark.ProcessingClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Splitting and size estimates; reading is tested against a broker in ReadKafkaRangeIT. */
class KafkaRangeSourceTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

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
