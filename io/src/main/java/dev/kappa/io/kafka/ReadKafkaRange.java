package dev.kappa.io.kafka;

import com.google.auto.value.AutoValue;
import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the records of Kafka topics between two instants as a <b>bounded</b> collection of {@link
 * SourceRecord}s, for backfills: the Flink runner then runs the pipeline in batch mode. (KafkaIO
 * with a stop time stays unbounded, apache/beam#18353, and a start time fails on a partition with
 * nothing after it, apache/beam#21610.)
 *
 * <p><b>Which records.</b> Every record whose Kafka timestamp lies in {@code [from, to)}, whatever
 * the order of timestamps in the partition (producers set them; one record stamped in 2099 may sit
 * between records of today). At launch (when the pipeline is built) each partition's offsets are
 * resolved with a consumer: from the first offset whose timestamp is at or after {@code from} (no
 * earlier offset can hold a record in range) to the partition's end offset at launch. The readers
 * scan those offsets and keep the records in range; the others are skipped and counted by reason,
 * in the counters {@code skippedBeforeFrom} and {@code skippedAtOrAfterTo} and in each reader's
 * progress lines. A partition with no record at or after {@code from} contributes nothing: it is
 * reported by {@link #plan()} and in the launch log, and is not an error. {@link Kafka#readUntil}
 * reads from each partition's first offset instead (a table's whole change history up to {@code
 * to}).
 *
 * <p><b>Timestamps</b> are event times from {@link #withEventTime} (required); a record whose event
 * time cannot be extracted is still emitted, stamped with the greatest event time seen so far by
 * its reader (or its Kafka timestamp if there is none yet), for the decoding step to dead-letter.
 *
 * <p><b>Reading.</b> One split per partition, halved by offsets for large ranges; plain consumers,
 * no consumer group, nothing committed, so the same range read twice gives the same records. If
 * retention deletes offsets of the range before they are read, the read fails rather than skip them
 * ({@code auto.offset.reset=none}; {@link #withConsumerConfig} may change it). Each reader logs its
 * progress every 5 s and at the end ({@code partition orders-0: 12000/50000 records (24%), 8000
 * rec/s, ~5 s left; 11990 in range, skipped 6 before from, 4 at or after to}); counters {@code
 * records} and {@code records-<topic>-<partition>} (records in range), {@code bytes} (these three
 * in the step {@code CountRecords} after the source, see {@link CountRecordsFn}), {@code
 * skippedBeforeFrom}, {@code skippedAtOrAfterTo} and {@code recordsWithoutEventTime}.
 *
 * <pre>{@code
 * ReadKafkaRange march =
 *     Kafka.readRange(
 *             "broker:9092",
 *             List.of("orders"),
 *             Instant.parse("2024-03-01T00:00:00Z"),
 *             Instant.parse("2024-04-01T00:00:00Z"))
 *         .withEventTime(new OrderEventTime());
 * march.plan().forEach(range -> System.out.println(range)); // orders-0 [1200, 9000): 7800 offsets
 * PCollection<SourceRecord> orders = pipeline.apply("ReadOrders", march);
 * }</pre>
 */
@AutoValue
public abstract class ReadKafkaRange extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReadKafkaRange.class);

  /** The plan resolved by the first call to {@link #plan()} or {@link #expand}. */
  private transient volatile @Nullable List<KafkaPartitionRange> resolvedPlan;

  /** The servers, topics, event time and consumer settings it shares with {@link ReadKafka}. */
  abstract KafkaReadSettings settings();

  abstract TimestampRange timestamps();

  /** Whether records are stamped with their event time (else with the beginning of time). */
  abstract boolean stampsEventTime();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setSettings(KafkaReadSettings settings);

    abstract Builder setTimestamps(TimestampRange timestamps);

    abstract Builder setStampsEventTime(boolean stamps);

    abstract ReadKafkaRange build();
  }

  static ReadKafkaRange of(String bootstrapServers, List<String> topics, Instant from, Instant to) {
    return of(bootstrapServers, topics, TimestampRange.between(from, to));
  }

  static ReadKafkaRange until(String bootstrapServers, List<String> topics, Instant to) {
    return of(bootstrapServers, topics, TimestampRange.before(to));
  }

  private static ReadKafkaRange of(
      String bootstrapServers, List<String> topics, TimestampRange timestamps) {
    return new AutoValue_ReadKafkaRange.Builder()
        .setSettings(KafkaReadSettings.of(bootstrapServers, topics))
        .setTimestamps(timestamps)
        .setStampsEventTime(true)
        .build();
  }

  /**
   * Returns a read that stamps each record with the event time {@code eventTime} extracts from it.
   * Required. It gets a copy of each record.
   */
  public ReadKafkaRange withEventTime(SerializableFunction<SourceRecord, Instant> eventTime) {
    return toBuilder().setSettings(settings().withEventTime(eventTime)).build();
  }

  /**
   * Returns a read that stamps no event time: every record gets the beginning of time as its
   * timestamp, as {@code Files.read} gives, for a pipeline that decodes each record once and stamps
   * it there (a bounded read has no watermark for the stamps to move). Replaces {@link
   * #withEventTime}, whose function is then never called.
   */
  public ReadKafkaRange withoutEventTime() {
    return toBuilder().setStampsEventTime(false).build();
  }

  /**
   * Returns a read with these extra consumer settings (e.g. {@code isolation.level=read_committed},
   * security settings), added to those given before. {@code bootstrap.servers}, {@code group.id},
   * {@code enable.auto.commit} and the deserializers are rejected. Values must be serializable.
   */
  public ReadKafkaRange withConsumerConfig(Map<String, Object> consumerConfig) {
    return toBuilder().setSettings(settings().withConsumerConfig(consumerConfig)).build();
  }

  /** Visible for testing: creates consumers with {@code consumerFactory}. */
  ReadKafkaRange withConsumerFactory(
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory) {
    return toBuilder().setSettings(settings().withConsumerFactory(consumerFactory)).build();
  }

  /** Visible for testing: measures progress with {@code clock}. */
  ReadKafkaRange withClock(ProcessingClock clock) {
    return toBuilder().setSettings(settings().withClock(clock)).build();
  }

  /**
   * The offsets this read covers, one range per partition of every topic, including the empty ones.
   * Resolved with a consumer on the first call (or when the pipeline is built, whichever comes
   * first) and then kept, so the plan reported is the plan read.
   *
   * @throws IllegalArgumentException if a topic does not exist
   */
  public List<KafkaPartitionRange> plan() {
    List<KafkaPartitionRange> plan = resolvedPlan;
    if (plan == null) {
      synchronized (this) {
        plan = resolvedPlan;
        if (plan == null) {
          plan = resolve();
          resolvedPlan = plan;
        }
      }
    }
    return plan;
  }

  private List<KafkaPartitionRange> resolve() {
    List<KafkaPartitionRange> plan =
        settings()
            .plan(
                settings().consumerConfig(),
                (consumer, partitions) ->
                    OffsetPlanner.timeRange(consumer, partitions, timestamps()));
    LOG.info(
        "Kafka.readRange({}, {}) scans {}; records whose Kafka timestamp is outside the range are"
            + " skipped and counted (before from, at or after to)",
        settings().topics(),
        timestamps(),
        OffsetPlanner.describe(plan));
    return Collections.unmodifiableList(new ArrayList<>(plan));
  }

  /**
   * The readers' consumer settings: unless the user chose otherwise, a reader whose offsets were
   * deleted (by retention) after launch fails instead of silently skipping to another offset.
   */
  Map<String, Object> readerConsumerConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.putAll(settings().consumerConfig());
    return Collections.unmodifiableMap(config);
  }

  /**
   * Reads the whole range now, in this process, if it spans at most {@code maxOffsets} offsets: for
   * a small bounded input, such as a table's change history, that a job wants as a value rather
   * than as a step. The records are those the step would emit (the same plan, consumers and
   * timestamp filter), partition by partition in offset order; no event time is extracted. Returns
   * null, having read nothing, if the plan spans more offsets.
   *
   * @throws IOException if a partition cannot be read
   */
  public @Nullable List<SourceRecord> readNow(long maxOffsets) throws IOException {
    if (maxOffsets < 0) {
      throw new IllegalArgumentException("maxOffsets must not be negative, was " + maxOffsets);
    }
    List<KafkaPartitionRange> plan = plan();
    long offsets = plan.stream().mapToLong(KafkaPartitionRange::count).sum();
    if (offsets > maxOffsets) {
      return null;
    }
    KafkaReadSettings settings = settings();
    KafkaRangeSource source =
        new KafkaRangeSource(
            settings.bootstrapServers(),
            readerConsumerConfig(),
            KafkaReadSettings.nonEmpty(plan),
            timestamps(),
            new EventTimePolicyFactory(
                null,
                BoundedOutOfOrdernessWatermark.DEFAULT_MAX_OUT_OF_ORDERNESS,
                BoundedOutOfOrdernessWatermark.DEFAULT_IDLE_TIMEOUT,
                settings.clock()),
            settings.consumerFactory(),
            settings.clock());
    List<SourceRecord> records = new ArrayList<>();
    for (KafkaRangeSource partition :
        source.split(Long.MAX_VALUE, PipelineOptionsFactory.create())) {
      try (BoundedSource.BoundedReader<List<TimestampedValue<SourceRecord>>> reader =
          partition.createReader(PipelineOptionsFactory.create())) {
        for (boolean more = reader.start(); more; more = reader.advance()) {
          for (TimestampedValue<SourceRecord> record : reader.getCurrent()) {
            records.add(record.getValue());
          }
        }
      }
    }
    return records;
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    KafkaReadSettings settings = settings();
    EventTimePolicyFactory policies =
        new EventTimePolicyFactory(
            stampsEventTime()
                ? settings.requireEventTime("Kafka.readRange(" + settings.topics() + ", ...)")
                : null,
            BoundedOutOfOrdernessWatermark.DEFAULT_MAX_OUT_OF_ORDERNESS,
            BoundedOutOfOrdernessWatermark.DEFAULT_IDLE_TIMEOUT,
            settings.clock());
    return input
        .apply(
            "ReadOffsetRanges",
            Read.from(
                new KafkaRangeSource(
                    settings.bootstrapServers(),
                    readerConsumerConfig(),
                    KafkaReadSettings.nonEmpty(plan()),
                    timestamps(),
                    policies,
                    settings.consumerFactory(),
                    settings.clock())))
        .apply("CountRecords", ParDo.of(new CountRecordsFn.OfBatches(ReadKafkaRange.class, true)));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    settings().populateDisplayData(builder);
    builder
        .addIfNotNull(DisplayData.item("from", timestamps().from()).withLabel("From (inclusive)"))
        .add(DisplayData.item("to", timestamps().to()).withLabel("To (exclusive)"));
  }
}
