package dev.kappa.transforms.enrichment;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The temporal join of one key, over the key's state and timers: what {@link EnrichAsOfEventTime}'s
 * stateful DoFn does in each callback, kept apart from Beam's annotations so that a test can drive
 * it and check that every piece of state and every timer is cleaned up.
 *
 * <p><b>State.</b> {@code history}: the row's versions ({@link VersionHistory}). {@code pending}:
 * events waiting for the watermark to pass their time. {@code waiting}: events whose key had no
 * version at their time, under {@link MissingKeyPolicy#waitUpTo}, waiting for the watermark to pass
 * their time plus the timeout. {@code dueAt} and {@code waitingHold}: the earliest event time in
 * each bag (also where each timer is set and holds the output watermark).
 *
 * <p><b>Timers</b> (event time). {@code due} fires at the earliest pending event time, {@code
 * deadline} at the earliest waiting event time plus the timeout; both hold the output watermark at
 * the earliest event time they guard, so outputs carry the events' own timestamps and are not late
 * downstream. A timer's output timestamp may not precede the element or timer that sets it, which
 * these rules respect: a hold is lowered only by the event that lowers it, and raised only from the
 * timer that fired. {@code prune} fires when a version becomes older than the retention, and holds
 * nothing.
 *
 * <p><b>Corrections.</b> {@code emitted} remembers every event already joined (enriched, passed
 * through or not found) whose time is within the retention behind the watermark, and {@code
 * emittedFrom} the earliest of their times. A late change (behind the watermark) is applied to the
 * history like any other; every remembered event whose answer it changes (same key, time at or
 * after the change and before the next version; under a waiting policy also an event that waited
 * into it) is reported as a {@link Correction}. Only the event is remembered, not its row: within
 * the retention the history still answers exactly what the event was given, since every earlier
 * late change was corrected. {@code forget} (event time, holding nothing) drops remembered events
 * older than the retention, in batches: it fires a tenth of the retention after the earliest one
 * expired.
 *
 * <p>The watermark is passed in: the DoFn reads it from a timer ({@code getCurrentRelativeTime()}
 * of an event-time timer is the input watermark on the Direct and Flink runners).
 */
final class AsOfJoin<K, E, V> {
  static final Counter ENRICHED = counter(EnrichAsOfEventTime.ENRICHED);
  static final Counter NOT_FOUND = counter(EnrichAsOfEventTime.NOT_FOUND);
  static final Counter PASSED_THROUGH = counter(EnrichAsOfEventTime.PASSED_THROUGH);
  static final Counter CHANGES = counter(EnrichAsOfEventTime.CHANGES);
  static final Counter LATE_CHANGES = counter(EnrichAsOfEventTime.LATE_CHANGES);
  static final Counter HELD_EVENTS = counter(EnrichAsOfEventTime.HELD_EVENTS);
  static final Counter LATE_EVENTS = counter(EnrichAsOfEventTime.LATE_EVENTS);
  static final Counter WAITED = counter(EnrichAsOfEventTime.WAITED);
  static final Counter PRUNED_VERSIONS = counter(EnrichAsOfEventTime.PRUNED_VERSIONS);
  static final Counter CORRECTIONS = counter(EnrichAsOfEventTime.CORRECTIONS);
  static final Counter LATE_CHANGES_BEYOND_RETENTION =
      counter(EnrichAsOfEventTime.LATE_CHANGES_BEYOND_RETENTION);

  /** Where the join's results go. */
  interface Output<K, E, V> {
    void enriched(E event, @Nullable V row, Instant timestamp);

    void notFound(K key, E event, Instant timestamp);

    void lateChange(K key, @Nullable V row, Instant validFrom);

    void corrected(Correction<K, E, V> correction);
  }

  private final K key;
  private final MissingKeyPolicy policy;
  private final Duration retention;
  private final ValueState<SortedMap<Long, V>> history;
  private final BagState<TimestampedValue<E>> pending;
  private final BagState<TimestampedValue<E>> waiting;
  private final ValueState<Instant> dueAt;
  private final ValueState<Instant> waitingHold;
  private final Timer due;
  private final Timer deadline;
  private final Timer prune;
  private final BagState<TimestampedValue<E>> emitted;
  private final ValueState<Instant> emittedFrom;
  private final Timer forget;
  private final Output<K, E, V> out;

  AsOfJoin(
      K key,
      MissingKeyPolicy policy,
      Duration retention,
      ValueState<SortedMap<Long, V>> history,
      BagState<TimestampedValue<E>> pending,
      BagState<TimestampedValue<E>> waiting,
      ValueState<Instant> dueAt,
      ValueState<Instant> waitingHold,
      Timer due,
      Timer deadline,
      Timer prune,
      BagState<TimestampedValue<E>> emitted,
      ValueState<Instant> emittedFrom,
      Timer forget,
      Output<K, E, V> out) {
    this.key = key;
    this.policy = policy;
    this.retention = retention;
    this.history = history;
    this.pending = pending;
    this.waiting = waiting;
    this.dueAt = dueAt;
    this.waitingHold = waitingHold;
    this.due = due;
    this.deadline = deadline;
    this.prune = prune;
    this.emitted = emitted;
    this.emittedFrom = emittedFrom;
    this.forget = forget;
    this.out = out;
  }

  /**
   * A version of the row ({@code null}: deleted) valid from {@code validFrom}. Recorded even when
   * behind the watermark, so later events see it; such a late change goes to the late-changes
   * output, and every remembered event it gives another answer is corrected.
   */
  void onChange(@Nullable V row, Instant validFrom, Instant watermark) {
    SortedMap<Long, V> stored = history.read();
    VersionHistory<V> versions = VersionHistory.of(stored);
    versions.put(validFrom.getMillis(), row);
    CHANGES.inc();
    if (validFrom.isBefore(watermark)) {
      LATE_CHANGES.inc();
      if (validFrom.isBefore(watermark.minus(retention))) {
        LATE_CHANGES_BEYOND_RETENTION.inc();
      }
      out.lateChange(key, row, validFrom);
      correct(VersionHistory.of(stored), versions, validFrom, watermark);
    }
    maintain(versions, watermark);
  }

  /**
   * Reports every remembered event that {@code after} answers differently from {@code before}. Only
   * events within the retention are compared: the history answers older ones no longer exactly.
   */
  private void correct(
      VersionHistory<V> before, VersionHistory<V> after, Instant validFrom, Instant watermark) {
    // An event can see a version only at or after its time, or within its wait after it.
    Instant affectedFrom = validFrom.minus(policy.waits() ? policy.timeout() : Duration.ZERO);
    Instant remembered = watermark.minus(retention);
    Instant from = affectedFrom.isAfter(remembered) ? affectedFrom : remembered;
    for (TimestampedValue<E> event : emitted.read()) {
      Instant time = event.getTimestamp();
      if (time.isBefore(from)) {
        continue;
      }
      V was = answer(before, time);
      V now = answer(after, time);
      if (!Objects.equals(was, now)) {
        CORRECTIONS.inc();
        out.corrected(new Correction<>(key, event.getValue(), time, was, now, validFrom));
      }
    }
  }

  /**
   * The row an event at {@code time} joins once its time (and wait) has passed: the version valid
   * then, else under a waiting policy the first row within the wait; null if none.
   */
  private @Nullable V answer(VersionHistory<V> versions, Instant time) {
    V row = versions.valueAt(time.getMillis());
    if (row == null && policy.waits()) {
      row = versions.firstValueIn(time.getMillis(), waitEnd(time).getMillis());
    }
    return row;
  }

  /**
   * Keeps a joined event for corrections while a late change can still supersede its row: as long
   * as its time is within the retention behind the watermark.
   */
  private void remember(E event, Instant time, Instant watermark) {
    if (time.isBefore(watermark.minus(retention))) {
      return;
    }
    emitted.add(TimestampedValue.of(event, time));
    Instant earliest = emittedFrom.read();
    if (earliest == null || time.isBefore(earliest)) {
      emittedFrom.write(time);
      forget.withNoOutputTimestamp().set(forgetAt(retention, time));
    }
  }

  /** Forgets the remembered events older than the retention; the rest wait for the next timer. */
  void onForget(Instant watermark) {
    forget(retention, emitted, emittedFrom, forget, watermark);
  }

  /**
   * {@link #onForget} over only the state it touches, so that the DoFn's {@code forget} callback
   * needs no more.
   */
  static <E> void forget(
      Duration retention,
      BagState<TimestampedValue<E>> emitted,
      ValueState<Instant> emittedFrom,
      Timer forget,
      Instant watermark) {
    Instant horizon = watermark.minus(retention);
    List<TimestampedValue<E>> kept = new ArrayList<>();
    Instant earliest = null;
    for (TimestampedValue<E> event : emitted.read()) {
      if (!event.getTimestamp().isBefore(horizon)) {
        kept.add(event);
        earliest = earlier(earliest, event.getTimestamp());
      }
    }
    emitted.clear();
    if (earliest == null) {
      emittedFrom.clear();
      forget.clear();
      return;
    }
    for (TimestampedValue<E> event : kept) {
      emitted.add(event);
    }
    emittedFrom.write(earliest);
    forget.withNoOutputTimestamp().set(forgetAt(retention, earliest));
  }

  /** When to forget an event at {@code time}: a tenth of the retention after it expired. */
  private static Instant forgetAt(Duration retention, Instant time) {
    return capped(time.plus(retention).plus(Duration.millis(retention.getMillis() / 10)));
  }

  /**
   * An event at {@code time}: joined now if the watermark has passed its time (it arrived late;
   * every on-time change at or before it is known), else held until it has.
   */
  void onEvent(E event, Instant time, Instant watermark) {
    if (time.isBefore(watermark)) {
      LATE_EVENTS.inc();
      resolveDue(event, time, watermark, VersionHistory.of(history.read()));
      return;
    }
    HELD_EVENTS.inc();
    pending.add(TimestampedValue.of(event, time));
    Instant earliest = dueAt.read();
    if (earliest == null || time.isBefore(earliest)) {
      due.withOutputTimestamp(time).set(time);
      dueAt.write(time);
    }
  }

  /** The watermark passed the earliest pending event time: join every event it has passed. */
  void onDue(Instant watermark) {
    VersionHistory<V> versions = VersionHistory.of(history.read());
    List<TimestampedValue<E>> ready = new ArrayList<>();
    List<TimestampedValue<E>> rest = new ArrayList<>();
    for (TimestampedValue<E> event : pending.read()) {
      (event.getTimestamp().isBefore(watermark) ? ready : rest).add(event);
    }
    pending.clear();
    Instant earliest = null;
    for (TimestampedValue<E> event : rest) {
      pending.add(event);
      earliest = earlier(earliest, event.getTimestamp());
    }
    if (earliest == null) {
      dueAt.clear();
    } else {
      due.withOutputTimestamp(earliest).set(earliest);
      dueAt.write(earliest);
    }
    for (TimestampedValue<E> event : ready) {
      resolveDue(event.getValue(), event.getTimestamp(), watermark, versions);
    }
    maintain(versions, watermark);
  }

  /** The watermark passed the earliest waiting event's time plus the timeout. */
  void onDeadline(Instant watermark) {
    VersionHistory<V> versions = VersionHistory.of(history.read());
    List<TimestampedValue<E>> ready = new ArrayList<>();
    List<TimestampedValue<E>> rest = new ArrayList<>();
    for (TimestampedValue<E> event : waiting.read()) {
      (waitEnd(event.getTimestamp()).isBefore(watermark) ? ready : rest).add(event);
    }
    waiting.clear();
    Instant earliest = null;
    for (TimestampedValue<E> event : rest) {
      waiting.add(event);
      earliest = earlier(earliest, event.getTimestamp());
    }
    if (earliest == null) {
      waitingHold.clear();
    } else {
      deadline.withOutputTimestamp(earliest).set(waitEnd(earliest));
      waitingHold.write(earliest);
    }
    for (TimestampedValue<E> event : ready) {
      resolveWaited(event.getValue(), event.getTimestamp(), watermark, versions);
    }
    maintain(versions, watermark);
  }

  /** A version became older than the retention. */
  void onPrune(Instant watermark) {
    prune(retention, history, dueAt, waitingHold, prune, watermark);
  }

  /**
   * {@link #onPrune} over only the state it touches, so that the DoFn's {@code prune} callback
   * needs no more.
   */
  static <V> void prune(
      Duration retention,
      ValueState<SortedMap<Long, V>> history,
      ValueState<Instant> dueAt,
      ValueState<Instant> waitingHold,
      Timer prune,
      Instant watermark) {
    maintain(
        retention,
        history,
        dueAt,
        waitingHold,
        prune,
        VersionHistory.of(history.read()),
        watermark);
  }

  /** Joins an event whose time the watermark has passed, or starts its wait. */
  private void resolveDue(E event, Instant time, Instant watermark, VersionHistory<V> versions) {
    V row = versions.valueAt(time.getMillis());
    if (row != null) {
      ENRICHED.inc();
      out.enriched(event, row, time);
      remember(event, time, watermark);
      return;
    }
    switch (policy.action()) {
      case PASS_THROUGH:
        PASSED_THROUGH.inc();
        out.enriched(event, null, time);
        remember(event, time, watermark);
        return;
      case WAIT:
        if (waitEnd(time).isBefore(watermark)) {
          resolveWaited(event, time, watermark, versions);
          return;
        }
        WAITED.inc();
        waiting.add(TimestampedValue.of(event, time));
        Instant earliest = waitingHold.read();
        if (earliest == null || time.isBefore(earliest)) {
          deadline.withOutputTimestamp(time).set(waitEnd(time));
          waitingHold.write(time);
        }
        return;
      default:
        NOT_FOUND.inc();
        out.notFound(key, event, time);
        remember(event, time, watermark);
    }
  }

  /**
   * Joins an event after its wait: the version valid at its time if one arrived late, else the
   * first row that became valid within the timeout, else not found.
   */
  private void resolveWaited(E event, Instant time, Instant watermark, VersionHistory<V> versions) {
    V row = answer(versions, time);
    if (row != null) {
      ENRICHED.inc();
      out.enriched(event, row, time);
    } else {
      NOT_FOUND.inc();
      out.notFound(key, event, time);
    }
    remember(event, time, watermark);
  }

  /**
   * Prunes versions superseded longer ago than the watermark minus the retention (never ones a held
   * event may still need), stores what is left and sets the prune timer for the next version to
   * expire. An empty history leaves no state behind.
   */
  private void maintain(VersionHistory<V> versions, Instant watermark) {
    maintain(retention, history, dueAt, waitingHold, prune, versions, watermark);
  }

  private static <V> void maintain(
      Duration retention,
      ValueState<SortedMap<Long, V>> history,
      ValueState<Instant> dueAt,
      ValueState<Instant> waitingHold,
      Timer prune,
      VersionHistory<V> versions,
      Instant watermark) {
    long horizon = watermark.minus(retention).getMillis();
    Instant pendingFrom = dueAt.read();
    if (pendingFrom != null) {
      horizon = Math.min(horizon, pendingFrom.getMillis());
    }
    Instant waitingFrom = waitingHold.read();
    if (waitingFrom != null) {
      horizon = Math.min(horizon, waitingFrom.getMillis());
    }
    PRUNED_VERSIONS.inc(versions.pruneBefore(horizon));
    if (versions.isEmpty()) {
      history.clear();
      prune.clear();
      return;
    }
    history.write(versions.toSortedMap());
    Long next = versions.nextPrunableHorizon();
    Instant pruneAt = next == null ? null : capped(new Instant(next).plus(retention));
    if (pruneAt != null && pruneAt.isAfter(watermark)) {
      prune.withNoOutputTimestamp().set(pruneAt);
    } else {
      // Nothing expires, or what has expired is still needed by a held event: the callback that
      // releases that event prunes.
      prune.clear();
    }
  }

  private Instant waitEnd(Instant time) {
    return capped(time.plus(policy.timeout()));
  }

  private static Instant capped(Instant time) {
    Instant endOfGlobalWindow = GlobalWindow.INSTANCE.maxTimestamp();
    return time.isAfter(endOfGlobalWindow) ? endOfGlobalWindow : time;
  }

  private static Instant earlier(@Nullable Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static Counter counter(String name) {
    return Metrics.counter(EnrichAsOfEventTime.class, name);
  }
}
