package dev.kappa.io.kafka;

import dev.kappa.io.UnboundedRecordSource;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unbounded source behind {@link ReadKafka#withStopAtEndOffsets()}: each partition from where
 * the consumer group (or {@code auto.offset.reset}) starts to the end offset it had at launch.
 *
 * <p>It is unbounded, so the pipeline runs in streaming mode exactly as it does on live data, with
 * the same {@link EventTimePolicy}; but each reader stops at its end offset, its watermark then
 * jumps to the end of time, and once every partition is done the job finishes. One split per
 * partition. Offsets are committed when a checkpoint is finalized, if the read commits offsets.
 */
final class KafkaToEndSource extends UnboundedRecordSource<OffsetCheckpoint> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReadKafka.class);

  /** How long one {@code advance()} may wait for records: runners call it in a loop. */
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final String bootstrapServers;
  private final Map<String, Object> consumerConfig;
  private final List<KafkaPartitionRange> ranges;
  private final EventTimePolicyFactory policies;
  private final boolean commitOffsets;
  private final SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory;
  private final ProcessingClock clock;

  KafkaToEndSource(
      String bootstrapServers,
      Map<String, Object> consumerConfig,
      List<KafkaPartitionRange> ranges,
      EventTimePolicyFactory policies,
      boolean commitOffsets,
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory,
      ProcessingClock clock) {
    this.bootstrapServers = bootstrapServers;
    this.consumerConfig = consumerConfig;
    this.ranges = List.copyOf(ranges);
    this.policies = policies;
    this.commitOffsets = commitOffsets;
    this.consumerFactory = consumerFactory;
    this.clock = clock;
  }

  List<KafkaPartitionRange> ranges() {
    return ranges;
  }

  @Override
  public List<KafkaToEndSource> split(int desiredNumSplits, PipelineOptions options) {
    List<KafkaToEndSource> splits = new ArrayList<>();
    for (KafkaPartitionRange range : ranges) {
      splits.add(
          new KafkaToEndSource(
              bootstrapServers,
              consumerConfig,
              List.of(range),
              policies,
              commitOffsets,
              consumerFactory,
              clock));
    }
    if (splits.isEmpty()) {
      splits.add(this);
    }
    return splits;
  }

  @Override
  public ToEndReader createReader(PipelineOptions options, @Nullable OffsetCheckpoint checkpoint) {
    return new ToEndReader(this, PartitionRead.onlyRange(ranges), checkpoint);
  }

  @Override
  public Coder<OffsetCheckpoint> getCheckpointMarkCoder() {
    return OffsetCheckpoint.CODER;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    PartitionRead.populateDisplayData(builder, bootstrapServers, ranges);
    builder.add(DisplayData.item("commitOffsets", commitOffsets).withLabel("Commit offsets"));
  }

  /** Reads one partition up to its end offset, then reports the end of time as its watermark. */
  static final class ToEndReader extends UnboundedReader<SourceRecord> {
    private final KafkaToEndSource source;
    private final @Nullable KafkaPartitionRange range;
    private final long startAt;
    private final EventTimePolicy policy;
    private final AtomicLong pendingCommit = new AtomicLong(-1);
    private @Nullable PartitionRead read;
    private final CurrentRecord current;
    private boolean finished;
    private boolean closed;

    ToEndReader(
        KafkaToEndSource source,
        @Nullable KafkaPartitionRange range,
        @Nullable OffsetCheckpoint checkpoint) {
      this.source = source;
      this.range = range;
      this.current = new CurrentRecord(range);
      this.startAt =
          checkpoint != null ? checkpoint.nextOffset() : range == null ? 0 : range.startOffset();
      this.policy = source.policies.create(checkpoint == null ? null : checkpoint.watermark());
    }

    @Override
    public boolean start() throws IOException {
      KafkaPartitionRange range = this.range;
      if (range == null) {
        finished = true;
        return false;
      }
      read =
          new PartitionRead(
              ConsumerConfigs.open(
                  source.consumerFactory, source.bootstrapServers, source.consumerConfig),
              range,
              startAt,
              range.partitionName(),
              LOG,
              source.clock,
              policy);
      LOG.info("Reading {} from offset {} to the end offset at launch", range, startAt);
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      current.clear();
      PartitionRead read = this.read;
      if (read == null || finished) {
        return false;
      }
      commitRequested(read.fetcher());
      ConsumerRecord<byte[], byte[]> record = read.fetch(POLL_TIMEOUT);
      if (record != null) {
        current.set(read.stamp(record));
        read.progressed();
        return true;
      }
      if (read.isDone()) {
        finished = true;
        read.finish();
      } else {
        read.progressed();
      }
      return false;
    }

    /**
     * Called by a finalized checkpoint: commit {@code offset} from the reading thread, or at once
     * with a consumer of its own if this reader is already closed (a runner may finalize a
     * checkpoint after closing the reader that took it, e.g. when the read has ended).
     */
    void requestCommit(long offset) {
      if (!source.commitOffsets) {
        return;
      }
      synchronized (this) {
        if (!closed) {
          pendingCommit.accumulateAndGet(offset, Math::max);
          return;
        }
      }
      KafkaPartitionRange range = this.range;
      if (range != null) {
        try (Consumer<byte[], byte[]> consumer =
            ConsumerConfigs.open(
                source.consumerFactory, source.bootstrapServers, source.consumerConfig)) {
          consumer.commitSync(
              Map.of(range.topicPartition(), new OffsetAndMetadata(offset)),
              OffsetPlanner.REQUEST_TIMEOUT);
        }
      }
    }

    private void commitRequested(PartitionFetcher fetcher) {
      long offset = pendingCommit.getAndSet(-1);
      if (offset >= 0) {
        fetcher.commit(offset);
      }
    }

    @Override
    public SourceRecord getCurrent() {
      return current.record();
    }

    @Override
    public Instant getCurrentTimestamp() {
      return current.timestamp();
    }

    /** The event-time watermark; the end of time once the end offset is reached. */
    @Override
    public Instant getWatermark() {
      if (finished) {
        return BoundedWindow.TIMESTAMP_MAX_VALUE;
      }
      return policy.watermarkFor(backlog());
    }

    private long backlog() {
      PartitionRead read = this.read;
      KafkaPartitionRange range = this.range;
      if (read == null || range == null) {
        return BACKLOG_UNKNOWN;
      }
      return Math.max(0, range.endOffset() - read.nextOffset());
    }

    @Override
    public OffsetCheckpoint getCheckpointMark() {
      PartitionRead read = this.read;
      long next = read == null ? startAt : read.nextOffset();
      Instant watermark =
          finished ? BoundedWindow.TIMESTAMP_MAX_VALUE : policy.watermarkFor(backlog());
      return new OffsetCheckpoint(next, watermark, source.commitOffsets ? this : null);
    }

    @Override
    public long getSplitBacklogBytes() {
      long backlog = backlog();
      return backlog < 0 ? BACKLOG_UNKNOWN : backlog * KafkaRangeSource.ESTIMATED_RECORD_BYTES;
    }

    @Override
    public KafkaToEndSource getCurrentSource() {
      return source;
    }

    @Override
    public void close() {
      PartitionRead read = this.read;
      this.read = null;
      try {
        synchronized (this) {
          closed = true;
          if (read != null) {
            commitRequested(read.fetcher());
          }
        }
      } finally {
        if (read != null) {
          read.close();
        }
      }
    }
  }
}
