package dev.kappa.transforms.enrichment;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The wait for a missing key, for one key, over the key's state and timers: what {@link
 * EnrichByLookup}'s {@code AwaitMissingKeys} step does in each callback ({@link AwaitKeysFn} binds
 * Beam's state and timers to it), kept apart from Beam's annotations so that a test can drive it
 * and check that every piece of state and every timer is cleaned up.
 *
 * <p><b>State.</b> {@code held}: the events, each with its timestamp and its deadline (arrival plus
 * the timeout, in processing time). {@code hold}: the earliest held event's timestamp, where the
 * timers hold the output watermark. {@code nextCheck}: when {@code recheck} fires.
 *
 * <p><b>Timers.</b> {@code recheck} (processing time) fires every recheck interval, or at the first
 * deadline if sooner: the key is looked up again, and the events leave enriched if it is there, or
 * not found once past their deadline. {@code endOfInput} (event time, at the end of the global
 * window) makes sure nothing is left when the input ends, on runners that do not fire
 * processing-time timers then: every held event leaves, enriched or not found. Both hold the output
 * watermark at the earliest held event's timestamp, so the events leave on time for downstream
 * windows. A timer's output timestamp may not be earlier than the element or timer setting it, so
 * the hold is only ever lowered by the element that lowers it, and raised from a timer. With no
 * event held, no state and no timer is left.
 *
 * @param <K> the key
 * @param <E> a held event (for the transform: the event with its carried window)
 * @param <V> the table row
 */
final class AwaitKeys<K, E, V> {
  static final Counter ENRICHED = counter(EnrichByLookup.ENRICHED);
  static final Counter NOT_FOUND = counter(EnrichByLookup.NOT_FOUND);
  static final Counter RECHECKS = counter(EnrichByLookup.RECHECKS);

  /** Where the events leave. */
  interface Output<K, E, V> {
    /** The key appeared: {@code event} with its row, at the event's own timestamp. */
    void found(E event, V row, Instant timestamp);

    /** The key did not appear before the event's deadline, or before the input ended. */
    void expired(K key, E event, Instant timestamp);
  }

  /** Asks the table for the key's row now; null when the table does not hold it. */
  interface Table<K, V> {
    @Nullable V row(K key);
  }

  private final K key;
  private final Duration timeout;
  private final Duration recheckInterval;
  private final BagState<KV<TimestampedValue<E>, Instant>> held;
  private final ValueState<Instant> hold;
  private final ValueState<Instant> nextCheck;
  private final Timer recheck;
  private final Timer endOfInput;
  private final Output<K, E, V> out;

  AwaitKeys(
      K key,
      Duration timeout,
      Duration recheckInterval,
      BagState<KV<TimestampedValue<E>, Instant>> held,
      ValueState<Instant> hold,
      ValueState<Instant> nextCheck,
      Timer recheck,
      Timer endOfInput,
      Output<K, E, V> out) {
    this.key = key;
    this.timeout = timeout;
    this.recheckInterval = recheckInterval;
    this.held = held;
    this.hold = hold;
    this.nextCheck = nextCheck;
    this.recheck = recheck;
    this.endOfInput = endOfInput;
    this.out = out;
  }

  /**
   * An event whose key was missing arrived at processing time {@code now}: held until {@code now}
   * plus the timeout. Only an event earlier than every held one re-arms the timers, lowering the
   * hold; the next check stays when one is already due.
   */
  void onEvent(E event, Instant timestamp, Instant now) {
    Instant deadline = now.plus(timeout);
    held.add(KV.of(TimestampedValue.of(event, timestamp), deadline));
    Instant currentHold = hold.read();
    if (currentHold == null || timestamp.isBefore(currentHold)) {
      Instant next = nextCheck.read();
      if (next == null) {
        next = earlier(now.plus(recheckInterval), deadline);
      }
      arm(timestamp, next);
    }
  }

  /** {@code recheck} fired at processing time {@code now}: looks the key up in {@code table}. */
  void onRecheck(Instant now, Table<K, V> table) {
    resolve(now, false, table);
  }

  /** The input ended: every held event leaves, enriched if {@code table} now has the key. */
  void onEndOfInput(Instant now, Table<K, V> table) {
    resolve(now, true, table);
  }

  private void resolve(Instant now, boolean inputEnded, Table<K, V> table) {
    List<KV<TimestampedValue<E>, Instant>> events = new ArrayList<>();
    held.read().forEach(events::add);
    if (events.isEmpty()) {
      clear();
      return;
    }
    RECHECKS.inc();
    V row = table.row(key);
    if (row != null) {
      for (KV<TimestampedValue<E>, Instant> event : events) {
        ENRICHED.inc();
        out.found(event.getKey().getValue(), row, event.getKey().getTimestamp());
      }
      clear();
      return;
    }
    List<KV<TimestampedValue<E>, Instant>> remaining = new ArrayList<>();
    for (KV<TimestampedValue<E>, Instant> event : events) {
      if (inputEnded || !event.getValue().isAfter(now)) {
        NOT_FOUND.inc();
        out.expired(key, event.getKey().getValue(), event.getKey().getTimestamp());
      } else {
        remaining.add(event);
      }
    }
    if (remaining.isEmpty()) {
      clear();
      return;
    }
    held.clear();
    Instant newHold = null;
    Instant firstDeadline = null;
    for (KV<TimestampedValue<E>, Instant> event : remaining) {
      held.add(event);
      newHold = earlier(newHold, event.getKey().getTimestamp());
      firstDeadline = earlier(firstDeadline, event.getValue());
    }
    arm(newHold, earlier(now.plus(recheckInterval), firstDeadline));
  }

  private void arm(Instant holdAt, Instant checkAt) {
    recheck.withOutputTimestamp(holdAt).set(checkAt);
    endOfInput.withOutputTimestamp(holdAt).set(GlobalWindow.INSTANCE.maxTimestamp());
    hold.write(holdAt);
    nextCheck.write(checkAt);
  }

  private void clear() {
    held.clear();
    hold.clear();
    nextCheck.clear();
    recheck.clear();
    endOfInput.clear();
  }

  private static Instant earlier(@Nullable Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static Counter counter(String name) {
    return Metrics.counter(EnrichByLookup.class, name);
  }
}
