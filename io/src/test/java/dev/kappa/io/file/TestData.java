package dev.kappa.io.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Instant;

/** Test files and the records expected from them. */
final class TestData {
  private TestData() {}

  static Path write(Path dir, String name, String content) throws IOException {
    return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    java.nio.file.Files.write(file, content);
    return file;
  }

  static Path writeAvro(Path dir, String name, Schema schema, List<GenericRecord> records)
      throws IOException {
    Path file = dir.resolve(name);
    try (DataFileWriter<GenericRecord> writer =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema, GenericData.get()))) {
      writer.create(schema, file.toFile());
      for (GenericRecord record : records) {
        writer.append(record);
      }
    }
    return file;
  }

  static SourceRecord record(Path file, long offset, String payload) {
    return record(file, offset, payload.getBytes(StandardCharsets.UTF_8));
  }

  static SourceRecord record(Path file, long offset, byte[] payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("file")
                .setName(file.toString())
                .setPartition(null)
                .setOffset(offset)
                .build())
        .setKey(null)
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  static String utf8(ByteBuffer buffer) {
    return new String(bytes(buffer), StandardCharsets.UTF_8);
  }

  /** Reads the event time from a JSON payload's {@code ts} field; throws if there is none. */
  static final class JsonEventTime implements SerializableFunction<SourceRecord, Instant> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Instant apply(SourceRecord record) {
      try {
        JsonNode ts = MAPPER.readTree(bytes(record.getPayload())).get("ts");
        if (ts == null) {
          throw new IllegalArgumentException("no ts field");
        }
        return Instant.parse(ts.asText());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
