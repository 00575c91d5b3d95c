package dev.kappa.transforms.windowing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.DecodeRecords;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DecodeWithEventTimes} on the Direct runner gives what {@link DivertImplausibleEventTimes},
 * {@link DecodeRecords} and {@link AssignEventTime} give one after the other, on the same records:
 * the same values with the same timestamps, the same dead letters from the same steps.
 */
@ExtendWith(TestPipelineExtension.class)
class DecodeWithEventTimesTest {
  private static final String CHECK = "CheckOrdersEventTimes";
  private static final String DECODE = "DecodeOrders";

  /** {@code <event time>|<ok or not>}: parses with two fields, valid if the second is ok. */
  static final class PipeDecoder implements TimedDecoder<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String parse(SourceRecord record) {
      String text = UTF_8.decode(record.getPayload().duplicate()).toString();
      if (text.split("\\|").length != 2) {
        throw new IllegalArgumentException("not two fields: " + text);
      }
      return text;
    }

    @Override
    public Instant eventTime(String parsed) {
      return Instant.parse(parsed.split("\\|")[0]);
    }

    @Override
    public void validate(String parsed) {
      if (!parsed.split("\\|")[1].equals("ok")) {
        throw new IllegalArgumentException("invalid: " + parsed);
      }
    }
  }

  private static SourceRecord record(long line, String payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("file")
                .setName("orders.txt")
                .setOffset(line)
                .build())
        .setKey(ByteBuffer.wrap(("key-" + line).getBytes(UTF_8)))
        .setPayload(ByteBuffer.wrap(payload.getBytes(UTF_8)))
        .build();
  }

  private static String describe(DeadLetter letter) {
    return letter.getStep()
        + " | "
        + letter.getPosition().getOffset()
        + " | "
        + UTF_8.decode(letter.getPayload().duplicate())
        + " | "
        + letter.getErrorClass()
        + " | "
        + letter.getErrorMessage().replaceAll("arrival at \\S+", "arrival at <now>");
  }

  @Test
  void givesWhatTheCheckTheDecodingAndTheStampingGiveOneAfterTheOther(TestPipeline p) {
    String recent = Instant.now().minus(Duration.standardDays(3)).toString();
    Instant stamp = Instant.parse("2024-05-01T12:00:00Z");
    List<TimestampedValue<SourceRecord>> records =
        List.of(
            TimestampedValue.of(record(1, recent + "|ok"), stamp),
            TimestampedValue.of(record(2, "2099-01-01T00:00:00Z|ok"), stamp),
            // Implausible and invalid: the check's dead letter, as when it runs first.
            TimestampedValue.of(record(3, "1970-01-01T00:00:00Z|bad"), stamp),
            TimestampedValue.of(record(4, recent + "|bad"), stamp),
            TimestampedValue.of(record(5, "no fields"), stamp),
            // An unreadable event time passes the check; the validation rejects it.
            TimestampedValue.of(record(6, "not a time|bad"), stamp),
            // Before the source's timestamp: the source found it implausible.
            TimestampedValue.of(record(7, "2024-05-01T11:00:00Z|ok"), stamp));
    PCollection<SourceRecord> input =
        p.apply(Create.timestamped(records).withCoder(SpecificRecordCoder.of(SourceRecord.class)));
    EventTimeBounds bounds = EventTimeBounds.create();

    DecodeWithEventTimes<String> fused =
        DecodeWithEventTimes.using(
                new PipeDecoder(), StringUtf8Coder.of(), new EventTimeCheck(bounds, CHECK))
            .withStepName(DECODE);
    PCollectionTuple once = input.apply("Fused", fused);

    PipeDecoder decoder = new PipeDecoder();
    DivertImplausibleEventTimes check =
        DivertImplausibleEventTimes.of(record -> decoder.eventTime(decoder.parse(record)), bounds)
            .withStepName(CHECK);
    PCollectionTuple checked = input.apply("Check", check);
    DecodeRecords<String> decode =
        DecodeRecords.using(new PipeDecoder(), StringUtf8Coder.of()).withStepName(DECODE);
    PCollectionTuple decoded = checked.get(check.recordsTag()).apply("Decode", decode);
    PCollection<String> stamped =
        decoded.get(decode.decodedTag()).apply("Assign", AssignEventTime.by(decoder::eventTime));

    PAssert.that(timestamped("Once", once.get(fused.decodedTag())))
        .containsInAnyOrder(recent + "|ok @" + Instant.parse(recent));
    PAssert.that(timestamped("Chain", stamped))
        .containsInAnyOrder(recent + "|ok @" + Instant.parse(recent));

    List<String> expectedDeadLetters =
        List.of(
            CHECK
                + " | 2 | 2099-01-01T00:00:00Z|ok | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 2099-01-01T00:00:00.000Z is more than the allowed PT3600S ahead"
                + " of the record's arrival at <now>",
            CHECK
                + " | 3 | 1970-01-01T00:00:00Z|bad | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 1970-01-01T00:00:00.000Z is before the event-time floor"
                + " 2000-01-01T00:00:00.000Z",
            DECODE
                + " | 4 | "
                + recent
                + "|bad | java.lang.IllegalArgumentException | invalid: "
                + recent
                + "|bad",
            DECODE
                + " | 5 | no fields | java.lang.IllegalArgumentException | not two fields: no"
                + " fields",
            DECODE
                + " | 6 | not a time|bad | java.lang.IllegalArgumentException | invalid: not a"
                + " time|bad",
            CHECK
                + " | 7 | 2024-05-01T11:00:00Z|ok | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 2024-05-01T11:00:00.000Z was implausible when the source read"
                + " the record, which it stamped 2024-05-01T12:00:00.000Z instead");
    PAssert.that(described("OnceDeadLetters", once.get(fused.deadLetterTag())))
        .containsInAnyOrder(expectedDeadLetters);
    PAssert.that(
            described(
                "ChainDeadLetters",
                PCollectionList.of(checked.get(check.deadLetterTag()))
                    .and(decoded.get(decode.deadLetterTag()))
                    .apply("ChainFlatten", Flatten.pCollections())))
        .containsInAnyOrder(expectedDeadLetters);
    p.run().waitUntilFinish();
  }

  private static PCollection<String> timestamped(String name, PCollection<String> values) {
    return values
        .apply(name + "Reify", Reify.timestamps())
        .apply(
            name + "Describe",
            MapElements.into(TypeDescriptors.strings())
                .via((TimestampedValue<String> v) -> v.getValue() + " @" + v.getTimestamp()));
  }

  private static PCollection<String> described(String name, PCollection<DeadLetter> letters) {
    return letters.apply(
        name, MapElements.into(TypeDescriptors.strings()).via(DecodeWithEventTimesTest::describe));
  }
}
