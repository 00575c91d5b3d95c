package dev.kappa.io.kafka;

import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Records for the Kafka integration tests, and the lines they are expected to come out as, computed
 * from what the producer was given and where the broker says it put each record.
 *
 * <p>A payload is its event time (8 bytes, big-endian epoch milliseconds) followed by arbitrary
 * bytes; anything shorter than 8 bytes has no event time.
 */
final class KafkaTestData {
  private KafkaTestData() {}

  static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** A payload with an event time and some bytes that are not text. */
  static byte[] payload(Instant eventTime, int id) {
    return ByteBuffer.allocate(12)
        .putLong(eventTime.getMillis())
        .put((byte) 0x00)
        .put((byte) 0xFF)
        .put((byte) id)
        .put((byte) 0x80)
        .array();
  }

  /** A payload without an event time. */
  static byte[] badPayload(int id) {
    return new byte[] {(byte) 0xC3, (byte) id};
  }

  /** Reads the leading event time; throws on a payload too short to have one. */
  static final class LeadingEventTime implements SerializableFunction<SourceRecord, Instant> {
    private static final long serialVersionUID = 1L;

    @Override
    public Instant apply(SourceRecord record) {
      ByteBuffer payload = record.getPayload();
      if (payload.remaining() < 8) {
        throw new IllegalArgumentException("No event time in " + payload.remaining() + " bytes");
      }
      return new Instant(payload.getLong(payload.position()));
    }
  }

  /** A record as a test line: its coordinates, exact bytes and timestamp. */
  static String line(
      String topic,
      int partition,
      long offset,
      byte @Nullable [] key,
      byte[] payload,
      Instant timestamp) {
    return topic
        + "/"
        + partition
        + "/"
        + offset
        + " key="
        + (key == null ? "null" : HexFormat.of().formatHex(key))
        + " payload="
        + HexFormat.of().formatHex(payload)
        + " @"
        + timestamp;
  }

  /** What a test produced and where it went. */
  static final class Produced {
    final ProducerRecord<byte[], byte[]> record;
    final RecordMetadata metadata;

    Produced(ProducerRecord<byte[], byte[]> record, RecordMetadata metadata) {
      this.record = record;
      this.metadata = metadata;
    }

    /** The line expected for this record, stamped with {@code timestamp}. */
    String line(Instant timestamp) {
      return KafkaTestData.line(
          metadata.topic(),
          metadata.partition(),
          metadata.offset(),
          record.key(),
          record.value(),
          timestamp);
    }
  }

  /** Sends {@code records} in order, one at a time, and returns where each went. */
  static List<Produced> produce(
      String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records)
      throws ExecutionException, InterruptedException {
    List<Produced> produced = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        produced.add(new Produced(record, producer.send(record).get()));
      }
    }
    return produced;
  }

  /** Turns records into test lines, with the timestamps the pipeline gave them. */
  static PCollection<String> lines(PCollection<SourceRecord> records) {
    return lines("DescribeRecords", records);
  }

  /** Turns records into test lines in a step named {@code name}. */
  static PCollection<String> lines(String name, PCollection<SourceRecord> records) {
    return records.apply(name, ParDo.of(new DescribeFn())).setCoder(StringUtf8Coder.of());
  }

  /** A record's test line. */
  static final class DescribeFn extends DoFn<SourceRecord, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(
        @Element SourceRecord record, @Timestamp Instant timestamp, OutputReceiver<String> out) {
      if (!"kafka".equals(record.getPosition().getSystem())) {
        throw new IllegalStateException("Not from Kafka: " + record.getPosition());
      }
      out.output(
          line(
              record.getPosition().getName(),
              record.getPosition().getPartition(),
              record.getPosition().getOffset(),
              record.getKey() == null ? null : bytes(record.getKey()),
              bytes(record.getPayload()),
              timestamp));
    }

    private static byte[] bytes(ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
  }
}
