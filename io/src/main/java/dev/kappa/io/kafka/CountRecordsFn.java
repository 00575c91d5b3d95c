package dev.kappa.io.kafka;

import dev.kappa.schemas.common.SourceRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Counts the records of Kappa's own Kafka sources in the step after the source, in the read's
 * namespace: {@code records}, {@code bytes} (key and value) and, if asked, {@code
 * records-<topic>-<partition>}.
 *
 * <p>Why not in the source's reader: Beam's Flink runner hands every metric of a source's step to
 * Flink after each record the reader returns ({@code ReaderInvocationUtil.invokeAdvance} calls
 * {@code FlinkMetricContainerBase.updateMetrics}, which queries the step's whole container and
 * builds each metric's Flink name again): in a 4 M-order backfill, 28% of the CPU samples had
 * Beam's metrics on the stack, much of it there (docs/performance.md, issue 11 part 12). A DoFn's
 * metrics are handed over once per bundle. The source's reader keeps only counters that rarely move
 * (records outside the range, records without an event time).
 */
final class CountRecordsFn extends DoFn<SourceRecord, SourceRecord> {
  private static final long serialVersionUID = 1L;

  private final String namespace;
  private final boolean perPartition;
  private final Counter records;
  private final Counter bytes;
  private transient @Nullable Map<String, Counter> partitions;
  // Records come in runs of one partition: the last one's counter, without a name per record.
  private transient @Nullable String lastTopic;
  private transient int lastPartition;
  private transient @Nullable Counter lastCounter;

  /**
   * @param namespace the read's class, whose name is the counters' namespace
   * @param perPartition whether to count {@code records-<topic>-<partition>} too
   */
  CountRecordsFn(Class<?> namespace, boolean perPartition) {
    this.namespace = namespace.getName();
    this.perPartition = perPartition;
    this.records = Metrics.counter(this.namespace, "records");
    this.bytes = Metrics.counter(this.namespace, "bytes");
  }

  @ProcessElement
  public void processElement(@Element SourceRecord record, OutputReceiver<SourceRecord> output) {
    records.inc();
    bytes.inc(SourceRecords.sizeOf(record));
    if (perPartition) {
      partitionRecords(record).inc();
    }
    output.output(record);
  }

  private Counter partitionRecords(SourceRecord record) {
    String topic = record.getPosition().getName().toString();
    int partition = record.getPosition().getPartition();
    Counter counter = lastCounter;
    if (counter == null || partition != lastPartition || !topic.equals(lastTopic)) {
      Map<String, Counter> partitions = this.partitions;
      if (partitions == null) {
        partitions = new HashMap<>();
        this.partitions = partitions;
      }
      counter =
          partitions.computeIfAbsent(
              "records-" + topic + "-" + partition, name -> Metrics.counter(namespace, name));
      lastTopic = topic;
      lastPartition = partition;
      lastCounter = counter;
    }
    return counter;
  }

  /**
   * Emits the records of {@link KafkaRangeSource}'s batches one by one, each with its own
   * timestamp, and counts them as {@link CountRecordsFn} does: once per batch, whose records all
   * come from one partition.
   */
  static final class OfBatches extends DoFn<List<TimestampedValue<SourceRecord>>, SourceRecord> {
    private static final long serialVersionUID = 1L;
    private final CountRecordsFn counts;

    /** As {@link CountRecordsFn#CountRecordsFn(Class, boolean)}. */
    OfBatches(Class<?> namespace, boolean perPartition) {
      this.counts = new CountRecordsFn(namespace, perPartition);
    }

    @ProcessElement
    public void processElement(
        @Element List<TimestampedValue<SourceRecord>> batch, OutputReceiver<SourceRecord> output) {
      if (batch.isEmpty()) {
        return;
      }
      long bytes = 0;
      for (TimestampedValue<SourceRecord> record : batch) {
        bytes += SourceRecords.sizeOf(record.getValue());
        output.outputWithTimestamp(record.getValue(), record.getTimestamp());
      }
      counts.records.inc(batch.size());
      counts.bytes.inc(bytes);
      if (counts.perPartition) {
        counts.partitionRecords(batch.get(0).getValue()).inc(batch.size());
      }
    }
  }
}
