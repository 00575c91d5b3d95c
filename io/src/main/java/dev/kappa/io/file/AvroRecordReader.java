package dev.kappa.io.file;

import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads an Avro object container file and re-encodes each record in Avro single-object encoding
 * with the file's writer schema: a two-byte marker, the schema's 64-bit fingerprint, then the
 * binary datum. A decoder downstream ({@link org.apache.avro.message.BinaryMessageDecoder}) finds
 * the writer schema by that fingerprint and resolves it to its reader schema. The record number
 * (1-based) is the position's offset.
 *
 * <p>Records are read and written with {@link GenericData} and no logical-type conversions, so the
 * datum bytes are the file's bytes, unchanged.
 *
 * <p>An archive file, whose records are {@link SourceRecord}s (as the archive job writes them), is
 * passed through as it is: each record keeps the original bytes and the position it had in its
 * source (a Kafka topic, partition and offset), so a backfill from the archive reports the same
 * source positions as one from Kafka.
 */
final class AvroRecordReader extends FileRecordReader {
  private final String file;
  private final DataFileStream<Object> records;
  private final BinaryMessageEncoder<Object> encoder;
  private final boolean archive;
  private @Nullable Object reuse;
  private long recordNumber;

  AvroRecordReader(String file, InputStream in) throws IOException {
    this.file = file;
    try {
      this.records =
          new DataFileStream<>(in, new GenericDatumReader<>(null, null, GenericData.get()));
    } catch (IOException e) {
      in.close();
      throw new IOException("Cannot read " + file + " as an Avro container file", e);
    }
    this.encoder = new BinaryMessageEncoder<>(GenericData.get(), records.getSchema());
    this.archive =
        records.getSchema().getFullName().equals(SourceRecord.getClassSchema().getFullName());
  }

  @Override
  @Nullable SourceRecord next() throws IOException {
    if (!records.hasNext()) {
      return null;
    }
    reuse = records.next(reuse);
    recordNumber++;
    if (archive) {
      return fromArchive((GenericRecord) reuse);
    }
    // encode() returns a copy, so reusing the datum is safe.
    return record(file, recordNumber, encoder.encode(reuse));
  }

  /**
   * An archived record as the {@link SourceRecord} it was. Read generically (no logical-type
   * conversions, so the timestamp is epoch millis), copied field by field.
   */
  private static SourceRecord fromArchive(GenericRecord archived) {
    GenericRecord position = (GenericRecord) archived.get("position");
    Object timestamp = archived.get("timestamp");
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem(position.get("system").toString())
                .setName(position.get("name").toString())
                .setPartition((Integer) position.get("partition"))
                .setOffset((Long) position.get("offset"))
                .build())
        .setKey(copy((ByteBuffer) archived.get("key")))
        .setPayload(copy((ByteBuffer) archived.get("payload")))
        // Archives written before SourceRecord v2 have no payload_null: their values were not null.
        .setPayloadNull(
            archived.getSchema().getField("payload_null") != null
                && Boolean.TRUE.equals(archived.get("payload_null")))
        .setTimestamp(timestamp == null ? null : java.time.Instant.ofEpochMilli((Long) timestamp))
        .build();
  }

  private static @Nullable ByteBuffer copy(@Nullable ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return ByteBuffer.wrap(bytes);
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
