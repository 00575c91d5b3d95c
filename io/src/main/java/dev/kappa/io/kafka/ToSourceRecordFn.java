package dev.kappa.io.kafka;

import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Turns KafkaIO's records into {@link SourceRecord}s, keeping the timestamp KafkaIO gave them (the
 * event time from {@link EventTimePolicy}).
 */
final class ToSourceRecordFn extends DoFn<KafkaRecord<byte[], byte[]>, SourceRecord> {
  private static final long serialVersionUID = 1L;

  private final Counter records = Metrics.counter(ReadKafka.class, "records");
  private final Counter bytes = Metrics.counter(ReadKafka.class, "bytes");

  @ProcessElement
  public void processElement(
      @Element KafkaRecord<byte[], byte[]> record, OutputReceiver<SourceRecord> output) {
    SourceRecord sourceRecord = SourceRecords.of(record);
    records.inc();
    bytes.inc(SourceRecords.sizeOf(sourceRecord));
    output.output(sourceRecord);
  }
}
