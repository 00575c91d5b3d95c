package dev.kappa.io.kafka;

import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded source behind {@link ReadKafkaRange}: fixed offset ranges, resolved at launch, read
 * with plain consumers (no consumer group, nothing committed), keeping the records whose Kafka
 * timestamps are in the {@link TimestampRange} and counting the others by reason.
 *
 * <p>The root source holds every non-empty partition range and splits into one source per
 * partition; a range larger than the desired bundle size is halved by offsets until it is not (or
 * reaches {@link #MIN_SPLIT_OFFSETS}). Sizes are estimated as offsets × {@link
 * #ESTIMATED_RECORD_BYTES}, since Kafka does not tell record sizes without reading them.
 *
 * <p>The reader returns the records in batches, each record with its own timestamp, and the step
 * after the source ({@link CountRecordsFn.OfBatches}) emits them one by one. Beam's Flink runner
 * does a fixed amount of work after each element a reader returns (it hands the step's metrics to
 * Flink, see {@link CountRecordsFn}): per batch of a few hundred records instead of per record, it
 * no longer shows in a backfill's profile (docs/performance.md, issue 11 part 13).
 */
final class KafkaRangeSource extends BoundedSource<List<TimestampedValue<SourceRecord>>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReadKafkaRange.class);

  /** The assumed size of one record (key and value), for size estimates. */
  static final long ESTIMATED_RECORD_BYTES = 1024;

  /** Ranges are not split below this many offsets: each split costs a consumer. */
  static final long MIN_SPLIT_OFFSETS = 1000;

  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

  /**
   * The most records in one batch. The consumer returns at most {@code max.poll.records} (500 by
   * default) per poll, and a batch ends with them, so this bounds only a larger setting.
   */
  static final int MAX_BATCH_RECORDS = 1000;

  private final String bootstrapServers;
  private final Map<String, Object> consumerConfig;
  private final List<KafkaPartitionRange> ranges;
  private final TimestampRange timestamps;
  private final EventTimePolicyFactory policies;
  private final SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory;
  private final ProcessingClock clock;
  private final boolean partOfPartition;

  KafkaRangeSource(
      String bootstrapServers,
      Map<String, Object> consumerConfig,
      List<KafkaPartitionRange> ranges,
      TimestampRange timestamps,
      EventTimePolicyFactory policies,
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory,
      ProcessingClock clock) {
    this(
        bootstrapServers,
        consumerConfig,
        ranges,
        timestamps,
        policies,
        consumerFactory,
        clock,
        false);
  }

  private KafkaRangeSource(
      String bootstrapServers,
      Map<String, Object> consumerConfig,
      List<KafkaPartitionRange> ranges,
      TimestampRange timestamps,
      EventTimePolicyFactory policies,
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory,
      ProcessingClock clock,
      boolean partOfPartition) {
    this.bootstrapServers = bootstrapServers;
    this.consumerConfig = consumerConfig;
    this.ranges = List.copyOf(ranges);
    this.timestamps = timestamps;
    this.policies = policies;
    this.consumerFactory = consumerFactory;
    this.clock = clock;
    this.partOfPartition = partOfPartition;
  }

  List<KafkaPartitionRange> ranges() {
    return ranges;
  }

  EventTimePolicyFactory policies() {
    return policies;
  }

  private KafkaRangeSource withRange(KafkaPartitionRange range, boolean partOfPartition) {
    return new KafkaRangeSource(
        bootstrapServers,
        consumerConfig,
        List.of(range),
        timestamps,
        policies,
        consumerFactory,
        clock,
        partOfPartition);
  }

  @Override
  public List<KafkaRangeSource> split(long desiredBundleSizeBytes, PipelineOptions options) {
    List<KafkaRangeSource> splits = new ArrayList<>();
    for (KafkaPartitionRange range : ranges) {
      List<KafkaPartitionRange> pieces = halve(range, desiredBundleSizeBytes);
      for (KafkaPartitionRange piece : pieces) {
        splits.add(withRange(piece, pieces.size() > 1 || partOfPartition));
      }
    }
    if (splits.isEmpty()) {
      splits.add(this);
    }
    return splits;
  }

  /** {@code range}, halved by offsets until each piece is at most {@code desiredBytes}. */
  static List<KafkaPartitionRange> halve(KafkaPartitionRange range, long desiredBytes) {
    List<KafkaPartitionRange> pieces = new ArrayList<>();
    if (range.count() * ESTIMATED_RECORD_BYTES <= desiredBytes
        || range.count() < 2 * MIN_SPLIT_OFFSETS) {
      pieces.add(range);
      return pieces;
    }
    long middle = range.startOffset() + range.count() / 2;
    pieces.addAll(halve(range.slice(range.startOffset(), middle), desiredBytes));
    pieces.addAll(halve(range.slice(middle, range.endOffset()), desiredBytes));
    return pieces;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    long offsets = 0;
    for (KafkaPartitionRange range : ranges) {
      offsets += range.count();
    }
    return offsets * ESTIMATED_RECORD_BYTES;
  }

  @Override
  public BoundedReader<List<TimestampedValue<SourceRecord>>> createReader(PipelineOptions options) {
    return new RangeReader(this, PartitionRead.onlyRange(ranges));
  }

  @Override
  public Coder<List<TimestampedValue<SourceRecord>>> getOutputCoder() {
    return batchCoder();
  }

  /** The coder of the source's batches. */
  static Coder<List<TimestampedValue<SourceRecord>>> batchCoder() {
    return ListCoder.of(
        TimestampedValue.TimestampedValueCoder.of(SpecificRecordCoder.of(SourceRecord.class)));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    PartitionRead.populateDisplayData(builder, bootstrapServers, ranges);
  }

  /**
   * Reads one offset range in order, in batches; see {@link PartitionFetcher} for where it stops.
   */
  static final class RangeReader extends BoundedReader<List<TimestampedValue<SourceRecord>>> {
    private static final Counter SKIPPED_BEFORE_FROM =
        Metrics.counter(ReadKafkaRange.class, "skippedBeforeFrom");
    private static final Counter SKIPPED_AT_OR_AFTER_TO =
        Metrics.counter(ReadKafkaRange.class, "skippedAtOrAfterTo");

    private final KafkaRangeSource source;
    private final @Nullable KafkaPartitionRange range;
    private @Nullable PartitionRead read;
    private @Nullable List<TimestampedValue<SourceRecord>> batch;
    private @Nullable Instant batchTimestamp;
    private boolean finished;
    private long inRange;
    private long beforeFrom;
    private long atOrAfterTo;

    RangeReader(KafkaRangeSource source, @Nullable KafkaPartitionRange range) {
      this.source = source;
      this.range = range;
    }

    @Override
    public boolean start() throws IOException {
      KafkaPartitionRange range = this.range;
      if (range == null) {
        finished = true;
        return false;
      }
      PartitionRead read =
          new PartitionRead(
              ConsumerConfigs.open(
                  source.consumerFactory, source.bootstrapServers, source.consumerConfig),
              range,
              range.startOffset(),
              label(range),
              LOG,
              source.clock,
              source.policies.create(null));
      this.read = read;
      read.progress().counted(0, 0, 0);
      LOG.info("Reading {}", range);
      return advance();
    }

    /** The partition's name, with the offsets when this reader covers only part of a partition. */
    private String label(KafkaPartitionRange range) {
      return source.partOfPartition
          ? range.partitionName() + " [" + range.startOffset() + ", " + range.endOffset() + ")"
          : range.partitionName();
    }

    /**
     * The next batch: the records in range among those the consumer has fetched, at least one and
     * at most {@link #MAX_BATCH_RECORDS}, in offset order. It ends where the consumer would have to
     * ask the broker again, so a batch never waits for records it could already have passed on.
     */
    @Override
    public boolean advance() throws IOException {
      batch = null;
      batchTimestamp = null;
      PartitionRead read = this.read;
      if (read == null || finished) {
        return false;
      }
      List<TimestampedValue<SourceRecord>> records = new ArrayList<>();
      Instant earliest = null;
      while (!read.isDone()) {
        ConsumerRecord<byte[], byte[]> record = read.fetch(POLL_TIMEOUT);
        if (record != null && keep(record, read.progress())) {
          TimestampedValue<SourceRecord> stamped = read.stamp(record);
          records.add(stamped);
          if (earliest == null || stamped.getTimestamp().isBefore(earliest)) {
            earliest = stamped.getTimestamp();
          }
        } else {
          // Waiting for the broker, or skipping records outside the range: the progress line
          // still comes every few seconds. (A batch's records are reported with it, below.)
          read.progressed();
        }
        if (earliest != null && (records.size() >= MAX_BATCH_RECORDS || !read.hasBuffered())) {
          break;
        }
      }
      read.progressed();
      if (earliest != null) {
        batch = records;
        batchTimestamp = earliest;
        return true;
      }
      finished = true;
      read.finish();
      return false;
    }

    /**
     * Whether {@code record}'s Kafka timestamp is in range; counts it by verdict and tells the
     * progress line.
     */
    private boolean keep(ConsumerRecord<byte[], byte[]> record, ReadProgress progress) {
      TimestampRange.Verdict verdict = source.timestamps.classify(record.timestamp());
      switch (verdict) {
        case IN_RANGE:
          inRange++;
          break;
        case BEFORE_FROM:
          beforeFrom++;
          SKIPPED_BEFORE_FROM.inc();
          break;
        case AT_OR_AFTER_TO:
          atOrAfterTo++;
          SKIPPED_AT_OR_AFTER_TO.inc();
          break;
      }
      progress.counted(inRange, beforeFrom, atOrAfterTo);
      return verdict == TimestampRange.Verdict.IN_RANGE;
    }

    @Override
    public List<TimestampedValue<SourceRecord>> getCurrent() {
      List<TimestampedValue<SourceRecord>> current = batch;
      if (current == null) {
        throw new NoSuchElementException("No current batch in " + range);
      }
      return current;
    }

    /** The earliest timestamp in the batch: each record comes out with its own after the source. */
    @Override
    public Instant getCurrentTimestamp() {
      Instant current = batchTimestamp;
      if (current == null) {
        throw new NoSuchElementException("No current batch in " + range);
      }
      return current;
    }

    @Override
    public @Nullable Double getFractionConsumed() {
      KafkaPartitionRange range = this.range;
      PartitionRead read = this.read;
      if (range == null || range.isEmpty() || finished) {
        return 1.0;
      }
      if (read == null) {
        return 0.0;
      }
      return (read.nextOffset() - range.startOffset()) / (double) range.count();
    }

    @Override
    public KafkaRangeSource getCurrentSource() {
      return source;
    }

    @Override
    public void close() {
      PartitionRead read = this.read;
      this.read = null;
      if (read != null) {
        read.close();
      }
    }
  }
}
