package dev.kappa.io.kafka;

import com.google.auto.value.AutoValue;
import dev.kappa.io.Checks;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What {@link ReadKafka} and {@link ReadKafkaRange} are both configured with, checked and defaulted
 * in one place: the servers and topics, the event-time function, the user's consumer settings, and
 * the seams tests replace (the consumer factory and the processing clock). Also opens the plain
 * consumers Kappa uses itself, to resolve offsets at launch.
 */
@AutoValue
abstract class KafkaReadSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  abstract String bootstrapServers();

  abstract List<String> topics();

  abstract @Nullable SerializableFunction<SourceRecord, Instant> eventTime();

  abstract Map<String, Object> consumerConfig();

  abstract SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory();

  abstract ProcessingClock clock();

  abstract Builder toBuilder();

  /** The settings with the consumer settings' names only: their values may hold credentials. */
  @Override
  public final String toString() {
    return "KafkaReadSettings{bootstrapServers="
        + bootstrapServers()
        + ", topics="
        + topics()
        + ", consumerConfig keys="
        + new java.util.TreeSet<>(consumerConfig().keySet())
        + "}";
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBootstrapServers(String bootstrapServers);

    abstract Builder setTopics(List<String> topics);

    abstract Builder setEventTime(SerializableFunction<SourceRecord, Instant> eventTime);

    abstract Builder setConsumerConfig(Map<String, Object> consumerConfig);

    abstract Builder setConsumerFactory(
        SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory);

    abstract Builder setClock(ProcessingClock clock);

    abstract KafkaReadSettings build();
  }

  /** Reads {@code topics} from {@code bootstrapServers}: no extra settings, real consumers. */
  static KafkaReadSettings of(String bootstrapServers, List<String> topics) {
    return new AutoValue_KafkaReadSettings.Builder()
        .setBootstrapServers(Settings.bootstrapServers(bootstrapServers))
        .setTopics(Settings.topics(topics))
        .setConsumerConfig(Collections.emptyMap())
        .setConsumerFactory(new ConsumerConfigs.DefaultConsumerFactory())
        .setClock(ProcessingClock.system())
        .build();
  }

  KafkaReadSettings withEventTime(SerializableFunction<SourceRecord, Instant> eventTime) {
    return toBuilder().setEventTime(Checks.notNull("eventTime", eventTime)).build();
  }

  /**
   * Adds {@code consumerConfig} to the settings given before; see {@link ConsumerConfigs#merge}.
   */
  KafkaReadSettings withConsumerConfig(Map<String, Object> consumerConfig) {
    return toBuilder()
        .setConsumerConfig(ConsumerConfigs.merge(consumerConfig(), consumerConfig))
        .build();
  }

  KafkaReadSettings withConsumerFactory(
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory) {
    return toBuilder()
        .setConsumerFactory(Checks.notNull("consumerFactory", consumerFactory))
        .build();
  }

  KafkaReadSettings withClock(ProcessingClock clock) {
    return toBuilder().setClock(Checks.notNull("clock", clock)).build();
  }

  /** The event-time function; {@code read} (e.g. {@code Kafka.read([orders])}) must have one. */
  SerializableFunction<SourceRecord, Instant> requireEventTime(String read) {
    SerializableFunction<SourceRecord, Instant> eventTime = eventTime();
    if (eventTime == null) {
      throw new IllegalStateException(
          read + " needs withEventTime(...): the function that gives each record its event time.");
    }
    return eventTime;
  }

  /**
   * Resolves offsets with a plain consumer of Kappa's own ({@code config} beyond the servers),
   * given the partitions of every topic; the consumer is closed afterwards.
   *
   * @throws IllegalArgumentException if a topic does not exist
   */
  List<KafkaPartitionRange> plan(Map<String, Object> config, OffsetPlanner.Plan plan) {
    try (Consumer<byte[], byte[]> consumer =
        ConsumerConfigs.open(consumerFactory(), bootstrapServers(), config)) {
      List<TopicPartition> partitions =
          OffsetPlanner.partitionsOf(consumer, topics(), bootstrapServers());
      return plan.resolve(consumer, partitions);
    }
  }

  /** The ranges of {@code plan} that hold at least one offset: those a source reads. */
  static List<KafkaPartitionRange> nonEmpty(List<KafkaPartitionRange> plan) {
    List<KafkaPartitionRange> toRead = new ArrayList<>();
    for (KafkaPartitionRange range : plan) {
      if (!range.isEmpty()) {
        toRead.add(range);
      }
    }
    return toRead;
  }

  /** The servers and topics, as every Kafka transform shows them. */
  void populateDisplayData(DisplayData.Builder builder) {
    builder
        .add(
            DisplayData.item("bootstrapServers", bootstrapServers()).withLabel("Bootstrap servers"))
        .add(DisplayData.item("topics", String.join(",", topics())).withLabel("Topics"));
  }
}
