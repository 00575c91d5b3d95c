package dev.kappa.transforms.windowing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DivertImplausibleEventTimes} on the Direct runner: records whose payload is their event
 * time, checked against the default bounds with the real processing time as arrival.
 */
@ExtendWith(TestPipelineExtension.class)
class DivertImplausibleEventTimesTest {
  private static final String STEP = "CheckOrderEventTimes";

  /** The payload is the event time, ISO-8601; anything else does not parse. */
  private static final SerializableFunction<SourceRecord, Instant> EVENT_TIME =
      record -> Instant.parse(UTF_8.decode(record.getPayload().duplicate()).toString());

  private static SourceRecord record(
      long line,
      String payload,
      java.time.@org.checkerframework.checker.nullness.qual.Nullable Instant timestamp) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("file")
                .setName("orders.txt")
                .setOffset(line)
                .build())
        .setKey(ByteBuffer.wrap(("key-" + line).getBytes(UTF_8)))
        .setPayload(ByteBuffer.wrap(payload.getBytes(UTF_8)))
        .setTimestamp(timestamp)
        .build();
  }

  private static String describe(DeadLetter letter) {
    return letter.getStep()
        + " | "
        + letter.getPosition().getName()
        + ":"
        + letter.getPosition().getOffset()
        + " | "
        + UTF_8.decode(letter.getPayload().duplicate())
        + " | "
        + letter.getErrorClass()
        + " | "
        + letter.getErrorMessage().replaceAll("arrival at \\S+", "arrival at <now>");
  }

  private static String payload(SourceRecord record) {
    return UTF_8.decode(record.getPayload().duplicate()).toString();
  }

  @Test
  void divertsFarFutureAndTooOldEventTimesAndPassesEverythingElse(TestPipeline p) {
    String recent = Instant.now().minus(Duration.standardDays(3)).toString();
    String soon = Instant.now().plus(Duration.standardMinutes(30)).toString();
    java.time.Instant kafkaTime = java.time.Instant.parse("2024-05-01T12:00:00Z");
    Instant stamp = Instant.parse("2024-05-01T12:00:00Z");
    DivertImplausibleEventTimes divert =
        DivertImplausibleEventTimes.of(EVENT_TIME, EventTimeBounds.create()).withStepName(STEP);
    PCollectionTuple result =
        p.apply(
                Create.timestamped(
                        List.of(
                            TimestampedValue.of(record(1, recent, null), stamp),
                            TimestampedValue.of(record(2, "2099-01-01T00:00:00Z", null), stamp),
                            TimestampedValue.of(record(3, "1970-01-01T00:00:00Z", null), stamp),
                            TimestampedValue.of(record(4, soon, null), stamp),
                            TimestampedValue.of(record(5, "not a time", null), stamp),
                            // Ahead of its Kafka timestamp by two hours: written in 2024, read now.
                            TimestampedValue.of(
                                record(6, "2024-05-01T14:00:00Z", kafkaTime), stamp),
                            TimestampedValue.of(
                                record(7, "2024-05-01T12:30:00Z", kafkaTime), stamp)))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, divert);

    PAssert.that(
            result
                .get(divert.recordsTag())
                .apply(Reify.timestamps())
                .apply(
                    "DescribeRecords",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (TimestampedValue<SourceRecord> r) ->
                                r.getValue().getPosition().getOffset()
                                    + " "
                                    + payload(r.getValue())
                                    + " @"
                                    + r.getTimestamp())))
        .containsInAnyOrder(
            "1 " + recent + " @" + stamp,
            "4 " + soon + " @" + stamp,
            "5 not a time @" + stamp,
            "7 2024-05-01T12:30:00Z @" + stamp);
    PAssert.that(
            result
                .get(divert.deadLetterTag())
                .apply(
                    "DescribeDeadLetters",
                    MapElements.into(TypeDescriptors.strings())
                        .via(DivertImplausibleEventTimesTest::describe)))
        .containsInAnyOrder(
            STEP
                + " | orders.txt:2 | 2099-01-01T00:00:00Z | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 2099-01-01T00:00:00.000Z is more than the allowed PT3600S ahead"
                + " of the record's arrival at <now>",
            STEP
                + " | orders.txt:3 | 1970-01-01T00:00:00Z | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 1970-01-01T00:00:00.000Z is before the event-time floor"
                + " 2000-01-01T00:00:00.000Z",
            STEP
                + " | orders.txt:6 | 2024-05-01T14:00:00Z | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time 2024-05-01T14:00:00.000Z is more than the allowed PT3600S ahead"
                + " of the record's arrival at <now>");
    PAssert.that(result.get(divert.deadLetterTag()))
        .satisfies(
            letters -> {
              for (DeadLetter letter : letters) {
                assertThat(
                    UTF_8.decode(letter.getKey().duplicate()).toString(),
                    equalTo("key-" + letter.getPosition().getOffset()));
              }
              return null;
            });
    PipelineResult run = p.run();

    assertThat(counter(run), equalTo(3L));
  }

  @Test
  void aRecordTheSourceStampedLaterThanItsEventTimeIsADeadLetter(TestPipeline p) {
    // A source refused this event time a moment ago (it was just beyond the bound) and stamped the
    // record with its Kafka timestamp; by now the event time is within the bound.
    Instant eventTime = Instant.now().plus(Duration.standardMinutes(59));
    Instant stamped = Instant.parse("2099-01-01T00:00:00Z");
    DivertImplausibleEventTimes divert =
        DivertImplausibleEventTimes.of(EVENT_TIME, EventTimeBounds.create()).withStepName(STEP);
    PCollectionTuple result =
        p.apply(
                Create.timestamped(
                        List.of(
                            TimestampedValue.of(record(1, eventTime.toString(), null), stamped)))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, divert);

    PAssert.that(result.get(divert.recordsTag())).empty();
    PAssert.thatSingleton(
            result
                .get(divert.deadLetterTag())
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(DivertImplausibleEventTimesTest::describe)))
        .isEqualTo(
            STEP
                + " | orders.txt:1 | "
                + eventTime
                + " | "
                + ImplausibleEventTimeException.class.getName()
                + " | event time "
                + eventTime
                + " was implausible when the source read the record, which it stamped "
                + stamped
                + " instead");
    p.run();
  }

  @Test
  void noBoundsPassEverything(TestPipeline p) {
    DivertImplausibleEventTimes divert =
        DivertImplausibleEventTimes.of(EVENT_TIME, EventTimeBounds.none()).withStepName(STEP);
    PCollectionTuple result =
        p.apply(
                Create.of(
                        record(1, "2099-01-01T00:00:00Z", null),
                        record(2, "1970-01-01T00:00:00Z", null))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, divert);

    PAssert.that(result.get(divert.deadLetterTag())).empty();
    PAssert.that(
            result
                .get(divert.recordsTag())
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(DivertImplausibleEventTimesTest::payload)))
        .containsInAnyOrder("2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
    p.run();
  }

  private static long counter(PipelineResult run) {
    long total = 0;
    for (MetricResult<Long> counter :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(
                            STEP, DivertImplausibleEventTimes.IMPLAUSIBLE_COUNTER))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
