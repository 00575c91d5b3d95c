package dev.kappa.io.kafka;

import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Fetches the records of one partition's offset range with a consumer of its own: assign, seek to
 * the start, poll until the end.
 *
 * <p>The end is reached when the consumer's position is at or past the end offset, not when a
 * record with offset {@code end − 1} arrives: on compacted topics that record may be gone, and on
 * transactional topics the last offsets may be transaction markers, which the consumer skips
 * without returning a record. Records at or past the end offset are never returned.
 */
final class PartitionFetcher implements AutoCloseable {
  private final Consumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final long endOffset;
  private Iterator<ConsumerRecord<byte[], byte[]>> buffered = Collections.emptyIterator();
  private long nextOffset;

  /** Starts fetching {@code range} at {@code startAt} (its start, or a checkpointed offset). */
  PartitionFetcher(Consumer<byte[], byte[]> consumer, KafkaPartitionRange range, long startAt) {
    this.consumer = consumer;
    this.partition = range.topicPartition();
    this.endOffset = range.endOffset();
    this.nextOffset = startAt;
    if (startAt < endOffset) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, startAt);
    }
  }

  /** Whether every offset before the end offset has been read. */
  boolean isDone() {
    return nextOffset >= endOffset;
  }

  /** The offset to resume from: all offsets before it have been returned or skipped. */
  long nextOffset() {
    return nextOffset;
  }

  /**
   * Whether {@link #next} may have a record without asking the broker: records of the last fetch
   * are left to return. (They may still all lie at or past the end offset.)
   */
  boolean hasBuffered() {
    return buffered.hasNext();
  }

  /**
   * The next record of the range, or null if none arrived within {@code timeout} or the range is
   * done.
   */
  @Nullable ConsumerRecord<byte[], byte[]> next(Duration timeout) {
    if (isDone()) {
      return null;
    }
    if (!buffered.hasNext()) {
      buffered = consumer.poll(timeout).records(partition).iterator();
    }
    while (buffered.hasNext()) {
      ConsumerRecord<byte[], byte[]> record = buffered.next();
      if (record.offset() < nextOffset) {
        continue;
      }
      if (record.offset() >= endOffset) {
        nextOffset = endOffset;
        buffered = Collections.emptyIterator();
        return null;
      }
      nextOffset = record.offset() + 1;
      return record;
    }
    // Everything fetched has been returned: the position also covers skipped offsets
    // (transaction markers, compacted records).
    nextOffset = Math.max(nextOffset, consumer.position(partition, OffsetPlanner.REQUEST_TIMEOUT));
    if (nextOffset > endOffset) {
      nextOffset = endOffset;
    }
    return null;
  }

  /** Commits {@code offset} as the next offset of the consumer group to read. */
  void commit(long offset) {
    consumer.commitSync(
        Collections.singletonMap(partition, new OffsetAndMetadata(offset)),
        OffsetPlanner.REQUEST_TIMEOUT);
  }

  /**
   * Closes the consumer without waiting for the broker: nothing is left to send (no group to leave,
   * offsets only ever committed synchronously), and a wait would last {@code fetch.max.wait.ms}
   * (500 ms), the time the broker holds the fetch that the consumer sent ahead for records after
   * the end, before it answers the request that closes the fetch session.
   */
  @Override
  public void close() {
    consumer.close(Duration.ZERO);
  }
}
