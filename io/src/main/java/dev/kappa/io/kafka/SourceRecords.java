package dev.kappa.io.kafka;

import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Kafka records as {@link SourceRecord}s: the exact key and value bytes, with {@code
 * system="kafka"}, the topic as the name, the partition and the offset. A null value (a tombstone)
 * becomes an empty payload marked {@code payload_null}, so it stays distinguishable from an empty
 * value; a null key stays null.
 */
final class SourceRecords {
  /** The {@link SourcePosition#getSystem()} of every record read from Kafka. */
  static final String SYSTEM = "kafka";

  private SourceRecords() {}

  static SourceRecord of(KafkaRecord<byte[], byte[]> record) {
    return of(
        record.getTopic(),
        record.getPartition(),
        record.getOffset(),
        record.getTimestamp(),
        record.getKV().getKey(),
        record.getKV().getValue());
  }

  static SourceRecord of(ConsumerRecord<byte[], byte[]> record) {
    return of(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp(),
        record.key(),
        record.value());
  }

  static SourceRecord of(
      String topic,
      int partition,
      long offset,
      long timestampMillis,
      byte @Nullable [] key,
      byte @Nullable [] value) {
    // The generated constructors, not the builders: a builder copies the schema's fields and
    // checks each default, which was a visible part of a backfill's profile.
    return new SourceRecord(
        new SourcePosition(SYSTEM, topic, partition, offset),
        key == null ? null : ByteBuffer.wrap(key),
        ByteBuffer.wrap(value == null ? new byte[0] : value),
        value == null,
        // Kafka reports -1 when a record has no timestamp (message format v0).
        timestampMillis < 0 ? null : java.time.Instant.ofEpochMilli(timestampMillis));
  }

  /** The size of a record's key and value, as the {@code bytes} counters count it. */
  static int sizeOf(SourceRecord record) {
    return (record.getKey() == null ? 0 : record.getKey().remaining())
        + record.getPayload().remaining();
  }
}
