package dev.kappa.io.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * Resolves, with a consumer and at the moment it is called (pipeline construction, i.e. launch),
 * which offsets of each partition a read covers.
 */
final class OffsetPlanner {
  /** How long to wait for the broker's answer to each metadata and offset request. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private OffsetPlanner() {}

  /** How a read resolves its offsets, given a consumer and the partitions of its topics. */
  interface Plan {
    List<KafkaPartitionRange> resolve(
        Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions);
  }

  /** The partitions of {@code topics}, in topic then partition order; fails on a missing topic. */
  static List<TopicPartition> partitionsOf(
      Consumer<byte[], byte[]> consumer, List<String> topics, String bootstrapServers) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, REQUEST_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException(
            "Kafka topic \"" + topic + "\" does not exist at " + bootstrapServers);
      }
      List<TopicPartition> ofTopic = new ArrayList<>();
      for (PartitionInfo info : infos) {
        ofTopic.add(new TopicPartition(info.topic(), info.partition()));
      }
      ofTopic.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      partitions.addAll(ofTopic);
    }
    return partitions;
  }

  /**
   * Per partition: from the first offset whose Kafka timestamp is at or after the range's start
   * (the partition's first offset when the range has no start) to the partition's end offset now. A
   * partition with no record at or after the start gets an empty range at its end offset.
   *
   * <p>The end is not resolved by timestamp: Kafka timestamps are not in offset order, so the first
   * record at or after {@code to} (say one stamped in 2099 by a wrong clock) may come before
   * records that are in range. The reader keeps only the records in {@code range} and counts the
   * others. The start is exact: {@code offsetsForTimes} returns the first offset whose timestamp is
   * at or after {@code from} (the time index records the greatest timestamp so far), so no earlier
   * offset holds a record in range.
   */
  static List<KafkaPartitionRange> timeRange(
      Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, TimestampRange range) {
    Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, REQUEST_TIMEOUT);
    Map<TopicPartition, Long> startOffsets = new HashMap<>();
    Instant from = range.from();
    if (from == null) {
      startOffsets.putAll(consumer.beginningOffsets(partitions, REQUEST_TIMEOUT));
    } else {
      Map<TopicPartition, Long> fromQuery = new HashMap<>();
      for (TopicPartition partition : partitions) {
        fromQuery.put(partition, from.getMillis());
      }
      consumer
          .offsetsForTimes(fromQuery, REQUEST_TIMEOUT)
          .forEach(
              (partition, start) -> {
                if (start != null) {
                  startOffsets.put(partition, start.offset());
                }
              });
    }
    List<KafkaPartitionRange> ranges = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      long endOffset = endOffsets.get(partition);
      long startOffset = Math.min(startOffsets.getOrDefault(partition, endOffset), endOffset);
      ranges.add(
          KafkaPartitionRange.of(partition.topic(), partition.partition(), startOffset, endOffset));
    }
    return ranges;
  }

  /**
   * Per partition: from where a consumer with this configuration would start (the group's committed
   * offset, else {@code auto.offset.reset}) to the partition's end offset now.
   */
  static List<KafkaPartitionRange> toEnd(
      Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
    consumer.assign(partitions);
    Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, REQUEST_TIMEOUT);
    List<KafkaPartitionRange> ranges = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      long endOffset = endOffsets.get(partition);
      long startOffset = Math.min(consumer.position(partition, REQUEST_TIMEOUT), endOffset);
      ranges.add(
          KafkaPartitionRange.of(partition.topic(), partition.partition(), startOffset, endOffset));
    }
    return ranges;
  }

  /** One line describing a plan, for the launch log. */
  static String describe(List<KafkaPartitionRange> ranges) {
    long total = 0;
    List<String> empty = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (KafkaPartitionRange range : ranges) {
      total += range.count();
      if (range.isEmpty()) {
        empty.add(range.partitionName());
      } else {
        line.append(line.length() == 0 ? "" : "; ").append(range);
      }
    }
    return total
        + " offsets in "
        + (ranges.size() - empty.size())
        + " of "
        + ranges.size()
        + " partitions"
        + (line.length() == 0 ? "" : ": " + line)
        + (empty.isEmpty() ? "" : "; nothing to read in " + String.join(", ", empty));
  }
}
