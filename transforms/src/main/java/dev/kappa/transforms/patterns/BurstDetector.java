package dev.kappa.transforms.patterns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The burst rule for one key, over the key's state and timer: what {@link DetectBursts}'s stateful
 * DoFn does in each callback, kept apart from Beam's annotations so that a test can drive it and
 * check that every piece of state and the timer are cleaned up.
 *
 * <p><b>Rule.</b> An event at time {@code t} completes a burst when at least {@code minEvents - 1}
 * other events of its key (distinct ids) have times in {@code [t - within, t]}, ties at {@code t}
 * included. Only the events in that interval decide, so the answer does not depend on arrival
 * order; an event arriving late (but not too late) can complete the burst of a later event already
 * seen, and it is checked as soon as it arrives.
 *
 * <p><b>State.</b> {@code events}: the key's events (each once, by id) that a future arrival can
 * still need. {@code alerted}: the ids of those events whose burst was already emitted, so each
 * event's burst comes out once. {@code expiresAt}: where the {@code expire} timer is set.
 *
 * <p><b>Lifetime.</b> An event later than {@code allowedLateness} behind the watermark ({@code t +
 * allowedLateness < watermark}) is too late: reported, not counted. So an event at {@code e} can
 * still matter (as evidence, or for a burst of its own) while an event at or before {@code e +
 * within} can still arrive in time: until the watermark passes {@code e + within +
 * allowedLateness}. The {@code expire} timer (event time, holding no watermark) fires then for the
 * earliest event kept; it drops every event past that point and is set again for the next, or the
 * key's state is cleared entirely.
 *
 * <p>Outputs are emitted while processing an element, with the completing event's time, which is
 * never before the element's (an arrival completes bursts at or after its own time). The watermark
 * is passed in: the DoFn reads it from its timer ({@code getCurrentRelativeTime()} of an event-time
 * timer is the input watermark).
 */
final class BurstDetector<K, E> {
  static final Counter EVENTS = counter(DetectBursts.EVENTS);
  static final Counter BURSTS = counter(DetectBursts.BURSTS);
  static final Counter DUPLICATES = counter(DetectBursts.DUPLICATES);
  static final Counter TOO_LATE = counter(DetectBursts.TOO_LATE);
  static final Counter EXPIRED = counter(DetectBursts.EXPIRED);

  /** Where the rule's results go. */
  interface Output<K, E> {
    void burst(Burst<K, E> burst);

    void tooLate(E event, Instant time, Instant watermark);
  }

  private final K key;
  private final int minEvents;
  private final Duration within;
  private final Duration allowedLateness;
  private final SerializableFunction<E, String> id;
  private final BagState<TimestampedValue<E>> events;
  private final BagState<String> alerted;
  private final ValueState<Instant> expiresAt;
  private final Timer expire;
  private final Output<K, E> out;

  BurstDetector(
      K key,
      int minEvents,
      Duration within,
      Duration allowedLateness,
      SerializableFunction<E, String> id,
      BagState<TimestampedValue<E>> events,
      BagState<String> alerted,
      ValueState<Instant> expiresAt,
      Timer expire,
      Output<K, E> out) {
    this.key = key;
    this.minEvents = minEvents;
    this.within = within;
    this.allowedLateness = allowedLateness;
    this.id = id;
    this.events = events;
    this.alerted = alerted;
    this.expiresAt = expiresAt;
    this.expire = expire;
    this.out = out;
  }

  /**
   * An event at {@code time}: too late, a duplicate of one kept, or recorded; then every event it
   * completes a burst for (itself, or a kept event in {@code [time, time + within]} without one
   * yet) is emitted.
   */
  void onEvent(E event, Instant time, Instant watermark) {
    if (time.plus(allowedLateness).isBefore(watermark)) {
      TOO_LATE.inc();
      out.tooLate(event, time, watermark);
      return;
    }
    String eventId = id.apply(event);
    List<TimestampedValue<E>> kept = new ArrayList<>();
    for (TimestampedValue<E> stored : events.read()) {
      if (id.apply(stored.getValue()).equals(eventId)) {
        DUPLICATES.inc();
        return;
      }
      kept.add(stored);
    }
    EVENTS.inc();
    TimestampedValue<E> arrived = TimestampedValue.of(event, time);
    events.add(arrived);
    kept.add(arrived);
    kept.sort(order(id));

    Set<String> done = new HashSet<>();
    alerted.read().forEach(done::add);
    Instant until = time.plus(within);
    for (TimestampedValue<E> candidate : kept) {
      Instant t = candidate.getTimestamp();
      String candidateId = id.apply(candidate.getValue());
      if (t.isBefore(time) || t.isAfter(until) || done.contains(candidateId)) {
        continue;
      }
      List<E> evidence = new ArrayList<>();
      Instant from = t.minus(within);
      for (TimestampedValue<E> other : kept) {
        Instant o = other.getTimestamp();
        if (!o.isBefore(from) && !o.isAfter(t) && !id.apply(other.getValue()).equals(candidateId)) {
          evidence.add(other.getValue());
        }
      }
      if (evidence.size() >= minEvents - 1) {
        BURSTS.inc();
        alerted.add(candidateId);
        out.burst(new Burst<>(key, candidate.getValue(), t, evidence));
      }
    }

    Instant expiry = expiry(time);
    Instant set = expiresAt.read();
    if (set == null || expiry.isBefore(set)) {
      expiresAt.write(expiry);
      expire.withNoOutputTimestamp().set(expiry);
    }
  }

  /**
   * The watermark passed the earliest expiry: drops every event that no arrival in time can need
   * any more, and sets the timer for the next one, or clears the key's state.
   */
  void onExpire(Instant watermark) {
    List<TimestampedValue<E>> kept = new ArrayList<>();
    Set<String> keptIds = new HashSet<>();
    Instant next = null;
    for (TimestampedValue<E> stored : events.read()) {
      Instant expiry = expiry(stored.getTimestamp());
      if (expiry.isAfter(watermark)) {
        kept.add(stored);
        keptIds.add(id.apply(stored.getValue()));
        next = next == null || expiry.isBefore(next) ? expiry : next;
      } else {
        EXPIRED.inc();
      }
    }
    List<String> stillAlerted = new ArrayList<>();
    for (String done : alerted.read()) {
      if (keptIds.contains(done)) {
        stillAlerted.add(done);
      }
    }
    events.clear();
    alerted.clear();
    if (next == null) {
      expiresAt.clear();
      expire.clear();
      return;
    }
    kept.forEach(events::add);
    stillAlerted.forEach(alerted::add);
    expiresAt.write(next);
    expire.withNoOutputTimestamp().set(next);
  }

  /**
   * When an event at {@code time} is no longer needed: once the watermark is past {@code time +
   * within + allowedLateness}, every event it could be evidence for, or be completed by, is too
   * late.
   */
  private Instant expiry(Instant time) {
    return time.plus(within).plus(allowedLateness).plus(Duration.millis(1));
  }

  /** Events by time, then id: the order evidence is named in. */
  private static <E> Comparator<TimestampedValue<E>> order(SerializableFunction<E, String> id) {
    return Comparator.comparing((TimestampedValue<E> v) -> v.getTimestamp())
        .thenComparing(v -> id.apply(v.getValue()));
  }

  private static Counter counter(String name) {
    return Metrics.counter(DetectBursts.class, name);
  }
}
