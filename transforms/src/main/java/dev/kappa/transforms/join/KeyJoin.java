package dev.kappa.transforms.join;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The interval join of one key over its state and one timer: what {@link IntervalJoin}'s stateful
 * DoFn does in each callback, kept apart from Beam's annotations so that a test can drive it and
 * check that every piece of state and the timer are cleaned up.
 *
 * <p>A left element at {@code tL} has the interval {@code [tL + lower, tL + upper]}; a right
 * element at {@code tR} lies in the intervals of the left elements in {@code [tR - upper, tR -
 * lower]}. Decisions are taken when the watermark has passed (is after) a time:
 *
 * <ul>
 *   <li>a left element's result at {@code tL + upper}: a match with the right elements in its
 *       interval, else a timeout;
 *   <li>a right element's orphan check at {@code tR - lower}: no left element in state lies in
 *       {@code [tR - upper, tR - lower]}.
 * </ul>
 *
 * <p><b>State.</b> Four bags: {@code openLefts} (result not yet emitted), {@code closedLefts}
 * (emitted, kept while a late right element can still change them, until {@code tL + upper + max(0,
 * -lower) + lateness}), {@code openRights} (orphan check not yet taken) and {@code checkedRights}
 * (kept while a late left element can still claim them, until {@code tR - lower + upper +
 * lateness}). One event-time timer, {@code due}, is set 1 ms after the earliest of these times, so
 * it fires once the watermark has passed it; it holds the output watermark there (its default
 * output timestamp), and outputs of a firing carry that timestamp. With nothing left it is cleared:
 * a key whose intervals and lateness have passed leaves no state.
 *
 * <p>The watermark is passed in: the DoFn reads it from the timer ({@code getCurrentRelativeTime()}
 * of an event-time timer is the input watermark on the Direct and Flink runners).
 */
final class KeyJoin<K, L, R> {
  static final Counter MATCHES = counter(IntervalJoin.MATCHES);
  static final Counter UPDATES = counter(IntervalJoin.UPDATES);
  static final Counter TIMEOUTS = counter(IntervalJoin.TIMEOUTS);
  static final Counter ORPHANS = counter(IntervalJoin.ORPHANS);
  static final Counter LATE = counter(IntervalJoin.LATE);
  static final Counter TOO_LATE = counter(IntervalJoin.TOO_LATE);

  /** Where the join's results go. */
  interface Output<K, L, R> {
    void matched(K key, IntervalMatch<L, R> match);

    void timedOut(K key, L left, Instant time);

    void orphaned(K key, R right, Instant time);

    void tooLateLeft(K key, L left, Instant time);

    void tooLateRight(K key, R right, Instant time);
  }

  private final K key;
  private final Duration lower;
  private final Duration upper;
  private final Duration lateness;
  private final BagState<TimestampedValue<L>> openLefts;
  private final BagState<TimestampedValue<L>> closedLefts;
  private final BagState<TimestampedValue<R>> openRights;
  private final BagState<TimestampedValue<R>> checkedRights;
  private final Timer due;
  private final Output<K, L, R> out;

  KeyJoin(
      K key,
      Duration lower,
      Duration upper,
      Duration lateness,
      BagState<TimestampedValue<L>> openLefts,
      BagState<TimestampedValue<L>> closedLefts,
      BagState<TimestampedValue<R>> openRights,
      BagState<TimestampedValue<R>> checkedRights,
      Timer due,
      Output<K, L, R> out) {
    this.key = key;
    this.lower = lower;
    this.upper = upper;
    this.lateness = lateness;
    this.openLefts = openLefts;
    this.closedLefts = closedLefts;
    this.openRights = openRights;
    this.checkedRights = checkedRights;
    this.due = due;
    this.out = out;
  }

  /** A left element at {@code time}; {@code watermark} is the input watermark now. */
  void onLeft(L left, Instant time, Instant watermark) {
    Instant close = time.plus(upper);
    if (close.plus(lateness).isBefore(watermark)) {
      TOO_LATE.inc();
      out.tooLateLeft(key, left, time);
      return;
    }
    TimestampedValue<L> element = TimestampedValue.of(left, time);
    if (close.isBefore(watermark)) {
      // Its result is overdue: decide it now, with every right element still held.
      LATE.inc();
      emit(element, rightsIn(time, all(openRights, checkedRights)), false);
      closedLefts.add(element);
    } else {
      openLefts.add(element);
    }
    schedule(watermark);
  }

  /** A right element at {@code time}; {@code watermark} is the input watermark now. */
  void onRight(R right, Instant time, Instant watermark) {
    Instant check = time.minus(lower);
    List<TimestampedValue<L>> closed = list(closedLefts.read());
    List<TimestampedValue<L>> lefts = all(openLefts, closedLefts);
    if (check.plus(lateness).isBefore(watermark) && !claimed(time, lefts)) {
      // Its orphan check is past the lateness, and no left element held can take it.
      TOO_LATE.inc();
      out.tooLateRight(key, right, time);
      return;
    }
    TimestampedValue<R> element = TimestampedValue.of(right, time);
    List<TimestampedValue<R>> rights = all(openRights, checkedRights);
    rights.add(element);
    for (TimestampedValue<L> left : sortedByTime(closed)) {
      if (contains(left.getTimestamp(), time)) {
        // A result already emitted changes: emit it again, whole.
        LATE.inc();
        emit(left, rightsIn(left.getTimestamp(), rights), true);
      }
    }
    if (check.isBefore(watermark)) {
      if (!claimed(time, lefts)) {
        ORPHANS.inc();
        out.orphaned(key, right, time);
      }
      checkedRights.add(element);
    } else {
      openRights.add(element);
    }
    schedule(watermark);
  }

