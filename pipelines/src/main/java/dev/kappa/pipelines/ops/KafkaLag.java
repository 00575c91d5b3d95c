package dev.kappa.pipelines.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * How far a consumer group is behind the end of its topics, per partition: the end offset minus the
 * group's committed offset. A Kappa job commits its Kafka source's offsets for its consumer group
 * ({@code --consumerGroup}, by default {@code kappa-<pipeline>}) when a Flink checkpoint completes,
 * so the lag counts what arrived since the job's last checkpoint, not only what it has not read.
 */
final class KafkaLag {
  private KafkaLag() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * One partition: the group's committed offset (null if none), the partition's end offset, and the
   * records in between (null without a committed offset).
   */
  record PartitionLag(
      String topic, int partition, @Nullable Long committed, long end, @Nullable Long lag) {
    static PartitionLag of(String topic, int partition, @Nullable Long committed, long end) {
      return new PartitionLag(
          topic,
          partition,
          committed,
          end,
          committed == null ? null : Math.max(0, end - committed));
    }
  }

  /** The lag of {@code group} at {@code bootstrapServers}, partitions sorted. */
  record Report(String bootstrapServers, String group, List<PartitionLag> partitions) {
    /** Whether the group has committed an offset for any partition. */
    boolean hasCommits() {
      return partitions.stream().anyMatch(p -> p.committed() != null);
    }

    /** The lag summed over the partitions with a committed offset. */
    long totalLag() {
      return partitions.stream()
          .map(PartitionLag::lag)
          .filter(lag -> lag != null)
          .mapToLong(Long::longValue)
          .sum();
    }
  }

  /**
   * Reads the group's committed offsets and the end offsets of the partitions it committed for; if
   * {@code topics} are given, of every partition of those topics and no others.
   *
   * @throws IllegalStateException naming the servers if Kafka does not answer within 10 s
   */
  static Report read(String bootstrapServers, String group, List<String> topics) {
    return read(bootstrapServers, group, topics, Map.of());
  }

  /** {@link #read(String, String, List)} with the Kafka client settings {@code client}. */
  static Report read(
      String bootstrapServers, String group, List<String> topics, Map<String, Object> client) {
    Properties config = new Properties();
    config.putAll(client);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(config)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
      Set<TopicPartition> partitions =
          new TreeSet<>(
              Comparator.comparing(TopicPartition::topic)
                  .thenComparingInt(TopicPartition::partition));
      committed.forEach(
          (partition, offset) -> {
            if (offset != null && (topics.isEmpty() || topics.contains(partition.topic()))) {
              partitions.add(partition);
            }
          });
      if (!topics.isEmpty()) {
        Map<String, TopicDescription> descriptions =
            await(admin.describeTopics(topics).allTopicNames());
        for (TopicDescription description : descriptions.values()) {
          for (TopicPartitionInfo info : description.partitions()) {
            partitions.add(new TopicPartition(description.name(), info.partition()));
          }
        }
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          latest.isEmpty() ? Map.of() : await(admin.listOffsets(latest).all());
      List<PartitionLag> lags = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        lags.add(
            PartitionLag.of(
                partition.topic(),
                partition.partition(),
                offset == null ? null : offset.offset(),
                ends.get(partition).offset()));
      }
      return new Report(bootstrapServers, group, List.copyOf(lags));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw notAnswering(bootstrapServers, e);
      }
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " could not list the lag of group "
              + group
              + ": "
              + e.getCause(),
          e);
    } catch (TimeoutException e) {
      throw notAnswering(bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading Kafka's offsets", e);
    }
  }

  private static IllegalStateException notAnswering(String bootstrapServers, Exception cause) {
    return new IllegalStateException(
        "Kafka at "
            + bootstrapServers
            + " did not answer within "
            + TIMEOUT.toSeconds()
            + " s (--bootstrapServers chooses another)",
        cause);
  }

  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future)
      throws ExecutionException, TimeoutException, InterruptedException {
    return future.get(TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
  }
}
