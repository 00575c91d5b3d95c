package dev.kappa.io.kafka;

import com.google.auto.value.AutoValue;
import dev.kappa.io.Checks;
import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Kafka topics as an unbounded stream of {@link SourceRecord}s: every record with its exact
 * key and value bytes and its topic, partition and offset ({@code system="kafka"}), stamped with
 * its event time. Decoding is left to the next step, so that a record that cannot be decoded still
 * has its bytes and position when it becomes a dead letter.
 *
 * <ul>
 *   <li><b>Event time</b> comes from the payload through {@link #withEventTime} (required). A
 *       record whose event time cannot be extracted (the function throws or returns null) is still
 *       emitted, never dropped, stamped with the greatest event time seen in its partition (or its
 *       Kafka timestamp if there is none yet), for the decoding step to dead-letter.
 *   <li><b>Watermark</b> per partition, the shared {@link BoundedOutOfOrdernessWatermark}: the
 *       greatest event time seen minus {@link #withMaxOutOfOrderness} (default one minute). When a
 *       partition has no backlog and no record for {@link #withIdleTimeout} (default one minute),
 *       it advances with the wall clock, so that a quiet partition does not stall the pipeline.
 *   <li><b>Offsets.</b> Kafka's automatic commit is off. With {@link #withConsumerGroup}, offsets
 *       are committed when the runner finalizes a checkpoint ({@link #withCommitOffsetsInFinalize},
 *       on by default), so a restarted job without its checkpoint resumes where the group left off.
 *       A group without committed offsets starts from the earliest offset ({@code
 *       auto.offset.reset=earliest}, which {@link #withConsumerConfig} may change).
 *   <li><b>Stop at the end.</b> {@link #withStopAtEndOffsets()} resolves each partition's end
 *       offset when the pipeline is built and stops there: the stream is still unbounded and
 *       processed exactly like live data, but once every partition is read the watermark goes to
 *       the end of time and the job finishes. For tests and "stream until caught up" runs.
 * </ul>
 *
 * <p>Live reads run on KafkaIO ({@code KafkaIO.read()} with byte-array deserializers and a
 * timestamp policy factory); {@link #withStopAtEndOffsets()} reads fixed offset ranges with Kappa's
 * own unbounded source and the same timestamp policy (KafkaIO's stop offsets exist only on {@code
 * readSourceDescriptors()}, which takes no timestamp policy). Counters, per step: {@code records},
 * {@code bytes}, {@code recordsWithoutEventTime}.
 *
 * <pre>{@code
 * PCollection<SourceRecord> orders =
 *     pipeline.apply(
 *         "ReadOrders",
 *         Kafka.read("broker:9092", List.of("orders"))
 *             .withEventTime(new OrderEventTime())
 *             .withConsumerGroup("order-revenue")
 *             .withMaxOutOfOrderness(Duration.standardSeconds(30)));
 * }</pre>
 */
@AutoValue
public abstract class ReadKafka extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReadKafka.class);

  /**
   * The servers, topics, event time and consumer settings it shares with {@link ReadKafkaRange}.
   */
  abstract KafkaReadSettings settings();

  abstract Duration maxOutOfOrderness();

  abstract Duration idleTimeout();

  abstract @Nullable String consumerGroup();

  abstract boolean commitOffsetsInFinalize();

  abstract boolean stopAtEndOffsets();

  /** Whether the consumer commits offsets on its own timer (live reads only). */
  abstract boolean autoCommit();

  /** Per partition, the offset to stop before; empty unless {@link #withStopAtOffsets}. */
  abstract Map<TopicPartition, Long> stopOffsets();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setSettings(KafkaReadSettings settings);

    abstract Builder setMaxOutOfOrderness(Duration maxOutOfOrderness);

    abstract Builder setIdleTimeout(Duration idleTimeout);

    abstract Builder setConsumerGroup(String consumerGroup);

    abstract Builder setCommitOffsetsInFinalize(boolean commitOffsetsInFinalize);

    abstract Builder setStopAtEndOffsets(boolean stopAtEndOffsets);

    abstract Builder setAutoCommit(boolean autoCommit);

    abstract Builder setStopOffsets(Map<TopicPartition, Long> stopOffsets);

    abstract ReadKafka build();
  }

  static ReadKafka of(String bootstrapServers, List<String> topics) {
    return new AutoValue_ReadKafka.Builder()
        .setSettings(KafkaReadSettings.of(bootstrapServers, topics))
        .setMaxOutOfOrderness(BoundedOutOfOrdernessWatermark.DEFAULT_MAX_OUT_OF_ORDERNESS)
        .setIdleTimeout(BoundedOutOfOrdernessWatermark.DEFAULT_IDLE_TIMEOUT)
        .setCommitOffsetsInFinalize(true)
        .setStopAtEndOffsets(false)
        .setAutoCommit(false)
        .setStopOffsets(Collections.emptyMap())
        .build();
  }

  /**
   * Returns a read that stamps each record with the event time {@code eventTime} extracts from it.
   * Required. It gets a copy of each record; if it throws or returns null, see the class
   * documentation.
   */
  public ReadKafka withEventTime(SerializableFunction<SourceRecord, Instant> eventTime) {
    return toBuilder().setSettings(settings().withEventTime(eventTime)).build();
  }

  /**
   * Returns a read whose watermark trails the greatest event time seen in each partition by {@code
   * maxOutOfOrderness}. Must be {@code >= 0}; default one minute.
   */
  public ReadKafka withMaxOutOfOrderness(Duration maxOutOfOrderness) {
    return toBuilder()
        .setMaxOutOfOrderness(
            BoundedOutOfOrdernessWatermark.checkMaxOutOfOrderness(maxOutOfOrderness))
        .build();
  }

  /**
   * Returns a read that treats a partition with no backlog and no record for {@code idleTimeout} as
   * idle, advancing its watermark with the wall clock. Must be {@code > 0}; default one minute.
   */
  public ReadKafka withIdleTimeout(Duration idleTimeout) {
    return toBuilder()
        .setIdleTimeout(BoundedOutOfOrdernessWatermark.checkIdleTimeout(idleTimeout))
        .build();
  }

  /** Returns a read in the Kafka consumer group {@code groupId}, whose offsets it commits. */
  public ReadKafka withConsumerGroup(String groupId) {
    return toBuilder().setConsumerGroup(Checks.nonEmpty("consumerGroup", groupId)).build();
  }

  /**
   * Returns a read that does ({@code true}, the default) or does not commit the consumer group's
   * offsets when the runner finalizes a checkpoint. Committing needs {@link #withConsumerGroup}.
   */
  public ReadKafka withCommitOffsetsInFinalize(boolean commitOffsetsInFinalize) {
    return toBuilder().setCommitOffsetsInFinalize(commitOffsetsInFinalize).build();
  }

  /**
   * Returns a read with these extra consumer settings (e.g. {@code isolation.level}, {@code
   * auto.offset.reset}, security settings), added to those given before. Settings that have their
   * own method or that Kappa controls are rejected: {@code bootstrap.servers}, {@code group.id},
   * {@code enable.auto.commit}, the deserializers. Values must be serializable.
   */
  public ReadKafka withConsumerConfig(Map<String, Object> consumerConfig) {
    return toBuilder().setSettings(settings().withConsumerConfig(consumerConfig)).build();
  }

  /**
   * Returns a read that resolves each partition's end offset when the pipeline is built and stops
   * there; the watermark then goes to the end of time and the job finishes.
   */
  public ReadKafka withStopAtEndOffsets() {
    return toBuilder().setStopAtEndOffsets(true).build();
  }

  /**
   * Returns a live read whose consumer commits the group's offsets on its own timer ({@code
   * enable.auto.commit}) instead of on checkpoints. Only safe without checkpointing: with it, a
   * commit can cover records a failed checkpoint never processed, which a restore then skips
   * (apache/beam#21742). Needs {@link #withConsumerGroup}; turns commit-on-finalize off.
   */
  public ReadKafka withAutoCommit() {
    return toBuilder().setAutoCommit(true).setCommitOffsetsInFinalize(false).build();
  }

  /**
   * Returns a read that stops each partition before the given offset, even if that offset has not
   * been written yet: the stream waits for it. For runs that must end at a known point while the
   * data is still being produced (a paced demo or test). Every partition of the topics needs an
   * offset.
   */
  public ReadKafka withStopAtOffsets(Map<TopicPartition, Long> offsets) {
    Checks.notNull("stopOffsets", offsets);
    if (offsets.isEmpty()) {
      throw new IllegalArgumentException("stopOffsets must name at least one partition");
    }
    offsets.forEach(
        (partition, offset) -> {
          if (offset == null || offset < 0) {
            throw new IllegalArgumentException(
                "stopOffsets must be >= 0, was " + offset + " for " + partition);
          }
        });
    return toBuilder()
        .setStopOffsets(Collections.unmodifiableMap(new LinkedHashMap<>(offsets)))
        .build();
  }

  /** Visible for testing: creates Kappa's own consumers with {@code consumerFactory}. */
  ReadKafka withConsumerFactory(
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory) {
    return toBuilder().setSettings(settings().withConsumerFactory(consumerFactory)).build();
  }

  /** Visible for testing: measures idleness with {@code clock}. */
  ReadKafka withClock(ProcessingClock clock) {
    return toBuilder().setSettings(settings().withClock(clock)).build();
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    EventTimePolicyFactory policies = policies();
    Map<String, Object> config = effectiveConsumerConfig();
    if (stopAtEndOffsets() && !stopOffsets().isEmpty()) {
      throw new IllegalStateException(
          "Kafka.read("
              + topics()
              + ") has both withStopAtEndOffsets() and withStopAtOffsets(...); choose one.");
    }
    if (autoCommit() && (consumerGroup() == null || commitOffsetsInFinalize())) {
      throw new IllegalStateException(
          "Kafka.read("
              + topics()
              + ").withAutoCommit() needs withConsumerGroup(...) and no commit-on-finalize.");
    }
    if (stopAtEndOffsets() || !stopOffsets().isEmpty()) {
      if (autoCommit()) {
        throw new IllegalStateException(
            "Kafka.read("
                + topics()
                + ") reads fixed offset ranges, whose offsets are committed on checkpoints;"
                + " withAutoCommit() applies to live reads only.");
      }
      KafkaReadSettings settings = settings();
      return input
          .apply(
              "ReadToEndOffsets",
              Read.from(
                  new KafkaToEndSource(
                      settings.bootstrapServers(),
                      config,
                      KafkaReadSettings.nonEmpty(planToEnd(config)),
                      policies,
                      commitOffsetsInFinalize(),
                      settings.consumerFactory(),
                      settings.clock())))
          .apply("CountRecords", ParDo.of(new CountRecordsFn(ReadKafka.class, false)));
    }
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(settings().bootstrapServers())
            .withTopics(settings().topics())
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerConfigUpdates(config)
            .withTimestampPolicyFactory(policies);
    if (commitOffsetsInFinalize()) {
      read = read.commitOffsetsInFinalize();
    }
    return input
        .apply("ReadFromKafka", read)
        .apply("ToSourceRecords", ParDo.of(new ToSourceRecordFn()))
        .setCoder(SpecificRecordCoder.of(SourceRecord.class));
  }

  private List<String> topics() {
    return settings().topics();
  }

  /** The timestamp policies for these settings; checks the settings that depend on each other. */
  EventTimePolicyFactory policies() {
    SerializableFunction<SourceRecord, Instant> eventTime =
        settings().requireEventTime("Kafka.read(" + topics() + ")");
    if (commitOffsetsInFinalize() && consumerGroup() == null) {
      throw new IllegalStateException(
          "Kafka.read("
              + topics()
              + ") commits offsets on checkpoints (commitOffsetsInFinalize, on by default), which"
              + " needs withConsumerGroup(...); or turn it off with"
              + " withCommitOffsetsInFinalize(false).");
    }
    return new EventTimePolicyFactory(
        eventTime, maxOutOfOrderness(), idleTimeout(), settings().clock());
  }

  /** The consumer settings KafkaIO and Kappa's own consumers get, beyond bootstrap servers. */
  Map<String, Object> effectiveConsumerConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putAll(settings().consumerConfig());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit());
    String group = consumerGroup();
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return Collections.unmodifiableMap(config);
  }

  private List<KafkaPartitionRange> planToEnd(Map<String, Object> config) {
    List<KafkaPartitionRange> plan = settings().plan(config, OffsetPlanner::toEnd);
    if (!stopOffsets().isEmpty()) {
      plan = withStops(plan);
    }
    LOG.info(
        "Kafka.read({}) stops at {} and reads {}",
        topics(),
        stopOffsets().isEmpty() ? "the end offsets at launch" : "the given offsets",
        OffsetPlanner.describe(plan));
    return plan;
  }

  /** The plan with each partition's end replaced by its stop offset. */
  private List<KafkaPartitionRange> withStops(List<KafkaPartitionRange> plan) {
    List<KafkaPartitionRange> stopped = new ArrayList<>();
    for (KafkaPartitionRange range : plan) {
      Long stop = stopOffsets().get(new TopicPartition(range.topic(), range.partition()));
      if (stop == null) {
        throw new IllegalStateException(
            "Kafka.read("
                + topics()
                + ").withStopAtOffsets(...) has no offset for "
                + range.partitionName()
                + "; give one for every partition");
      }
      stopped.add(
          KafkaPartitionRange.of(
              range.topic(), range.partition(), Math.min(range.startOffset(), stop), stop));
    }
    return stopped;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    settings().populateDisplayData(builder);
    builder
        .addIfNotNull(DisplayData.item("consumerGroup", consumerGroup()).withLabel("Group"))
        .add(
            DisplayData.item("commitOffsetsInFinalize", commitOffsetsInFinalize())
                .withLabel("Commit offsets on checkpoints"))
        .add(
            DisplayData.item("maxOutOfOrderness", maxOutOfOrderness())
                .withLabel("Max out-of-orderness"))
        .add(DisplayData.item("idleTimeout", idleTimeout()).withLabel("Idle timeout"))
        .add(
            DisplayData.item("stopAtEndOffsets", stopAtEndOffsets())
                .withLabel("Stop at end offsets"));
  }
}
