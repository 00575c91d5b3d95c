package dev.kappa.transforms.windowing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@link EventTimeBounds} believes, and what it takes a record's arrival to be. */
class EventTimeBoundsTest {
  private static final Instant ARRIVAL = Instant.parse("2026-03-01T10:00:00Z");
  private static final EventTimeBounds DEFAULTS = EventTimeBounds.create();

  private static SourceRecord record(java.time.Instant kafkaTimestamp, String eventTime) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("kafka")
                .setName("orders")
                .setPartition(0)
                .setOffset(7L)
                .build())
        .setPayload(ByteBuffer.wrap(eventTime.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setTimestamp(kafkaTimestamp)
        .build();
  }

  @Test
  void acceptsUpToMaxAheadOfArrivalAndFromTheFloor() {
    assertThat(DEFAULTS.accepts(ARRIVAL.plus(Duration.standardHours(1)), ARRIVAL), equalTo(true));
    assertThat(DEFAULTS.accepts(ARRIVAL.minus(Duration.standardDays(900)), ARRIVAL), equalTo(true));
    assertThat(DEFAULTS.accepts(Instant.parse("2000-01-01T00:00:00Z"), ARRIVAL), equalTo(true));
  }

  @Test
  void refusesAnEventTimeFurtherAheadThanMaxAhead() {
    Instant justTooFar = ARRIVAL.plus(Duration.standardHours(1)).plus(1);
    assertThat(DEFAULTS.accepts(justTooFar, ARRIVAL), equalTo(false));

    ImplausibleEventTimeException e =
        assertThrows(
            ImplausibleEventTimeException.class,
            () -> DEFAULTS.check(Instant.parse("2099-01-01T00:00:00Z"), ARRIVAL));
    assertThat(
        e.getMessage(),
        equalTo(
            "event time 2099-01-01T00:00:00.000Z is more than the allowed PT3600S ahead of the"
                + " record's arrival at 2026-03-01T10:00:00.000Z"));
  }

  @Test
  void refusesAnEventTimeBeforeTheFloor() {
    ImplausibleEventTimeException e =
        assertThrows(
            ImplausibleEventTimeException.class, () -> DEFAULTS.check(new Instant(0), ARRIVAL));
    assertThat(
        e.getMessage(),
        equalTo(
            "event time 1970-01-01T00:00:00.000Z is before the event-time floor"
                + " 2000-01-01T00:00:00.000Z"));
    assertThat(
        DEFAULTS.accepts(Instant.parse("1999-12-31T23:59:59.999Z"), ARRIVAL), equalTo(false));
  }

  @Test
  void boundsCanBeChangedOrRemoved() {
    EventTimeBounds tight =
        DEFAULTS.withMaxAhead(Duration.standardMinutes(5)).withFloor(ARRIVAL.minus(1));
    assertThat(tight.accepts(ARRIVAL.plus(Duration.standardMinutes(6)), ARRIVAL), equalTo(false));
    assertThat(tight.accepts(ARRIVAL.minus(2), ARRIVAL), equalTo(false));

    EventTimeBounds none = EventTimeBounds.none();
    assertThat(none.isNone(), equalTo(true));
    assertThat(none.accepts(Instant.parse("2099-01-01T00:00:00Z"), ARRIVAL), equalTo(true));
    assertThat(none.accepts(new Instant(0), ARRIVAL), equalTo(true));
    assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withMaxAhead(Duration.millis(-1)));
  }

  @Test
  void arrivalIsTheSourceTimestampWhenEarlierThanNow() {
    java.time.Instant written = java.time.Instant.parse("2026-02-01T00:00:00Z");
    assertThat(
        EventTimeBounds.arrivalOf(record(written, "x"), ARRIVAL),
        equalTo(Instant.parse("2026-02-01T00:00:00Z")));
  }

  @Test
  void aProducerClockAheadCannotWidenTheBound() {
    java.time.Instant stampedAhead = java.time.Instant.parse("2099-01-01T00:00:00Z");
    assertThat(EventTimeBounds.arrivalOf(record(stampedAhead, "x"), ARRIVAL), equalTo(ARRIVAL));
  }

  @Test
  void aFileRecordArrivesNow() {
    assertThat(EventTimeBounds.arrivalOf(record(null, "x"), ARRIVAL), equalTo(ARRIVAL));
  }

  @Test
  void checkingWrapsAnEventTimeFunctionAndSurvivesSerialization() {
    SerializableFunction<SourceRecord, Instant> eventTime =
        record ->
            Instant.parse(
                java.nio.charset.StandardCharsets.UTF_8.decode(record.getPayload()).toString());
    SerializableFunction<SourceRecord, Instant> checked =
        SerializableUtils.clone(DEFAULTS.checking(eventTime));

    java.time.Instant written = java.time.Instant.parse("2026-02-01T00:00:00Z");
    assertThat(
        checked.apply(record(written, "2026-02-01T00:30:00Z")),
        equalTo(Instant.parse("2026-02-01T00:30:00Z")));
    ImplausibleEventTimeException e =
        assertThrows(
            ImplausibleEventTimeException.class,
            () -> checked.apply(record(written, "2026-02-01T01:30:00Z")));
    assertThat(e.getMessage(), containsString("arrival at 2026-02-01T00:00:00.000Z"));
    assertThrows(
        ImplausibleEventTimeException.class,
        () -> checked.apply(record(null, "1970-01-01T00:00:00Z")));
  }
}
