package dev.kappa.io.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.file.TestData.JsonEventTime;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Replays on the Direct runner, as fast as possible. */
@ExtendWith(TestPipelineExtension.class)
class ReplayFileTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  private static final Schema CLICK =
      SchemaBuilder.record("Click")
          .namespace("dev.kappa.test")
          .fields()
          .requiredString("page")
          .requiredLong("at")
          .endRecord();

  @TempDir Path dir;

  /** Pairs each record's payload with its timestamp, so PAssert can check both. */
  static final class PayloadWithTimestampFn extends DoFn<SourceRecord, KV<String, Instant>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(
        @Element SourceRecord record,
        @Timestamp Instant timestamp,
        OutputReceiver<KV<String, Instant>> output) {
      output.output(KV.of(TestData.utf8(record.getPayload()), timestamp));
    }
  }

  private static PCollection<KV<String, Instant>> withTimestamps(
      PCollection<SourceRecord> records) {
    return records
        .apply("PairWithTimestamp", ParDo.of(new PayloadWithTimestampFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), InstantCoder.of()));
  }

  @Test
  @Timeout(120)
  void emitsEveryJsonLineWithItsEventTimeAndUnparsableOnesWithTheMaximum(TestPipeline pipeline)
      throws IOException {
    Path file =
        TestData.write(
            dir,
            "orders.jsonl",
            "garbage\n"
                + "{\"id\":1,\"ts\":\"2024-05-01T10:00:00Z\"}\n"
                + "{\"id\":2,\"ts\":\"2024-05-01T10:02:00Z\"}\n"
                + "{\"id\":3}\n"
                + "{\"id\":4,\"ts\":\"2024-05-01T10:01:00Z\"}\n"
                + "\n"
                + "{\"id\":5,\"ts\":\"2024-05-01T10:03:00Z\"}\n");

    PCollection<SourceRecord> records =
        pipeline.apply(
            Files.replay(file.toString())
                .withEventTime(new JsonEventTime())
                .withSpeedUp(Double.POSITIVE_INFINITY));

    assertThat(records.isBounded(), equalTo(PCollection.IsBounded.UNBOUNDED));
    PAssert.that(withTimestamps(records))
        .containsInAnyOrder(
            List.of(
                KV.of("garbage", T0),
                KV.of("{\"id\":1,\"ts\":\"2024-05-01T10:00:00Z\"}", T0),
                KV.of(
                    "{\"id\":2,\"ts\":\"2024-05-01T10:02:00Z\"}",
                    T0.plus(Duration.standardMinutes(2))),
                KV.of("{\"id\":3}", T0.plus(Duration.standardMinutes(2))),
                KV.of(
                    "{\"id\":4,\"ts\":\"2024-05-01T10:01:00Z\"}",
                    T0.plus(Duration.standardMinutes(1))),
                KV.of(
                    "{\"id\":5,\"ts\":\"2024-05-01T10:03:00Z\"}",
                    T0.plus(Duration.standardMinutes(3)))));
    pipeline.run().waitUntilFinish();
  }

  @Test
  @Timeout(120)
  void windowsCloseAndTheJobFinishesAtTheEndOfTheFile(TestPipeline pipeline) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int minute = 0; minute < 5; minute++) {
      for (int second = 0; second < 60; second += 20) {
        lines.append(String.format("{\"ts\":\"2024-05-01T10:%02d:%02dZ\"}\n", minute, second));
      }
    }
    Path file = TestData.write(dir, "clicks.jsonl", lines.toString());

    PCollection<Long> perMinute =
        pipeline
            .apply(
                Files.replay(file.toString())
                    .withEventTime(new JsonEventTime())
                    .withSpeedUp(Double.POSITIVE_INFINITY))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
            .apply(Combine.globally(Count.<SourceRecord>combineFn()).withoutDefaults());

    for (int minute = 0; minute < 5; minute++) {
      Instant start = T0.plus(Duration.standardMinutes(minute));
      PAssert.that(perMinute)
          .inOnTimePane(new IntervalWindow(start, Duration.standardMinutes(1)))
          .containsInAnyOrder(3L);
    }
    pipeline.run().waitUntilFinish();
  }

  /** Reads the click time from a single-object encoded Click. */
  static final class ClickTime implements SerializableFunction<SourceRecord, Instant> {
    private static final long serialVersionUID = 1L;

    @Override
    public Instant apply(SourceRecord record) {
      try {
        GenericRecord click =
            new BinaryMessageDecoder<GenericRecord>(GenericData.get(), CLICK)
                .decode(record.getPayload());
        return new Instant((long) click.get("at"));
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  /** Decodes a Click's page and pairs it with the record's offset and timestamp. */
  static final class DecodePageFn extends DoFn<SourceRecord, KV<String, Instant>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(
        @Element SourceRecord record,
        @Timestamp Instant timestamp,
        OutputReceiver<KV<String, Instant>> output)
        throws IOException {
      GenericRecord click =
          new BinaryMessageDecoder<GenericRecord>(GenericData.get(), CLICK)
              .decode(record.getPayload().duplicate());
      output.output(KV.of(click.get("page") + "@" + record.getPosition().getOffset(), timestamp));
    }
  }

  @Test
  @Timeout(120)
  void replaysAvroRecordsWithTheirEventTimes(TestPipeline pipeline) throws IOException {
    Path file =
        TestData.writeAvro(
            dir,
            "clicks.avro",
            CLICK,
            List.of(
                new GenericRecordBuilder(CLICK).set("page", "/a").set("at", T0.getMillis()).build(),
                new GenericRecordBuilder(CLICK)
                    .set("page", "/b")
                    .set("at", T0.plus(Duration.standardSeconds(5)).getMillis())
                    .build()));

    PCollection<SourceRecord> records =
        pipeline.apply(
            Files.replay(file.toString())
                .withEventTime(new ClickTime())
                .withSpeedUp(Double.POSITIVE_INFINITY));

    PCollection<KV<String, Instant>> pages =
        records
            .apply("DecodePage", ParDo.of(new DecodePageFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), InstantCoder.of()));

    PAssert.that(pages)
        .containsInAnyOrder(
            List.of(KV.of("/a@1", T0), KV.of("/b@2", T0.plus(Duration.standardSeconds(5)))));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void requiresAnEventTimeFunction() throws IOException {
    Path file = TestData.write(dir, "orders.jsonl", "{}\n");
    Pipeline pipeline = Pipeline.create();

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> pipeline.apply(Files.replay(file.toString())));

    assertThat(e.getMessage(), containsString("withEventTime"));
    assertThat(e.getMessage(), containsString(file.toString()));
  }

  @Test
  void autoFormatRejectsAnUnknownExtension() {
    Pipeline pipeline = Pipeline.create();
    ReplayFile replay = Files.replay("orders.csv").withEventTime(new JsonEventTime());

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> pipeline.apply(replay));

    assertThat(e.getMessage(), containsString("Cannot tell the format of orders.csv"));
  }

  @Test
  void validatesItsSettingsNamingTheBadOne() {
    ReplayFile replay = Files.replay("orders.jsonl");

    assertThat(
        assertThrows(IllegalArgumentException.class, () -> replay.withSpeedUp(-1.0)).getMessage(),
        equalTo("speedUp must be > 0, was -1.0"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> replay.withSpeedUp(0)).getMessage(),
        equalTo("speedUp must be > 0, was 0.0"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> replay.withMaxOutOfOrderness(Duration.standardSeconds(-5)))
            .getMessage(),
        equalTo("maxOutOfOrderness must be >= 0, was PT-5S"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> replay.withIdleTimeout(Duration.ZERO))
            .getMessage(),
        equalTo("idleTimeout must be > 0, was PT0S"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> replay.withEventTime(null)).getMessage(),
        equalTo("eventTime must not be null"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> Files.replay("")).getMessage(),
        equalTo("file must be a non-empty path, was \"\""));
  }

  @Test
  void hasDocumentedDefaultsAndSettingsInAnyOrder() {
    ReplayFile defaults = Files.replay("orders.jsonl");
    assertThat(defaults.speedUp(), equalTo(60.0));
    assertThat(defaults.maxOutOfOrderness(), equalTo(Duration.standardMinutes(1)));
    assertThat(defaults.format(), equalTo(FileFormat.AUTO));

    JsonEventTime eventTime = new JsonEventTime();
    ReplayFile oneWay =
        defaults
            .withEventTime(eventTime)
            .withSpeedUp(10.0)
            .withMaxOutOfOrderness(Duration.ZERO)
            .withFormat(FileFormat.JSON_LINES);
    ReplayFile otherWay =
        defaults
            .withFormat(FileFormat.JSON_LINES)
            .withMaxOutOfOrderness(Duration.ZERO)
            .withSpeedUp(10.0)
            .withEventTime(eventTime);
    assertThat(oneWay, equalTo(otherWay));
  }
}
