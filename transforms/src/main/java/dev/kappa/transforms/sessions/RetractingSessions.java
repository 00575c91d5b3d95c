package dev.kappa.transforms.sessions;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.MissedWindow;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event-time sessions per key that, when a late event bridges sessions already emitted, emit the
 * merged session and a retraction for each emitted session it replaced.
 *
 * <p>Beam's {@code Sessions} windows merge, but a pane of the merged window does not say which
 * earlier panes it replaces: a sink keyed by session keeps the stale ones forever. Here a session
 * is identified by its key and start, and every change to an emitted session comes out at once:
 *
 * <ul>
 *   <li>{@link #sessionsTag()}: {@code KV<key, KV<window, result>>}, the session's window {@code
 *       [first event, last event + gap)} and the {@link CombineFn}'s result over its events. A
 *       session is first emitted when the watermark passes its end; an emitted session that a late
 *       event changes is emitted again (the same start: an update of the same row).
 *   <li>{@link #retractionsTag()}: {@code KV<key, KV<retracted window, replacing window>>}, one for
 *       each emitted session whose start a late event made disappear: merged into an earlier
 *       session, or extended backwards. A retracted session never comes back (its events stay in
 *       the session that replaced it), so deletes and upserts may be applied in any order.
 *   <li>{@link #tooLateTag()}: events that would join a session closed by the watermark (its end
 *       plus the allowed lateness), or whose own gap-long window has closed, with the session they
 *       would have joined (or the one they would have started) as a {@link MissedWindow}.
 * </ul>
 *
 * <p>Two events belong to one session when less than the gap separates them: an event exactly one
 * gap after the last one starts a new session (Beam's half-open windows). One event spans one gap,
 * so it can bridge at most two sessions; several late events arriving together can merge more.
 *
 * <p><b>How.</b> A stateful DoFn keyed by the session key, in the global window (a stateful DoFn
 * cannot run in merging windows), keeps per key the sessions that may still change: their windows,
 * combiner accumulators and whether they were emitted. It reads the input watermark through an
 * event-time timer ({@code getCurrentRelativeTime()}, as {@code DivertTooLateEvents} does) and
 * judges lateness by Beam's rule: a window is closed once the watermark is past its max timestamp
 * plus the allowed lateness. One event-time timer per key, at the earliest moment a session is due,
 * emits sessions whose end the watermark has passed and drops sessions one gap after they closed
 * (no event that is not too late can reach them then); with no session left, the key's state is
 * empty. The highest watermark seen is kept with the sessions so that, after a restore, a closed
 * session stays closed. A Beam {@code Sessions} window followed by a diff against the previous pane
 * was the alternative: it needs the same per-key state to know what was emitted, and Beam's own
 * late-data dropping would silently drop what this step reports.
 *
 * <p>In a bounded run the watermark does not move until the input is read, so every session is
 * emitted once, complete, and nothing is retracted or too late: after applying its retractions, a
 * stream gives the sessions of the same events less the too-late ones. A timer's firing catches up
 * to the input watermark, not only to its own time, so at the end of the input one firing emits
 * every session of its key and sets no timer again: Flink's batch execution ignores timers set
 * while a key's timers fire.
 *
 * <pre>{@code
 * RetractingSessions<String, PageView, Activity, Activity> sessions =
 *     RetractingSessions.of(Duration.standardMinutes(30), new ActivityCombineFn())
 *         .withAllowedLateness(Duration.standardHours(1));
 * PCollectionTuple out = viewsByVisitor.apply("TrackSessions", sessions);
 * out.get(sessions.sessionsTag());     // upsert by key and window start
 * out.get(sessions.retractionsTag());  // delete by key and the retracted window's start
 * out.get(sessions.tooLateTag());
 * }</pre>
 *
 * @param <K> the session key (a visitor); its coder must be deterministic
 * @param <V> the events, timestamped with their event time (an element with the minimum timestamp,
 *     as a source that stamps none gives it, fails the step: at one timestamp all of a key's events
 *     would be one session)
 * @param <A> the combiner's accumulator, kept in state per open session
 * @param <R> a session's result
 */
@AutoValue
public abstract class RetractingSessions<K, V, A, R>
    extends PTransform<PCollection<KV<K, V>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter of session results emitted (first emissions and updates). */
  public static final String SESSIONS_COUNTER = "sessionsEmitted";

  /** Counter of retractions emitted. */
  public static final String RETRACTIONS_COUNTER = "sessionsRetracted";

  /** Counter of too-late events. */
  public static final String TOO_LATE_COUNTER = "tooLateEvents";

  /** Inactivity that ends a session. */
  public abstract Duration gap();

  /** How long after a session's end events may still change it. */
  public abstract Duration allowedLateness();

  abstract CombineFn<V, A, R> combineFn();

  abstract TupleTag<KV<K, KV<IntervalWindow, R>>> sessionsTagInternal();

  abstract TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>> retractionsTagInternal();

  abstract TupleTag<KV<KV<K, V>, MissedWindow>> tooLateTagInternal();

  abstract Builder<K, V, A, R> toBuilder();

  /** Sessions closed by {@code gap} of inactivity, summarised by {@code combineFn}; no lateness. */
  public static <K, V, A, R> RetractingSessions<K, V, A, R> of(
      Duration gap, CombineFn<V, A, R> combineFn) {
    checkArgument(gap != null && gap.getMillis() > 0, "session gap must be positive, was %s", gap);
    return new AutoValue_RetractingSessions.Builder<K, V, A, R>()
        .setGap(gap)
        .setAllowedLateness(Duration.ZERO)
        .setCombineFn(checkNotNull(combineFn, "combine fn must be set"))
        .setSessionsTagInternal(new TupleTag<KV<K, KV<IntervalWindow, R>>>("sessions") {})
        .setRetractionsTagInternal(
            new TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>>("retractions") {})
        .setTooLateTagInternal(new TupleTag<KV<KV<K, V>, MissedWindow>>("tooLate") {})
        .build();
  }

  /** Accepts events up to {@code lateness} after the end of the session they join. */
  public RetractingSessions<K, V, A, R> withAllowedLateness(Duration lateness) {
    checkArgument(lateness != null, "allowed lateness must be set");
    checkArgument(
        !lateness.isShorterThan(Duration.ZERO), "allowed lateness must be >= 0, was %s", lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** Sessions as they are emitted, updated and merged: upsert them by key and window start. */
  public TupleTag<KV<K, KV<IntervalWindow, R>>> sessionsTag() {
    return sessionsTagInternal();
  }

  /** Emitted sessions a merge replaced, each with the session replacing it: delete them. */
  public TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>> retractionsTag() {
    return retractionsTagInternal();
  }

  /** Events too late for their session, with the session they would have joined or started. */
  public TupleTag<KV<KV<K, V>, MissedWindow>> tooLateTag() {
    return tooLateTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, V>> input) {
    checkArgument(
        input.getCoder() instanceof KvCoder,
        "RetractingSessions needs a KvCoder on its input, was %s",
        input.getCoder());
    @SuppressWarnings("unchecked")
    KvCoder<K, V> inputCoder = (KvCoder<K, V>) input.getCoder();
    CoderRegistry registry = input.getPipeline().getCoderRegistry();
    Coder<A> accumulatorCoder;
    Coder<R> resultCoder;
    try {
      accumulatorCoder = combineFn().getAccumulatorCoder(registry, inputCoder.getValueCoder());
      resultCoder = combineFn().getDefaultOutputCoder(registry, inputCoder.getValueCoder());
    } catch (CannotProvideCoderException e) {
      throw new IllegalArgumentException(
          "no coder for the accumulator or result of " + combineFn(), e);
    }
    PCollectionTuple out =
        input
            .apply("IntoGlobalWindow", Window.into(new GlobalWindows()))
            .apply(
                "TrackSessions",
                ParDo.of(
                        new TrackSessionsFn<>(
                            gap(),
                            allowedLateness(),
                            combineFn(),
                            accumulatorCoder,
                            sessionsTag(),
                            retractionsTag(),
                            tooLateTag()))
                    .withOutputTags(
                        sessionsTag(), TupleTagList.of(retractionsTag()).and(tooLateTag())));
    Coder<IntervalWindow> windowCoder = IntervalWindow.getCoder();
    out.get(sessionsTag())
        .setCoder(KvCoder.of(inputCoder.getKeyCoder(), KvCoder.of(windowCoder, resultCoder)));
    out.get(retractionsTag())
        .setCoder(KvCoder.of(inputCoder.getKeyCoder(), KvCoder.of(windowCoder, windowCoder)));
    out.get(tooLateTag())
        .setCoder(KvCoder.of(inputCoder, SpecificRecordCoder.of(MissedWindow.class)));
    return out;
  }

  /** A session that may still change, as kept in state. */
  private static final class Open<A> {
    final IntervalWindow window;
    final A accumulator;
    boolean emitted;

    Open(IntervalWindow window, A accumulator, boolean emitted) {
      this.window = window;
      this.accumulator = accumulator;
      this.emitted = emitted;
    }
  }

  /** The per-key sessions, the merges and retractions, and the lateness decisions. */
  static final class TrackSessionsFn<K, V, A, R>
      extends DoFn<KV<K, V>, KV<K, KV<IntervalWindow, R>>> {
    private static final long serialVersionUID = 1L;
    private static final String SESSIONS = "sessions";
    private static final String HIGHEST_WATERMARK = "highestWatermark";
    private static final String DUE = "due";

    /** Each open session: its window, accumulator and whether it was emitted. */
    @StateId(SESSIONS)
    private final StateSpec<ValueState<List<KV<IntervalWindow, KV<A, Boolean>>>>> sessionsSpec;

    /** The highest watermark seen while the key had sessions; kept across a restore. */
    @StateId(HIGHEST_WATERMARK)
    private final StateSpec<ValueState<Instant>> highestWatermarkSpec =
        StateSpecs.value(InstantCoder.of());

    /** The earliest moment a session is due to be emitted or dropped. */
    @TimerId(DUE)
    private final TimerSpec dueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final Duration gap;
    private final Duration allowedLateness;
    private final CombineFn<V, A, R> combineFn;
    private final TupleTag<KV<K, KV<IntervalWindow, R>>> sessionsTag;
    private final TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>> retractionsTag;
    private final TupleTag<KV<KV<K, V>, MissedWindow>> tooLateTag;
    private final Counter sessionsEmitted =
        Metrics.counter(RetractingSessions.class, SESSIONS_COUNTER);
    private final Counter retractions =
        Metrics.counter(RetractingSessions.class, RETRACTIONS_COUNTER);
    private final Counter tooLate = Metrics.counter(RetractingSessions.class, TOO_LATE_COUNTER);

    TrackSessionsFn(
        Duration gap,
        Duration allowedLateness,
        CombineFn<V, A, R> combineFn,
        Coder<A> accumulatorCoder,
        TupleTag<KV<K, KV<IntervalWindow, R>>> sessionsTag,
        TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>> retractionsTag,
        TupleTag<KV<KV<K, V>, MissedWindow>> tooLateTag) {
      this.gap = gap;
      this.allowedLateness = allowedLateness;
      this.combineFn = combineFn;
      this.sessionsTag = sessionsTag;
      this.retractionsTag = retractionsTag;
      this.tooLateTag = tooLateTag;
      this.sessionsSpec =
          StateSpecs.value(
              ListCoder.of(
                  KvCoder.of(
                      IntervalWindow.getCoder(), KvCoder.of(accumulatorCoder, BooleanCoder.of()))));
    }

    @ProcessElement
    public void process(
        @Element KV<K, V> element,
        @Timestamp Instant timestamp,
        @StateId(SESSIONS) ValueState<List<KV<IntervalWindow, KV<A, Boolean>>>> state,
        @StateId(HIGHEST_WATERMARK) ValueState<Instant> highest,
        @TimerId(DUE) Timer due,
        MultiOutputReceiver out) {
      // At one timestamp a key's events are all one session, however far apart they happened.
      checkArgument(
          timestamp.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE),
          "RetractingSessions needs its input timestamped with event time, but an element of key"
              + " %s has the minimum timestamp %s, as from a source that stamps none (files):"
              + " stamp the events with their event time first (AssignEventTime)",
          element.getKey(),
          timestamp);
      Instant watermark = later(capped(due.getCurrentRelativeTime()), highest.read());
      // What the timer would have done by this watermark, done now: whether its firing or this
      // element comes first must not change what is emitted or retracted.
      List<Open<A>> sessions = catchUp(element.getKey(), read(state), watermark, out);
      IntervalWindow own = new IntervalWindow(timestamp, gap);
      List<Open<A>> touched = new ArrayList<>();
      List<Open<A>> untouched = new ArrayList<>();
      Open<A> closed = null;
      for (Open<A> session : sessions) {
        if (session.window.intersects(own)) {
          touched.add(session);
          if (closed == null && isClosed(session.window, watermark)) {
            closed = session;
          }
        } else {
          untouched.add(session);
        }
      }
      if (closed != null || isClosed(own, watermark)) {
        // Beam's rule for the event's own window, and no change to a closed session.
        IntervalWindow deciding = closed != null ? closed.window : own;
        IntervalWindow reported = closed != null ? closed.window : span(own, touched);
        tooLate.inc();
        out.get(tooLateTag)
            .output(
                KV.of(
                    element, missedWindow(reported, timestamp, watermark, closingTime(deciding))));
        return;
      }
      IntervalWindow merged = span(own, touched);
      List<A> accumulators = new ArrayList<>();
      accumulators.add(combineFn.addInput(combineFn.createAccumulator(), element.getValue()));
      boolean emittedBefore = false;
      for (Open<A> session : touched) {
        accumulators.add(session.accumulator);
        emittedBefore |= session.emitted;
      }
      Open<A> session = new Open<>(merged, combineFn.mergeAccumulators(accumulators), false);
      for (Open<A> replaced : touched) {
        if (replaced.emitted && !replaced.window.start().equals(merged.start())) {
          retractions.inc();
          out.get(retractionsTag).output(KV.of(element.getKey(), KV.of(replaced.window, merged)));
        }
      }
      if (emittedBefore || !merged.maxTimestamp().isAfter(watermark)) {
        emit(element.getKey(), session, out);
      }
      untouched.add(session);
      write(state, untouched);
      highest.write(watermark);
      Instant next = nextDue(untouched);
      // A timer may not fire before the element's time. An earlier due time belongs to a session
      // this element did not touch, whose timer is therefore already set at or before it.
      if (!next.isBefore(timestamp)) {
        due.set(next);
      }
    }

    @OnTimer(DUE)
    public void onDue(
        OnTimerContext context,
        @Key K key,
        @StateId(SESSIONS) ValueState<List<KV<IntervalWindow, KV<A, Boolean>>>> state,
        @StateId(HIGHEST_WATERMARK) ValueState<Instant> highest,
        @TimerId(DUE) Timer due,
        MultiOutputReceiver out) {
      // The input watermark, not only the firing time: at the end of a bounded input it is past
      // every session, so all of them are emitted and dropped now, and no timer is set again.
      // Flink's batch execution (--useDataStreamForBatch) fires a key's timers once its input is
      // read and ignores timers set while they fire: a key whose next session was left to a
      // timer set here lost that session (and the job failed on the timer's watermark hold).
      Instant watermark =
          later(
              later(context.fireTimestamp(), capped(due.getCurrentRelativeTime())), highest.read());
      List<Open<A>> kept = catchUp(key, read(state), watermark, out);
      if (kept.isEmpty()) {
        state.clear();
        highest.clear();
        return;
      }
      write(state, kept);
      highest.write(watermark);
      due.set(nextDue(kept));
    }

    /**
     * Emits the sessions whose end the watermark has passed and leaves out those that can no longer
     * be reached; returns the sessions kept.
     */
    private List<Open<A>> catchUp(
        K key, List<Open<A>> sessions, Instant watermark, MultiOutputReceiver out) {
      List<Open<A>> kept = new ArrayList<>();
      for (Open<A> session : sessions) {
        if (!session.emitted && !session.window.maxTimestamp().isAfter(watermark)) {
          emit(key, session, out);
        }
        if (!session.emitted || dropTime(session.window).isAfter(watermark)) {
          kept.add(session);
        }
      }
      return kept;
    }

    private void emit(K key, Open<A> session, MultiOutputReceiver out) {
      sessionsEmitted.inc();
      session.emitted = true;
      out.get(sessionsTag)
          .output(KV.of(key, KV.of(session.window, combineFn.extractOutput(session.accumulator))));
    }

    /** Emission at the session's end; once emitted, dropping one gap after it closed. */
    private Instant nextDue(List<Open<A>> sessions) {
      Instant next = GlobalWindow.INSTANCE.maxTimestamp();
      for (Open<A> session : sessions) {
        Instant due = session.emitted ? dropTime(session.window) : session.window.maxTimestamp();
        if (due.isBefore(next)) {
          next = due;
        }
      }
      return next;
    }

    /**
     * When a closed session can no longer be reached: an event overlapping it is at most one gap
     * after its max timestamp, so its own window has closed too by then.
     */
    private Instant dropTime(IntervalWindow window) {
      return capped(closingTime(window).plus(gap));
    }

    /** The last watermark at which the window is open: max timestamp plus allowed lateness. */
    private Instant closingTime(IntervalWindow window) {
      return capped(window.maxTimestamp().plus(allowedLateness));
    }

    private boolean isClosed(IntervalWindow window, Instant watermark) {
      return closingTime(window).isBefore(watermark);
    }

    private MissedWindow missedWindow(
        IntervalWindow window, Instant eventTime, Instant watermark, Instant closedAt) {
      return MissedWindow.newBuilder()
          .setWindowStart(java.time.Instant.ofEpochMilli(window.start().getMillis()))
          .setWindowEnd(java.time.Instant.ofEpochMilli(window.end().getMillis()))
          .setEventTime(java.time.Instant.ofEpochMilli(eventTime.getMillis()))
          .setWatermark(java.time.Instant.ofEpochMilli(watermark.getMillis()))
          .setAllowedLatenessMillis(allowedLateness.getMillis())
          .setLateByMillis(watermark.getMillis() - closedAt.getMillis())
          .build();
    }

    private static Instant capped(Instant time) {
      Instant end = GlobalWindow.INSTANCE.maxTimestamp();
      return time.isAfter(end) ? end : time;
    }

    private static Instant later(Instant a, Instant b) {
      if (b == null || a.isAfter(b)) {
        return a;
      }
      return b;
    }

    private static <A> IntervalWindow span(IntervalWindow own, List<Open<A>> sessions) {
      IntervalWindow span = own;
      for (Open<A> session : sessions) {
        span = span.span(session.window);
      }
      return span;
    }

    private static <A> List<Open<A>> read(
        ValueState<List<KV<IntervalWindow, KV<A, Boolean>>>> state) {
      List<KV<IntervalWindow, KV<A, Boolean>>> stored = state.read();
      List<Open<A>> sessions = new ArrayList<>();
      if (stored != null) {
        for (KV<IntervalWindow, KV<A, Boolean>> entry : stored) {
          sessions.add(
              new Open<>(entry.getKey(), entry.getValue().getKey(), entry.getValue().getValue()));
        }
      }
      return sessions;
    }

    private static <A> void write(
        ValueState<List<KV<IntervalWindow, KV<A, Boolean>>>> state, List<Open<A>> sessions) {
      List<KV<IntervalWindow, KV<A, Boolean>>> stored = new ArrayList<>();
      for (Open<A> session : sessions) {
        stored.add(KV.of(session.window, KV.of(session.accumulator, session.emitted)));
      }
      state.write(stored);
    }
  }

  @AutoValue.Builder
  abstract static class Builder<K, V, A, R> {
    abstract Builder<K, V, A, R> setGap(Duration gap);

    abstract Builder<K, V, A, R> setAllowedLateness(Duration lateness);

    abstract Builder<K, V, A, R> setCombineFn(CombineFn<V, A, R> combineFn);

    abstract Builder<K, V, A, R> setSessionsTagInternal(TupleTag<KV<K, KV<IntervalWindow, R>>> tag);

    abstract Builder<K, V, A, R> setRetractionsTagInternal(
        TupleTag<KV<K, KV<IntervalWindow, IntervalWindow>>> tag);

    abstract Builder<K, V, A, R> setTooLateTagInternal(TupleTag<KV<KV<K, V>, MissedWindow>> tag);

    abstract RetractingSessions<K, V, A, R> build();
  }
}
