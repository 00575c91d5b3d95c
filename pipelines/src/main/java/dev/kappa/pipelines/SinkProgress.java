package dev.kappa.pipelines;

import dev.kappa.options.InvalidOptionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The progress Beam's exactly-once Kafka sink ({@code KafkaIO.write().withEOS}) keeps in Kafka: per
 * shard {@code i}, the sink group's committed offset of partition {@code i} of the output topic,
 * whose metadata is {@code {"seq": <last sequence id>, "id": "<writer id>"}}. The writer id is also
 * in the job's state, and the two must agree: progress in Kafka without a writer id in the state (a
 * fresh start with a used sink group, or a restore from a checkpoint or savepoint taken before the
 * sink's first transaction was) fails the writer on every attempt (docs/reliability.md, known
 * defect 1). Kappa refuses the fresh start at launch, and {@code kappa reset-sink} deletes the
 * progress for the restore.
 */
public final class SinkProgress {
  private SinkProgress() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The sink group of the exactly-once output to {@code topic}: {@code <sinkGroupId>-<topic>}. */
  public static String group(String sinkGroupId, String topic) {
    return sinkGroupId + "-" + topic;
  }

  /** Per partition (shard) of {@code topic}, the metadata {@code group} committed, if any. */
  public static Map<Integer, String> committed(
      String bootstrapServers, String group, String topic) {
    return committed(bootstrapServers, group, topic, Map.of());
  }

  /** {@link #committed(String, String, String)} with the Kafka client settings {@code client}. */
  public static Map<Integer, String> committed(
      String bootstrapServers, String group, String topic, Map<String, Object> client) {
    try (Admin admin = admin(bootstrapServers, client)) {
      return committed(admin, group, topic);
    }
  }

  /**
   * Deletes what {@code group} committed for {@code topic} and returns it, per partition (shard).
   * The group must have no active members (the sink's writers never join it).
   */
  public static Map<Integer, String> reset(
      String bootstrapServers, String group, String topic, Map<String, Object> client) {
    try (Admin admin = admin(bootstrapServers, client)) {
      Map<Integer, String> committed = committed(admin, group, topic);
      if (!committed.isEmpty()) {
        List<TopicPartition> partitions =
            committed.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
        admin
            .deleteConsumerGroupOffsets(group, Set.copyOf(partitions))
            .all()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
      return committed;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not delete the offsets of group " + group + " for topic " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while resetting group " + group, e);
    }
  }

  /**
   * Refuses a fresh start (no savepoint or checkpoint to restore) of an exactly-once output whose
   * sink group already has progress in Kafka: Beam's writer would fail on every attempt with "Kafka
   * metadata exists for shard ..., but there is no stored state for it".
   *
   * @throws InvalidOptionException naming {@code --sinkGroupId}, or {@code --bootstrapServers} when
   *     the broker cannot be asked
   */
  public static void refuseUsedGroupOnFreshStart(
      String bootstrapServers, String sinkGroupId, String topic) {
    refuseUsedGroupOnFreshStart(bootstrapServers, sinkGroupId, topic, Map.of());
  }

  /** {@link #refuseUsedGroupOnFreshStart(String, String, String)} with client settings. */
  public static void refuseUsedGroupOnFreshStart(
      String bootstrapServers, String sinkGroupId, String topic, Map<String, Object> client) {
    String group = group(sinkGroupId, topic);
    Map<Integer, String> committed;
    try {
      committed = committed(bootstrapServers, group, topic, client);
    } catch (IllegalStateException e) {
      throw new InvalidOptionException(
          "bootstrapServers",
          "the exactly-once output to "
              + topic
              + " is checked for earlier progress at launch, and "
              + e.getMessage(),
          e);
    }
    if (!committed.isEmpty()) {
      throw new InvalidOptionException(
          "sinkGroupId",
          "'"
              + sinkGroupId
              + "' already wrote to topic "
              + topic
              + " exactly once (group "
              + group
              + " has progress "
              + committed
              + "), and a job that starts without --savepointPath has no state for it: Beam's"
              + " sink would fail on every attempt. Resume the job that wrote it"
              + " (--savepointPath=<its savepoint or last retained checkpoint>), or choose a new"
              + " --sinkGroupId, or run 'kappa reset-sink "
              + topic
              + " --sinkGroupId="
              + sinkGroupId
              + "' first (see docs/reliability.md)");
    }
  }

  private static Map<Integer, String> committed(Admin admin, String group, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<Integer, String> committed = new TreeMap<>();
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : offsets.entrySet()) {
        OffsetAndMetadata offset = entry.getValue();
        if (entry.getKey().topic().equals(topic) && offset != null) {
          committed.put(entry.getKey().partition(), offset.metadata());
        }
      }
      return committed;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not read the offsets of group " + group + " at the Kafka broker: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading group " + group, e);
    }
  }

  private static Admin admin(String bootstrapServers, Map<String, Object> client) {
    Map<String, Object> config = new HashMap<>(client);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return Admin.create(config);
  }
}
