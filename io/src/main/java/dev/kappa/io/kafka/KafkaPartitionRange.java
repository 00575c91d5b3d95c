package dev.kappa.io.kafka;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets of one Kafka partition that a read covers: from {@link #startOffset()} (inclusive) to
 * {@link #endOffset()} (exclusive). {@link ReadKafkaRange#plan()} reports one per partition, so
 * that a launcher can show what a backfill will read before it runs, including the partitions that
 * contribute nothing.
 *
 * <p>{@link #count()} counts offsets: on a compacted or transactional topic some offsets hold no
 * record (removed records, transaction markers), so the records read may be fewer.
 */
@AutoValue
public abstract class KafkaPartitionRange implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The topic. */
  public abstract String topic();

  /** The partition number. */
  public abstract int partition();

  /** The first offset to read. */
  public abstract long startOffset();

  /** The offset after the last one to read. */
  public abstract long endOffset();

  static KafkaPartitionRange of(String topic, int partition, long startOffset, long endOffset) {
    if (startOffset < 0 || endOffset < startOffset) {
      throw new IllegalArgumentException(
          "A partition range needs 0 <= startOffset <= endOffset, was "
              + topic
              + "-"
              + partition
              + " ["
              + startOffset
              + ", "
              + endOffset
              + ")");
    }
    return new AutoValue_KafkaPartitionRange(topic, partition, startOffset, endOffset);
  }

  /** The number of offsets in the range (an upper bound on the records in it). */
  public long count() {
    return endOffset() - startOffset();
  }

  /** Whether the partition contributes nothing. */
  public boolean isEmpty() {
    return count() == 0;
  }

  /** The partition as Kafka names it, e.g. {@code orders-0}. */
  public String partitionName() {
    return topic() + "-" + partition();
  }

  TopicPartition topicPartition() {
    return new TopicPartition(topic(), partition());
  }

  /** The offsets {@code [from, to)} of this partition; must lie within this range. */
  KafkaPartitionRange slice(long from, long to) {
    if (from < startOffset() || to > endOffset() || to < from) {
      throw new IllegalArgumentException(
          "[" + from + ", " + to + ") is not within " + this.toString());
    }
    return of(topic(), partition(), from, to);
  }

  @Override
  public final String toString() {
    return partitionName()
        + " ["
        + startOffset()
        + ", "
        + endOffset()
        + "): "
        + count()
        + " offsets";
  }
}
