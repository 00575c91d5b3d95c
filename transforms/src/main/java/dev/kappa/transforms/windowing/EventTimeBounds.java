package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.SourceRecord;
import java.io.Serializable;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The event times a job believes: no further ahead of a record's arrival than {@link #maxAhead()},
 * and not before {@link #floor()}.
 *
 * <p>A watermark trails the greatest event time seen, so a single order dated 2099 would otherwise
 * move it to 2099 and make every later valid order too late. An implausible event time is an error
 * in the record, not news about the clock: sources given {@link #checking} treat it as a record
 * without event time (it does not move their watermark or pace a replay), and {@link
 * DivertImplausibleEventTimes} makes it a dead letter.
 *
 * <p>A record's <b>arrival</b> is the processing time at which it is read, or its source timestamp
 * (Kafka's record timestamp) if that is earlier: a record replayed from a topic's history is judged
 * against the time it was written, and a producer whose clock runs ahead cannot widen the bound.
 *
 * <pre>{@code
 * EventTimeBounds bounds =
 *     EventTimeBounds.create()
 *         .withMaxAhead(Duration.standardHours(1))
 *         .withFloor(Instant.parse("2000-01-01T00:00:00Z"));
 * Kafka.read(servers, topics).withEventTime(bounds.checking(OrderDecoder::eventTime));
 * }</pre>
 */
@AutoValue
public abstract class EventTimeBounds implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default {@link #maxAhead()}: one hour. */
  public static final Duration DEFAULT_MAX_AHEAD = Duration.standardHours(1);

  /** The default {@link #floor()}: 2000-01-01T00:00:00Z. */
  public static final Instant DEFAULT_FLOOR = Instant.parse("2000-01-01T00:00:00Z");

  /** How far ahead of its arrival an event time may be, or null for no limit. */
  public abstract @Nullable Duration maxAhead();

  /** The earliest event time accepted, or null for none. */
  public abstract @Nullable Instant floor();

  abstract Builder toBuilder();

  /** The defaults: at most {@link #DEFAULT_MAX_AHEAD} ahead, not before {@link #DEFAULT_FLOOR}. */
  public static EventTimeBounds create() {
    return new AutoValue_EventTimeBounds.Builder()
        .setMaxAhead(DEFAULT_MAX_AHEAD)
        .setFloor(DEFAULT_FLOOR)
        .build();
  }

  /** No bounds: every event time is believed (the behaviour before the bounds existed). */
  public static EventTimeBounds none() {
    return new AutoValue_EventTimeBounds.Builder().build();
  }

  /** At most {@code maxAhead} (not negative) ahead of arrival; null for no limit. */
  public EventTimeBounds withMaxAhead(@Nullable Duration maxAhead) {
    checkArgument(
        maxAhead == null || !maxAhead.isShorterThan(Duration.ZERO),
        "maxAhead must not be negative, was %s",
        maxAhead);
    return toBuilder().setMaxAhead(maxAhead).build();
  }

  /** Not before {@code floor}; null for no floor. */
  public EventTimeBounds withFloor(@Nullable Instant floor) {
    return toBuilder().setFloor(floor).build();
  }

  /** Whether the bounds accept every event time. */
  public boolean isNone() {
    return maxAhead() == null && floor() == null;
  }

  /**
   * The arrival of {@code record} read at processing time {@code now}: its source timestamp if
   * earlier than {@code now}, else {@code now}.
   */
  public static Instant arrivalOf(SourceRecord record, Instant now) {
    java.time.Instant timestamp = record.getTimestamp();
    if (timestamp == null || timestamp.toEpochMilli() >= now.getMillis()) {
      return now;
    }
    return new Instant(timestamp.toEpochMilli());
  }

  /** Whether {@code eventTime} is believable for a record that arrived at {@code arrival}. */
  public boolean accepts(Instant eventTime, Instant arrival) {
    return violation(eventTime, arrival) == null;
  }

  /**
   * Returns {@code eventTime} if believable for a record that arrived at {@code arrival}.
   *
   * @throws ImplausibleEventTimeException naming the bound it breaks
   */
  public Instant check(Instant eventTime, Instant arrival) {
    String violation = violation(eventTime, arrival);
    if (violation != null) {
      throw new ImplausibleEventTimeException(violation);
    }
    return eventTime;
  }

  /**
   * {@code eventTime} with the bounds applied: the function throws {@link
   * ImplausibleEventTimeException} for an event time outside them, judged against the record's
   * arrival at the processing time of the call. Give it to sources as their event-time function.
   */
  public SerializableFunction<SourceRecord, Instant> checking(
      SerializableFunction<SourceRecord, Instant> eventTime) {
    EventTimeBounds bounds = this;
    return record -> {
      Instant time = eventTime.apply(record);
      if (time == null) {
        return null;
      }
      return bounds.check(time, arrivalOf(record, Instant.now()));
    };
  }

  /**
   * Why {@code eventTime} is not believable for a record that arrived at {@code arrival}, or null.
   */
  @Nullable String violation(Instant eventTime, Instant arrival) {
    Instant floor = floor();
    if (floor != null && eventTime.isBefore(floor)) {
      return "event time " + eventTime + " is before the event-time floor " + floor;
    }
    Duration maxAhead = maxAhead();
    if (maxAhead != null && eventTime.isAfter(arrival.plus(maxAhead))) {
      return "event time "
          + eventTime
          + " is more than the allowed "
          + maxAhead
          + " ahead of the record's arrival at "
          + arrival;
    }
    return null;
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setMaxAhead(@Nullable Duration maxAhead);

    abstract Builder setFloor(@Nullable Instant floor);

    abstract EventTimeBounds build();
  }
}
