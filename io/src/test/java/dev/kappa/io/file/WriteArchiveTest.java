package dev.kappa.io.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.matchesPattern;

import dev.kappa.schemas.EventType;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class WriteArchiveTest {

  @TempDir Path dir;

  private static SourceRecord kafkaRecord(int partition, long offset, String key, byte[] payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("kafka")
                .setName("orders")
                .setPartition(partition)
                .setOffset(offset)
                .build())
        .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
        .setPayload(ByteBuffer.wrap(payload))
        .setTimestamp(
            offset == 9 ? null : java.time.Instant.parse("2026-03-01T10:00:00Z").plusMillis(offset))
        .build();
  }

  private static final List<SourceRecord> RECORDS =
      List.of(
          kafkaRecord(0, 41, "O-1", new byte[] {(byte) 0xC3, 0x01, 7, 7}),
          kafkaRecord(2, 9, null, "{not json".getBytes(StandardCharsets.UTF_8)),
          kafkaRecord(1, 0, "O-2", "{\"order_id\":\"O-2\"}".getBytes(StandardCharsets.UTF_8)),
          // A tombstone: a null value, told from an empty one by payload_null.
          SourceRecord.newBuilder(kafkaRecord(0, 42, "O-3", new byte[0]))
              .setPayloadNull(true)
              .build());

  private List<String> archiveFiles() throws IOException {
    try (Stream<Path> files = java.nio.file.Files.list(dir)) {
      return files
          .filter(java.nio.file.Files::isRegularFile)
          .map(f -> f.getFileName().toString())
          .collect(Collectors.toList());
    }
  }

  @Test
  void boundedArchiveReadsBackAsTheSameRecordsWithTheirKafkaPositions(TestPipeline p)
      throws IOException {
    p.apply(Create.of(RECORDS).withCoder(SpecificRecordCoder.of(SourceRecord.class)))
        .apply(Files.writeArchive(dir.resolve("orders").toString()));
    p.run().waitUntilFinish();

    assertThat(archiveFiles(), everyItem(matchesPattern("orders-\\d{5}-of-\\d{5}\\.avro")));
    assertReadsBackAs(RECORDS);
  }

  /** Reads the archive with {@link Files#read}, in a second pipeline, and compares. */
  private void assertReadsBackAs(List<SourceRecord> expected) {
    Pipeline read =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PAssert.that(read.apply(Files.read(dir.resolve("orders-*.avro").toString())))
        .containsInAnyOrder(expected);
    read.run().waitUntilFinish();
  }

  @Test
  void unboundedArchiveWritesEachRecordOncePerFlush(TestPipeline p) throws IOException {
    TestStream<SourceRecord> stream =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .addElements(TimestampedValue.of(RECORDS.get(0), new Instant(0)))
            .advanceProcessingTime(Duration.standardMinutes(61))
            .addElements(
                TimestampedValue.of(RECORDS.get(1), new Instant(5)),
                TimestampedValue.of(RECORDS.get(2), new Instant(9)),
                TimestampedValue.of(RECORDS.get(3), new Instant(9)))
            .advanceWatermarkToInfinity();

    p.apply(stream).apply(Files.writeArchive(dir.resolve("orders").toString()));
    p.run().waitUntilFinish();

    assertThat(
        archiveFiles().stream().sorted().toList(),
        equalTo(
            List.of(
                "orders-global-pane-0-00000-of-00001.avro",
                "orders-global-pane-1-00000-of-00001.avro")));
    assertReadsBackAs(RECORDS);
  }

  @Test
  void anArchiveWrittenBeforePayloadNullReadsBackWithItFalse() throws IOException {
    Schema v1 = EventType.SOURCE_RECORD.history().get(0).schema();
    GenericRecord record =
        new GenericRecordBuilder(v1)
            .set(
                "position",
                new GenericRecordBuilder(v1.getField("position").schema())
                    .set("system", "kafka")
                    .set("name", "orders")
                    .set("partition", 0)
                    .set("offset", 7L)
                    .build())
            .set("key", null)
            .set("payload", ByteBuffer.wrap(new byte[0]))
            .set("timestamp", null)
            .build();
    try (DataFileWriter<GenericRecord> writer =
        new DataFileWriter<>(new GenericDatumWriter<>(v1))) {
      writer.create(v1, dir.resolve("orders-00000-of-00001.avro").toFile());
      writer.append(record);
    }

    assertReadsBackAs(
        List.of(
            SourceRecord.newBuilder()
                .setPosition(
                    SourcePosition.newBuilder()
                        .setSystem("kafka")
                        .setName("orders")
                        .setPartition(0)
                        .setOffset(7L)
                        .build())
                .setKey(null)
                .setPayload(ByteBuffer.wrap(new byte[0]))
                .setTimestamp(null)
                .build()));
  }

  @Test
  void rejectsANonPositiveFlushInterval() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> Files.writeArchive("/archive/x").withFlushInterval(Duration.ZERO));
    assertThat(e.getMessage(), equalTo("flushInterval must be positive, was PT0S"));
  }
}
