package dev.kappa.io.kafka;

import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;

/**
 * One partition range being read by a plain consumer of Kappa's own: what the bounded reader of
 * {@link KafkaRangeSource} and the unbounded one of {@link KafkaToEndSource} share. It fetches the
 * records of the range in offset order ({@link PartitionFetcher}), logs progress ({@link
 * ReadProgress}), and turns each record it keeps into a {@link SourceRecord} stamped by the
 * partition's {@link EventTimePolicy}. The records are counted in the step after the source ({@link
 * CountRecordsFn}), not here.
 *
 * <p>The sources themselves keep their own fields: their Java-serialized form is part of a Flink
 * savepoint, so the static helpers here take the fields instead.
 */
final class PartitionRead implements AutoCloseable {
  private final KafkaPartitionRange range;
  private final PartitionFetcher fetcher;
  private final ReadProgress progress;
  private final EventTimePolicy policy;

  /**
   * Starts reading {@code range} at {@code startAt} with a new consumer; progress is logged to
   * {@code log} as {@code label}.
   */
  PartitionRead(
      Consumer<byte[], byte[]> consumer,
      KafkaPartitionRange range,
      long startAt,
      String label,
      Logger log,
      ProcessingClock clock,
      EventTimePolicy policy) {
    this.range = range;
    this.fetcher = new PartitionFetcher(consumer, range, startAt);
    this.progress =
        new ReadProgress(
            log,
            label,
            range.count(),
            Math.min(startAt, range.endOffset()) - range.startOffset(),
            clock);
    this.policy = policy;
  }

  /** The next record of the range, or null if none came within {@code timeout}. */
  @Nullable ConsumerRecord<byte[], byte[]> fetch(Duration timeout) {
    return fetcher.next(timeout);
  }

  /** Tells the progress log how far the fetcher is. */
  void progressed() {
    progress.update(fetcher.nextOffset() - range.startOffset());
  }

  /** {@code record} as a {@link SourceRecord}, with its event time. */
  TimestampedValue<SourceRecord> stamp(ConsumerRecord<byte[], byte[]> record) {
    SourceRecord sourceRecord = SourceRecords.of(record);
    return TimestampedValue.of(sourceRecord, policy.timestampFor(sourceRecord, record.timestamp()));
  }

  /** Whether the next {@link #fetch} may return a record without asking the broker. */
  boolean hasBuffered() {
    return fetcher.hasBuffered();
  }

  /** True once every offset of the range has been fetched. */
  boolean isDone() {
    return fetcher.isDone();
  }

  /** Logs the last progress line. */
  void finish() {
    progress.finish(range.count());
  }

  long nextOffset() {
    return fetcher.nextOffset();
  }

  ReadProgress progress() {
    return progress;
  }

  PartitionFetcher fetcher() {
    return fetcher;
  }

  @Override
  public void close() {
    fetcher.close();
  }

  /**
   * The one range of a split source (null if it has none); a source with several must be split into
   * one source per range before it is read.
   */
  static @Nullable KafkaPartitionRange onlyRange(List<KafkaPartitionRange> ranges) {
    if (ranges.size() > 1) {
      throw new IllegalStateException(
          "A Kafka source must be split into one source per range before reading; got " + ranges);
    }
    return ranges.isEmpty() ? null : ranges.get(0);
  }

  /** The servers and ranges of a source, as both sources show them. */
  static void populateDisplayData(
      DisplayData.Builder builder, String bootstrapServers, List<KafkaPartitionRange> ranges) {
    builder
        .add(DisplayData.item("bootstrapServers", bootstrapServers).withLabel("Bootstrap servers"))
        .add(DisplayData.item("ranges", ranges.toString()).withLabel("Offset ranges"));
  }
}
