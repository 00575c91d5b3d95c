package dev.kappa.io.file;

import static dev.kappa.io.file.TestData.record;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class ReadFilesTest {

  private static final Schema ORDER_V1 =
      SchemaBuilder.record("Order")
          .namespace("dev.kappa.test")
          .fields()
          .requiredString("id")
          .requiredInt("quantity")
          .endRecord();

  private static final Schema ORDER_V2 =
      SchemaBuilder.record("Order")
          .namespace("dev.kappa.test")
          .fields()
          .requiredString("id")
          .requiredLong("quantity")
          .name("currency")
          .type()
          .stringType()
          .stringDefault("EUR")
          .endRecord();

  @TempDir Path dir;

  @Test
  void readsEachNonBlankJsonLineWithItsExactBytesAndLineNumber(TestPipeline pipeline)
      throws IOException {
    Path orders =
        TestData.write(
            dir,
            "orders.jsonl",
            "{\"id\":\"a\",\"qty\":1}\n"
                + "\n"
                + "  {\"id\":\"b\", \"note\":\"café\"}  \r\n"
                + "   \t\n"
                + "{\"id\":\"c\",\n"
                + "{\"id\":\"d\"}");
    Path more = TestData.write(dir, "more.json", "{\"id\":\"e\"}\n\n");

    PCollection<SourceRecord> records = pipeline.apply(Files.read(dir + "/*.json*"));

    PAssert.that(records)
        .containsInAnyOrder(
            record(orders, 1, "{\"id\":\"a\",\"qty\":1}"),
            record(orders, 3, "  {\"id\":\"b\", \"note\":\"café\"}  "),
            record(orders, 5, "{\"id\":\"c\","),
            record(orders, 6, "{\"id\":\"d\"}"),
            record(more, 1, "{\"id\":\"e\"}"));
    pipeline.run().waitUntilFinish();
  }

  /**
   * Read by this process (a launcher loading a small history): the records the step gives, file by
   * file in name order; nothing over the limit; null when nothing matches here.
   */
  @Test
  void readsNowTheRecordsTheStepGivesWithinALimit(TestPipeline pipeline) throws IOException {
    Path b = TestData.write(dir, "changes-b.jsonl", "{\"id\":\"c\"}\n\n{\"id\":\"d\"}\n");
    Path a = TestData.write(dir, "changes-a.jsonl", "{\"id\":\"a\"}\n{\"id\":\"b\"}");
    ReadFiles read = Files.read(dir.resolve("changes-*.jsonl").toString());

    List<SourceRecord> expected =
        List.of(
            record(a, 1, "{\"id\":\"a\"}"),
            record(a, 2, "{\"id\":\"b\"}"),
            record(b, 1, "{\"id\":\"c\"}"),
            record(b, 3, "{\"id\":\"d\"}"));
    assertThat(read.readNow(4), equalTo(expected));
    assertThat(read.readNow(3), nullValue());
    assertThat(Files.read(dir.resolve("none-*.jsonl").toString()).readNow(10), nullValue());
    PAssert.that(pipeline.apply(read)).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsALoneCarriageReturnAtTheEndOfTheLastLine(TestPipeline pipeline) throws IOException {
    Path file = TestData.write(dir, "cr.jsonl", "{\"id\":\"a\"}\r\n{\"id\":\"b\"}\r");

    PCollection<SourceRecord> records = pipeline.apply(Files.read(file.toString()));

    PAssert.that(records)
        .containsInAnyOrder(record(file, 1, "{\"id\":\"a\"}"), record(file, 2, "{\"id\":\"b\"}\r"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void decompressesByExtension(TestPipeline pipeline) throws IOException {
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gzipped)) {
      out.write("{\"id\":\"a\"}\n{\"id\":\"b\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    Path file = TestData.write(dir, "orders.jsonl.gz", gzipped.toByteArray());

    PCollection<SourceRecord> records = pipeline.apply(Files.read(file.toString()));

    PAssert.that(records)
        .containsInAnyOrder(record(file, 1, "{\"id\":\"a\"}"), record(file, 2, "{\"id\":\"b\"}"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void readsAvroFilesAsSingleObjectEncodingWithEachFilesWriterSchema(TestPipeline pipeline)
      throws IOException {
    Path v1 =
        TestData.writeAvro(
            dir,
            "orders-v1.avro",
            ORDER_V1,
            List.of(
                new GenericRecordBuilder(ORDER_V1).set("id", "a").set("quantity", 1).build(),
                new GenericRecordBuilder(ORDER_V1).set("id", "b").set("quantity", 2).build()));
    Path v2 =
        TestData.writeAvro(
            dir,
            "orders-v2.avro",
            ORDER_V2,
            List.of(
                new GenericRecordBuilder(ORDER_V2)
                    .set("id", "c")
                    .set("quantity", 3L)
                    .set("currency", "USD")
                    .build()));
    String v1Name = v1.toString();
    String v2Name = v2.toString();

    PCollection<SourceRecord> records = pipeline.apply(Files.read(dir + "/*.avro"));

    PAssert.that(records)
        .satisfies(
            all -> {
              Map<String, String> decoded = new HashMap<>();
              for (SourceRecord record : all) {
                String key =
                    record.getPosition().getName() + "#" + record.getPosition().getOffset();
                decoded.put(key, decodeAsV2(record.getPayload()).toString());
                assertThat(record.getPosition().getSystem(), equalTo("file"));
                assertThat(record.getPosition().getPartition(), nullValue());
                assertThat(record.getKey(), nullValue());

                boolean writtenWithV1 = record.getPosition().getName().equals(v1Name);
                Schema writer = writtenWithV1 ? ORDER_V1 : ORDER_V2;
                assertThat(fingerprintOf(record.getPayload()), equalTo(fingerprint(writer)));
                // A decoder knowing only the other schema cannot find the writer's.
                Schema other = writtenWithV1 ? ORDER_V2 : ORDER_V1;
                assertThrows(
                    MissingSchemaException.class,
                    () ->
                        new BinaryMessageDecoder<GenericRecord>(GenericData.get(), other)
                            .decode(record.getPayload().duplicate()));
              }
              Map<String, String> expected = new HashMap<>();
              expected.put(
                  v1Name + "#1", "{\"id\": \"a\", \"quantity\": 1, \"currency\": \"EUR\"}");
              expected.put(
                  v1Name + "#2", "{\"id\": \"b\", \"quantity\": 2, \"currency\": \"EUR\"}");
              expected.put(
                  v2Name + "#1", "{\"id\": \"c\", \"quantity\": 3, \"currency\": \"USD\"}");
              assertThat(decoded, equalTo(expected));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  /** Decodes with reader schema v2, resolving whichever writer schema the fingerprint names. */
  private static GenericRecord decodeAsV2(ByteBuffer payload) {
    BinaryMessageDecoder<GenericRecord> decoder =
        new BinaryMessageDecoder<>(GenericData.get(), ORDER_V2);
    decoder.addSchema(ORDER_V1);
    try {
      return decoder.decode(payload.duplicate());
    } catch (IOException e) {
      throw new AssertionError("Not a single-object encoded Order", e);
    }
  }

  /** The fingerprint in a single-object encoding header: bytes 2 to 9, little-endian. */
  private static long fingerprintOf(ByteBuffer payload) {
    ByteBuffer header = payload.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(header.get(), equalTo((byte) 0xC3));
    assertThat(header.get(), equalTo((byte) 0x01));
    return header.getLong();
  }

  private static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  @Test
  void readsAnyExtensionWithAnExplicitFormat(TestPipeline pipeline) throws IOException {
    Path file = TestData.write(dir, "orders.txt", "{\"id\":\"a\"}\n");

    PCollection<SourceRecord> records =
        pipeline.apply(Files.read(file.toString()).withFormat(FileFormat.JSON_LINES));

    PAssert.that(records).containsInAnyOrder(record(file, 1, "{\"id\":\"a\"}"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void autoFormatRejectsAPatternWithAnUnknownExtensionAtConstruction() {
    Pipeline pipeline = Pipeline.create();
    String pattern = dir + "/*.csv";

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> pipeline.apply(Files.read(pattern)));

    assertThat(e.getMessage(), containsString(pattern));
    assertThat(e.getMessage(), containsString("expected .jsonl, .json or .avro"));
    assertThat(e.getMessage(), containsString("withFormat"));
  }

  @Test
  void autoFormatRejectsAMatchedFileWithAnUnknownExtensionAtRunTime(TestPipeline pipeline)
      throws IOException {
    TestData.write(dir, "orders.jsonl", "{\"id\":\"a\"}\n");
    Path notes = TestData.write(dir, "notes.txt", "not json\n");
    pipeline.apply(Files.read(dir + "/*"));

    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> pipeline.run());

    String messages = messages(e);
    assertThat(messages, containsString("Cannot tell the format of " + notes));
    assertThat(messages, containsString("withFormat"));
  }

  @Test
  void failsNamingThePatternWhenNothingMatches(TestPipeline pipeline) {
    String pattern = dir + "/missing-*.jsonl";
    pipeline.apply(Files.read(pattern));

    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> pipeline.run());

    assertThat(messages(e), containsString(pattern));
  }

  @Test
  void rejectsAnEmptyPattern() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Files.read(""));
    assertThat(e.getMessage(), equalTo("filepattern must be a non-empty path or glob, was \"\""));
  }

  @Test
  void rejectsANullFormat() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Files.read("a.jsonl").withFormat(null));
    assertThat(e.getMessage(), equalTo("format must not be null"));
  }

  @Test
  void sourceRecordCoderRoundTrips() throws Exception {
    Coder<SourceRecord> coder = SpecificRecordCoder.of(SourceRecord.class);
    SourceRecord withoutKey = record(dir.resolve("a.jsonl"), 7, "{\"id\":\"é\"}");
    SourceRecord withKey = record(dir.resolve("b.avro"), 1, new byte[] {(byte) 0xC3, 1, 0, -1});
    withKey.setKey(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    withKey.getPosition().setPartition(3);

    CoderProperties.coderDecodeEncodeEqual(coder, withoutKey);
    CoderProperties.coderDecodeEncodeEqual(coder, withKey);
    CoderProperties.coderSerializable(coder);
  }

  private static String messages(Throwable e) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return String.join(" | ", messages);
  }
}
