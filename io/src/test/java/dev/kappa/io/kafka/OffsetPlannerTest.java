package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * How a time range becomes offsets, given the broker's answers; against a real broker (and its time
 * index) in ReadKafkaRangeIT.
 */
class OffsetPlannerTest {
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-03-02T00:00:00Z");
  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);
  private static final TopicPartition P2 = new TopicPartition("orders", 2);

  /** Kafka's mock consumer, answering offsetsForTimes from a table (it does not implement it). */
  private static final class Broker extends MockConsumer<byte[], byte[]> {
    private final Map<TopicPartition, Map<Long, Long>> firstOffsetAtOrAfter = new HashMap<>();

    Broker() {
      super(OffsetResetStrategy.NONE);
    }

    void firstOffsetAtOrAfter(TopicPartition partition, Instant time, long offset) {
      firstOffsetAtOrAfter
          .computeIfAbsent(partition, p -> new HashMap<>())
          .put(time.getMillis(), offset);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> timestamps) {
      Map<TopicPartition, OffsetAndTimestamp> answers = new HashMap<>();
      timestamps.forEach(
          (partition, time) -> {
            Long offset = firstOffsetAtOrAfter.getOrDefault(partition, Map.of()).get(time);
            answers.put(partition, offset == null ? null : new OffsetAndTimestamp(offset, time));
          });
      return answers;
    }
  }

  private final Broker broker = new Broker();

  @Test
  void startsAtTheFirstOffsetAtOrAfterFromAndEndsAtTheEndOffset() {
    broker.updateEndOffsets(Map.of(P0, 100L, P1, 50L));
    broker.firstOffsetAtOrAfter(P0, FROM, 10);
    broker.firstOffsetAtOrAfter(P1, FROM, 0);
    // Where offsetsForTimes(to) would point (a record stamped 2099 at offset 20) does not matter.
    broker.firstOffsetAtOrAfter(P0, TO, 20);

    assertThat(
        OffsetPlanner.timeRange(broker, List.of(P0, P1), TimestampRange.between(FROM, TO)),
        contains(
            KafkaPartitionRange.of("orders", 0, 10, 100),
            KafkaPartitionRange.of("orders", 1, 0, 50)));
  }

  @Test
  void aPartitionWithNothingAtOrAfterFromIsEmptyAtItsEnd() {
    broker.updateEndOffsets(Map.of(P0, 7L, P2, 0L));

    List<KafkaPartitionRange> plan =
        OffsetPlanner.timeRange(broker, List.of(P0, P2), TimestampRange.between(FROM, TO));

    assertThat(
        plan,
        contains(
            KafkaPartitionRange.of("orders", 0, 7, 7), KafkaPartitionRange.of("orders", 2, 0, 0)));
    assertThat(
        OffsetPlanner.describe(plan),
        equalTo("0 offsets in 0 of 2 partitions; nothing to read in orders-0, orders-2"));
  }

  @Test
  void aStartWrittenAfterTheEndOffsetsWereTakenIsNotRead() {
    broker.updateEndOffsets(Map.of(P0, 40L));
    broker.firstOffsetAtOrAfter(P0, FROM, 45);

    assertThat(
        OffsetPlanner.timeRange(broker, List.of(P0), TimestampRange.between(FROM, TO)),
        contains(KafkaPartitionRange.of("orders", 0, 40, 40)));
  }

  @Test
  void withoutFromEveryPartitionStartsAtItsFirstOffset() {
    broker.updateBeginningOffsets(Map.of(P0, 3L, P1, 0L));
    broker.updateEndOffsets(Map.of(P0, 30L, P1, 0L));
    broker.firstOffsetAtOrAfter(P0, TO, 5);

    assertThat(
        OffsetPlanner.timeRange(broker, List.of(P0, P1), TimestampRange.before(TO)),
        contains(
            KafkaPartitionRange.of("orders", 0, 3, 30), KafkaPartitionRange.of("orders", 1, 0, 0)));
  }
}
