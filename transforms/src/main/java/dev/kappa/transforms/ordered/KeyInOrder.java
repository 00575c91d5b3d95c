package dev.kappa.transforms.ordered;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The per-key logic of {@link OrderedByEventTime}, apart from Beam's DoFn plumbing so that a test
 * can play the runner for one key and check what state and timers are left.
 *
 * <p>State of a key: the buffered events; the earliest buffered event time (the release timer's
 * hold); the time of the last event released (so that an event that would have to go before it is
 * too late, also after a restore whose watermark starts again from the beginning of time); and the
 * state function's state. An event at {@code t} is released when the watermark passes {@code t +
 * allowedLateness}; one timer per key, set for the earliest buffered event, holds the output
 * watermark at that event's time, so its results are not late downstream.
 *
 * <p>When the state function removes the key's state, the last released time outlives it until the
 * watermark has passed its release time: the same timer, set without a hold, then forgets it. Until
 * then it is what makes an event before a delete too late instead of applied after it.
 */
final class KeyInOrder<K, E, S, R> {

  /** Where results and too-late events go. */
  interface Output<E, R> {
    /** An event was applied in order. */
    void applied();

    void result(R result, Instant eventTime);

    void tooLate(E event, Instant eventTime);
  }

  private final K key;
  private final BagState<TimestampedValue<E>> buffer;
  private final ValueState<Instant> earliestBuffered;
  private final ValueState<Instant> releasedThrough;
  private final ValueState<S> state;
  private final Timer release;
  private final Duration allowedLateness;
  private final Comparator<TimestampedValue<E>> order;
  private final StateFunction<K, E, S, R> function;
  private final Output<E, R> output;

  KeyInOrder(
      K key,
      BagState<TimestampedValue<E>> buffer,
      ValueState<Instant> earliestBuffered,
      ValueState<Instant> releasedThrough,
      ValueState<S> state,
      Timer release,
      Duration allowedLateness,
      Comparator<E> tieRule,
      StateFunction<K, E, S, R> function,
      Output<E, R> output) {
    this.key = key;
    this.buffer = buffer;
    this.earliestBuffered = earliestBuffered;
    this.releasedThrough = releasedThrough;
    this.state = state;
    this.release = release;
    this.allowedLateness = allowedLateness;
    this.order =
        Comparator.comparing((TimestampedValue<E> e) -> e.getTimestamp())
            .thenComparing(TimestampedValue::getValue, tieRule);
    this.function = function;
    this.output = output;
  }

  /** An event arrives; {@code watermark} is the input watermark. */
  void onEvent(E event, Instant eventTime, Instant watermark) {
    Instant released = releasedThrough.read();
    if (releaseTime(eventTime).isBefore(watermark)
        || (released != null && !eventTime.isAfter(released))) {
      output.tooLate(event, eventTime);
      return;
    }
    buffer.add(TimestampedValue.of(event, eventTime));
    Instant earliest = earliestBuffered.read();
    if (earliest == null || eventTime.isBefore(earliest)) {
      earliestBuffered.write(eventTime);
      release.withOutputTimestamp(eventTime).set(releaseTime(eventTime));
    }
  }

  /**
   * The release timer fired at {@code firedAt} with the input watermark at {@code watermark}:
   * releases, in order, every buffered event whose release time has passed.
   */
  void onRelease(Instant firedAt, Instant watermark) {
    Instant limit = watermark.minus(Duration.millis(1));
    if (firedAt.isAfter(limit)) {
      limit = firedAt;
    }
    List<TimestampedValue<E>> events = new ArrayList<>();
    buffer.read().forEach(events::add);
    events.sort(order);
    List<TimestampedValue<E>> rest = new ArrayList<>();
    S current = state.read();
    Instant last = releasedThrough.read();
    for (TimestampedValue<E> event : events) {
      if (releaseTime(event.getTimestamp()).isAfter(limit)) {
        rest.add(event);
        continue;
      }
      Instant time = event.getTimestamp();
      output.applied();
      current = function.apply(key, current, event.getValue(), time, r -> output.result(r, time));
      last = time;
    }
    if (current == null) {
      state.clear();
    } else {
      state.write(current);
    }
    buffer.clear();
    if (rest.isEmpty()) {
      earliestBuffered.clear();
      if (current == null) {
        forgetOnceTooLate(last, limit);
      } else if (last != null) {
        releasedThrough.write(last);
      }
      return;
    }
    if (last != null) {
      releasedThrough.write(last);
    }
    rest.forEach(buffer::add);
    Instant earliest = rest.get(0).getTimestamp();
    earliestBuffered.write(earliest);
    release.withOutputTimestamp(earliest).set(releaseTime(earliest));
  }

  /**
   * Nothing is left of the key but the time of its last released event, {@code last} (a delete was
   * applied, or a cleanup timer fired). That time still has to keep an event from going before the
   * delete (one at the same millisecond arriving when the watermark has just reached it, or any
   * earlier one after a restore, whose watermark starts again from the beginning of time); it is
   * forgotten once the watermark has passed its release time, when the watermark alone makes every
   * event at or before it too late. Until then the key's one timer waits for that moment, holding
   * nothing (it emits nothing).
   */
  private void forgetOnceTooLate(Instant last, Instant limit) {
    if (last == null) {
      releasedThrough.clear();
      return;
    }
    Instant end = GlobalWindow.INSTANCE.maxTimestamp();
    Instant forgetAt = releaseTime(last).isBefore(end) ? releaseTime(last).plus(1) : end;
    // The timer fired at or before limit, and the watermark had reached it: an event at or before
    // last has a release time before the watermark.
    if (!forgetAt.isAfter(limit)) {
      releasedThrough.clear();
      return;
    }
    releasedThrough.write(last);
    release.withNoOutputTimestamp().set(forgetAt);
  }

  private Instant releaseTime(Instant eventTime) {
    Instant end = GlobalWindow.INSTANCE.maxTimestamp();
    return eventTime.isAfter(end.minus(allowedLateness)) ? end : eventTime.plus(allowedLateness);
  }
}