  /** The timer fired: take every decision the watermark has passed, then forget what expired. */
  void onDue(Instant watermark) {
    List<TimestampedValue<L>> open = list(openLefts.read());
    List<TimestampedValue<L>> closed = list(closedLefts.read());
    List<TimestampedValue<R>> rights = all(openRights, checkedRights);
    List<TimestampedValue<L>> stillOpen = new ArrayList<>();
    for (TimestampedValue<L> left : sortedByTime(open)) {
      if (left.getTimestamp().plus(upper).isBefore(watermark)) {
        emit(left, rightsIn(left.getTimestamp(), rights), false);
        closed.add(left);
      } else {
        stillOpen.add(left);
      }
    }
    List<TimestampedValue<L>> lefts = new ArrayList<>(stillOpen);
    lefts.addAll(closed);
    List<TimestampedValue<R>> checked = list(checkedRights.read());
    List<TimestampedValue<R>> stillUnchecked = new ArrayList<>();
    for (TimestampedValue<R> right : sortedByTime(list(openRights.read()))) {
      if (right.getTimestamp().minus(lower).isBefore(watermark)) {
        if (!claimed(right.getTimestamp(), lefts)) {
          ORPHANS.inc();
          out.orphaned(key, right.getValue(), right.getTimestamp());
        }
        checked.add(right);
      } else {
        stillUnchecked.add(right);
      }
    }
    replace(openLefts, stillOpen);
    replace(closedLefts, keep(closed, this::leftExpiry, watermark));
    replace(openRights, stillUnchecked);
    replace(checkedRights, keep(checked, this::rightExpiry, watermark));
    schedule(watermark);
  }

  private void emit(TimestampedValue<L> left, List<TimestampedValue<R>> rights, boolean update) {
    if (rights.isEmpty()) {
      if (!update) {
        TIMEOUTS.inc();
        out.timedOut(key, left.getValue(), left.getTimestamp());
      }
      return;
    }
    (update ? UPDATES : MATCHES).inc();
    out.matched(key, new IntervalMatch<>(left.getValue(), left.getTimestamp(), rights, update));
  }

  /** Sets the timer 1 ms after the earliest pending decision or expiry; clears it if none. */
  private void schedule(Instant watermark) {
    Instant next = null;
    for (TimestampedValue<L> left : openLefts.read()) {
      next = earlier(next, left.getTimestamp().plus(upper));
    }
    for (TimestampedValue<L> left : closedLefts.read()) {
      next = earlier(next, leftExpiry(left.getTimestamp()));
    }
    for (TimestampedValue<R> right : openRights.read()) {
      next = earlier(next, right.getTimestamp().minus(lower));
    }
    for (TimestampedValue<R> right : checkedRights.read()) {
      next = earlier(next, rightExpiry(right.getTimestamp()));
    }
    if (next == null) {
      due.clear();
    } else {
      due.set(capped(next.plus(Duration.millis(1))));
    }
  }

  /** A closed left element is kept while a right element in its interval is not too late. */
  private Instant leftExpiry(Instant time) {
    Duration beyond = lower.isShorterThan(Duration.ZERO) ? lower.negated() : Duration.ZERO;
    return time.plus(upper).plus(beyond).plus(lateness);
  }

  /** A checked right element is kept while a left element it lies after is not too late. */
  private Instant rightExpiry(Instant time) {
    return time.minus(lower).plus(upper).plus(lateness);
  }

  private boolean contains(Instant leftTime, Instant rightTime) {
    return !rightTime.isBefore(leftTime.plus(lower)) && !rightTime.isAfter(leftTime.plus(upper));
  }

  private boolean claimed(Instant rightTime, List<TimestampedValue<L>> lefts) {
    for (TimestampedValue<L> left : lefts) {
      if (contains(left.getTimestamp(), rightTime)) {
        return true;
      }
    }
    return false;
  }

  private List<TimestampedValue<R>> rightsIn(Instant leftTime, List<TimestampedValue<R>> rights) {
    List<TimestampedValue<R>> in = new ArrayList<>();
    for (TimestampedValue<R> right : rights) {
      if (contains(leftTime, right.getTimestamp())) {
        in.add(right);
      }
    }
    return sortedByTime(in);
  }

  private static <T> List<TimestampedValue<T>> keep(
      List<TimestampedValue<T>> elements,
      java.util.function.Function<Instant, Instant> expiry,
      Instant watermark) {
    List<TimestampedValue<T>> kept = new ArrayList<>();
    for (TimestampedValue<T> element : elements) {
      if (!expiry.apply(element.getTimestamp()).isBefore(watermark)) {
        kept.add(element);
      }
    }
    return kept;
  }

  private static <T> void replace(BagState<T> bag, List<T> elements) {
    bag.clear();
    for (T element : elements) {
      bag.add(element);
    }
  }

  private static <T> List<T> all(BagState<T> first, BagState<T> second) {
    List<T> all = list(first.read());
    all.addAll(list(second.read()));
    return all;
  }

  private static <T> List<T> list(Iterable<T> values) {
    List<T> list = new ArrayList<>();
    values.forEach(list::add);
    return list;
  }

  /** By time; the sort is stable, so ties keep their arrival order. */
  private static <T> List<TimestampedValue<T>> sortedByTime(List<TimestampedValue<T>> values) {
    List<TimestampedValue<T>> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.comparing(TimestampedValue::getTimestamp));
    return sorted;
  }

  private static Instant earlier(@Nullable Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  /** Timers may not be set past the end of the global window. */
  private static Instant capped(Instant time) {
    Instant max = BoundedWindow.TIMESTAMP_MAX_VALUE.minus(Duration.standardDays(1));
    return time.isAfter(max) ? max : time;
  }

  private static Counter counter(String name) {
    return Metrics.counter(IntervalJoin.class, name);
  }
}
