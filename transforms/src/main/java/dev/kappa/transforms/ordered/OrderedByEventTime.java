package dev.kappa.transforms.ordered;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableComparator;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Processes each key's events in event-time order, whatever order they arrive in, through a {@link
 * StateFunction} that carries the key's state from one event to the next. A running value (a stock
 * level, a balance) then comes out the same in a stream and in a backfill: Beam promises no order
 * within a key, and a stateful DoFn that applies events as they come gives a different answer for
 * each arrival order.
 *
 * <p><b>How.</b> Each key's events wait in state until the watermark passes their event time plus
 * the {@link #allowedLateness()}; one event-time timer per key, set for the earliest waiting event
 * and holding the output watermark at its time, then releases every event whose time has come,
 * sorted by event time and, at the same millisecond, by the {@link #tieRule()}, which must be a
 * total order for the answer to be deterministic (the transform cannot break ties itself: arrival
 * order is exactly what differs between runs). Each result is emitted with its event's time.
 *
 * <p><b>Lateness.</b> An event behind the watermark on arrival is <i>late</i>. If its release time
 * ({@code t + allowedLateness}) has not yet passed, it is still released in order with the others:
 * the result is what a backfill gives. If it has passed, or an event after it in the order has
 * already been released, it is <i>too late</i>: it can no longer be applied in order, and goes to
 * {@link #tooLateTag()} (at its event time) instead of being applied out of order or dropped. A
 * bounded run never diverts anything (its watermark moves only at the end of the input), so a
 * stream's results equal the backfill's exactly when its too-late output is empty; a larger allowed
 * lateness catches later events at the price of emitting every result that much later.
 *
 * <p><b>State.</b> Per key: the waiting events, the earliest of their times, the time of the last
 * event released, and the function's state. Once a key's events are all released the buffer is
 * cleared. When the function returns null for a key's state (a delete), the time of the last
 * released event is kept until the watermark has passed it by the allowed lateness, so that an
 * event before the delete is too late rather than applied after it (also one that comes after a
 * restore, whose watermark starts again from the beginning of time); then nothing of the key is
 * left. An event before the delete that comes after a restore <i>and</i> after that moment is
 * applied to a key with no state: it was too late before the restore already.
 *
 * <p><b>Keys and throughput.</b> Keys are independent: the runner spreads them over its workers
 * (Flink: key groups over subtasks), and a key's timer depends only on the watermark, never on
 * other keys' events, so one busy key does not hold others back beyond sharing a worker's thread
 * with those hashed to the same subtask. One key's events go through one thread: a key's throughput
 * is bounded by one core and by its buffer, which each release reads, sorts and rewrites whole (in
 * a backfill, a key's whole input is buffered until the end).
 *
 * <p>Input: {@code KV<key, event>} timestamped with event time, in the global window (state per
 * key, not per window), with a deterministic key coder.
 *
 * <pre>{@code
 * OrderedByEventTime<String, StockEvent, Long, StockLevel> levels =
 *     OrderedByEventTime.applying(new ApplyStockEventFn(), VarLongCoder.of(), levelCoder)
 *         .withTieRule(StockEvent.TIE_RULE) // stock changes before orders, then by id
 *         .withAllowedLateness(Duration.standardSeconds(30));
 * PCollectionTuple out = events.apply("TrackStockLevels", levels);
 * out.get(levels.resultsTag()); // each at its event's time
 * out.get(levels.tooLateTag()); // KV<key, event> that could not be applied in order
 * }</pre>
 *
 * @param <K> the key
 * @param <E> an event
 * @param <S> a key's state
 * @param <R> a result
 */
@AutoValue
public abstract class OrderedByEventTime<K, E, S, R>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter of events applied in order, in the namespace of this class. */
  public static final String EVENTS_RELEASED = "eventsReleased";

  /** Counter of events diverted as too late. */
  public static final String EVENTS_TOO_LATE = "eventsTooLate";

  public abstract StateFunction<K, E, S, R> function();

  abstract Coder<S> stateCoder();

  abstract Coder<R> resultCoder();

  /** Orders events of one key at the same millisecond; null until set (required). */
  public abstract @Nullable SerializableComparator<E> tieRule();

  /** How long after the watermark passes an event's time it is applied; default zero. */
  public abstract Duration allowedLateness();

  abstract TupleTag<R> resultsTagInternal();

  abstract TupleTag<KV<K, E>> tooLateTagInternal();

  abstract Builder<K, E, S, R> toBuilder();

  /**
   * Applies {@code function} to each key's events in event-time order, keeping the key's state with
   * {@code stateCoder}; results are encoded with {@code resultCoder}. Set a tie rule with {@link
   * #withTieRule}.
   */
  public static <K, E, S, R> OrderedByEventTime<K, E, S, R> applying(
      StateFunction<K, E, S, R> function, Coder<S> stateCoder, Coder<R> resultCoder) {
    checkArgument(function != null, "state function must be set");
    checkArgument(stateCoder != null, "state coder must be set");
    checkArgument(resultCoder != null, "result coder must be set");
    return new AutoValue_OrderedByEventTime.Builder<K, E, S, R>()
        .setFunction(function)
        .setStateCoder(stateCoder)
        .setResultCoder(resultCoder)
        .setAllowedLateness(Duration.ZERO)
        .setResultsTagInternal(new TupleTag<R>("results") {})
        .setTooLateTagInternal(new TupleTag<KV<K, E>>("tooLate") {})
        .build();
  }

  /**
   * Orders the events of one key at the same millisecond: a total order on events, or the results
   * may differ between runs.
   */
  public OrderedByEventTime<K, E, S, R> withTieRule(SerializableComparator<E> tieRule) {
    checkArgument(tieRule != null, "tie rule must be set");
    return toBuilder().setTieRule(tieRule).build();
  }

  /** Waits {@code lateness} after the watermark passes an event before applying it. */
  public OrderedByEventTime<K, E, S, R> withAllowedLateness(Duration lateness) {
    checkArgument(lateness != null, "allowed lateness must be set");
    checkArgument(
        !lateness.isShorterThan(Duration.ZERO),
        "allowed lateness must not be negative, was %s",
        lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** The results, each timestamped with the time of the event that produced it. */
  public TupleTag<R> resultsTag() {
    return resultsTagInternal();
  }

  /** Events that arrived too late to be applied in order, at their event time. */
  public TupleTag<KV<K, E>> tooLateTag() {
    return tooLateTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> events) {
    checkArgument(
        tieRule() != null,
        "OrderedByEventTime needs withTieRule(...): events of a key at the same millisecond"
            + " must be ordered the same way in every run");
    checkArgument(
        events.getWindowingStrategy().getWindowFn() instanceof GlobalWindows,
        "OrderedByEventTime keeps state per key across all time: its input must be in the global"
            + " window, was %s",
        events.getWindowingStrategy().getWindowFn());
    checkArgument(
        events.getCoder() instanceof KvCoder, "the input must have a KvCoder, has %s", events);
    @SuppressWarnings("unchecked")
    KvCoder<K, E> coder = (KvCoder<K, E>) events.getCoder();
    PCollectionTuple out =
        events.apply(
            "ApplyInEventTimeOrder",
            ParDo.of(
                    new InOrderFn<>(
                        function(),
                        tieRule(),
                        allowedLateness(),
                        coder.getValueCoder(),
                        stateCoder(),
                        resultsTag(),
                        tooLateTag()))
                .withOutputTags(resultsTag(), TupleTagList.of(tooLateTag())));
    out.get(resultsTag()).setCoder(resultCoder());
    out.get(tooLateTag()).setCoder(coder);
    return out;
  }

  /** Buffers each key's events in state and applies them in order when the watermark passes. */
  static final class InOrderFn<K, E, S, R> extends DoFn<KV<K, E>, R> {
    private static final long serialVersionUID = 1L;

    private final StateFunction<K, E, S, R> function;
    private final SerializableComparator<E> tieRule;
    private final Duration allowedLateness;
    private final TupleTag<R> resultsTag;
    private final TupleTag<KV<K, E>> tooLateTag;
    private final Counter released = Metrics.counter(OrderedByEventTime.class, EVENTS_RELEASED);
    private final Counter tooLate = Metrics.counter(OrderedByEventTime.class, EVENTS_TOO_LATE);

    @StateId("buffer")
    private final StateSpec<BagState<TimestampedValue<E>>> bufferSpec;

    @StateId("earliestBuffered")
    private final StateSpec<ValueState<Instant>> earliestSpec = StateSpecs.value(InstantCoder.of());

    @StateId("releasedThrough")
    private final StateSpec<ValueState<Instant>> releasedSpec = StateSpecs.value(InstantCoder.of());

    @StateId("state")
    private final StateSpec<ValueState<S>> stateSpec;

    @TimerId("release")
    private final TimerSpec releaseSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    InOrderFn(
        StateFunction<K, E, S, R> function,
        SerializableComparator<E> tieRule,
        Duration allowedLateness,
        Coder<E> eventCoder,
        Coder<S> stateCoder,
        TupleTag<R> resultsTag,
        TupleTag<KV<K, E>> tooLateTag) {
      this.function = function;
      this.tieRule = tieRule;
      this.allowedLateness = allowedLateness;
      this.resultsTag = resultsTag;
      this.tooLateTag = tooLateTag;
      this.bufferSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(eventCoder));
      this.stateSpec = StateSpecs.value(stateCoder);
    }

    @ProcessElement
    public void process(
        @Element KV<K, E> element,
        @Timestamp Instant timestamp,
        @StateId("buffer") BagState<TimestampedValue<E>> buffer,
        @StateId("earliestBuffered") ValueState<Instant> earliest,
        @StateId("releasedThrough") ValueState<Instant> releasedThrough,
        @StateId("state") ValueState<S> state,
        @TimerId("release") Timer release,
        MultiOutputReceiver out) {
      // An event-time timer that is read, not set, gives the input watermark.
      Instant watermark = release.getCurrentRelativeTime();
      logic(element.getKey(), buffer, earliest, releasedThrough, state, release, out)
          .onEvent(element.getValue(), timestamp, watermark);
    }

    @OnTimer("release")
    public void onRelease(
        OnTimerContext context,
        @StateId("buffer") BagState<TimestampedValue<E>> buffer,
        @StateId("earliestBuffered") ValueState<Instant> earliest,
        @StateId("releasedThrough") ValueState<Instant> releasedThrough,
        @StateId("state") ValueState<S> state,
        @Key K key,
        @TimerId("release") Timer release,
        MultiOutputReceiver out) {
      logic(key, buffer, earliest, releasedThrough, state, release, out)
          .onRelease(context.fireTimestamp(), release.getCurrentRelativeTime());
    }

    private KeyInOrder<K, E, S, R> logic(
        K key,
        BagState<TimestampedValue<E>> buffer,
        ValueState<Instant> earliest,
        ValueState<Instant> releasedThrough,
        ValueState<S> state,
        Timer release,
        MultiOutputReceiver out) {
      return new KeyInOrder<>(
          key,
          buffer,
          earliest,
          releasedThrough,
          state,
          release,
          allowedLateness,
          tieRule,
          function,
          new KeyInOrder.Output<E, R>() {
            @Override
            public void applied() {
              released.inc();
            }

            @Override
            public void result(R result, Instant eventTime) {
              out.get(resultsTag).outputWithTimestamp(result, eventTime);
            }

            @Override
            public void tooLate(E event, Instant eventTime) {
              tooLate.inc();
              out.get(tooLateTag).outputWithTimestamp(KV.of(key, event), eventTime);
            }
          });
    }
  }

  @AutoValue.Builder
  abstract static class Builder<K, E, S, R> {
    abstract Builder<K, E, S, R> setFunction(StateFunction<K, E, S, R> function);

    abstract Builder<K, E, S, R> setStateCoder(Coder<S> coder);

    abstract Builder<K, E, S, R> setResultCoder(Coder<R> coder);

    abstract Builder<K, E, S, R> setTieRule(SerializableComparator<E> tieRule);

    abstract Builder<K, E, S, R> setAllowedLateness(Duration lateness);

    abstract Builder<K, E, S, R> setResultsTagInternal(TupleTag<R> tag);

    abstract Builder<K, E, S, R> setTooLateTagInternal(TupleTag<KV<K, E>> tag);

    abstract OrderedByEventTime<K, E, S, R> build();
  }
}
