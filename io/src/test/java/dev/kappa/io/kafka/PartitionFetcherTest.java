package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Where a partition's offset range starts and stops, with Kafka's mock consumer. */
class PartitionFetcherTest {
  private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
  private static final Duration POLL = Duration.ofMillis(1);

  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>(OffsetResetStrategy.NONE);

  private void add(long... offsets) {
    for (long offset : offsets) {
      consumer.addRecord(
          new ConsumerRecord<>("orders", 0, offset, null, new byte[] {(byte) offset}));
    }
  }

  /** Offsets returned until the fetcher is done or {@code polls} polls returned nothing. */
  private static List<Long> drain(PartitionFetcher fetcher, int polls) {
    List<Long> offsets = new ArrayList<>();
    int emptyPolls = 0;
    while (!fetcher.isDone() && emptyPolls < polls) {
      ConsumerRecord<byte[], byte[]> record = fetcher.next(POLL);
      if (record == null) {
        emptyPolls++;
      } else {
        offsets.add(record.offset());
      }
    }
    return offsets;
  }

  @Test
  void readsTheRangeAcrossCompactedGapsAndNothingPastItsEnd() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 2, 8), 2);
    add(2, 3, 5, 6, 8, 9);

    assertThat(drain(fetcher, 3), contains(2L, 3L, 5L, 6L));
    assertThat(fetcher.isDone(), equalTo(true));
    assertThat(fetcher.nextOffset(), equalTo(8L));
  }

  @Test
  void stopsWhenThePositionPassesTheEndWithoutARecordThere() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 0, 5), 0);
    add(0, 1, 2);

    assertThat(drain(fetcher, 1), contains(0L, 1L, 2L));
    assertThat(fetcher.isDone(), equalTo(false));

    // Offsets 3 and 4 are transaction markers: the consumer skips them without a record.
    consumer.schedulePollTask(() -> consumer.seek(ORDERS_0, 5));
    assertThat(fetcher.next(POLL), nullValue());
    assertThat(fetcher.isDone(), equalTo(true));
    assertThat(fetcher.nextOffset(), equalTo(5L));
  }

  @Test
  void waitsWhileTheRangeIsNotDone() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 0, 3), 0);

    assertThat(drain(fetcher, 3), empty());
    assertThat(fetcher.isDone(), equalTo(false));
    assertThat(fetcher.nextOffset(), equalTo(0L));
  }

  @Test
  void resumesAtACheckpointedOffset() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 0, 4), 2);
    add(0, 1, 2, 3);

    assertThat(drain(fetcher, 3), contains(2L, 3L));
    assertThat(fetcher.isDone(), equalTo(true));
  }

  @Test
  void anEmptyRangeIsDoneWithoutReading() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 7, 7), 7);

    assertThat(fetcher.isDone(), equalTo(true));
    assertThat(fetcher.next(POLL), nullValue());
    assertThat(consumer.assignment(), empty());
  }

  @Test
  void commitsTheGivenOffsetForTheGroup() {
    PartitionFetcher fetcher =
        new PartitionFetcher(consumer, KafkaPartitionRange.of("orders", 0, 0, 4), 0);

    fetcher.commit(3);

    assertThat(consumer.committed(java.util.Set.of(ORDERS_0)).get(ORDERS_0).offset(), equalTo(3L));
  }
}
