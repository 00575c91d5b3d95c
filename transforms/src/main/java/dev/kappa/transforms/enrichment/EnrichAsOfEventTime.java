package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.transforms.carry.CarriedWindows;
import dev.kappa.transforms.carry.KeyedUnion;
import dev.kappa.transforms.carry.RestoreWindows;
import java.util.List;
import java.util.SortedMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SortedMapCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Enriches each keyed event with the version of the row that was valid <b>at the event's time</b>,
 * read from a changelog: a temporal join, as Flink SQL's {@code FOR SYSTEM_TIME AS OF} or Kafka
 * Streams' versioned stores do it.
 *
 * <p>The changelog has one element per change of a row: its timestamp is when the version became
 * valid (Debezium's {@code source.ts_ms}, or the row's {@code updated_at}; see {@link
 * DecodeChanges}) and a null value is a delete. Its coder must therefore be {@code
 * KvCoder.of(keyCoder, NullableCoder.of(rowCoder))}, with the events' key coder.
 *
 * <p><b>Guarantee under replay: the same answers as the stream.</b> An event at time {@code t}
 * joins the latest version with a timestamp at or before {@code t} (a delete there: not found). It
 * is held until the input watermark, the minimum of the events' and the changelog's, has passed
 * {@code t}, so every change at or before {@code t} has arrived unless it was late. A bounded
 * backfill over the same events and changes therefore gives exactly the streaming results. The one
 * way they can differ is a <b>late change</b>: a change that arrives behind the watermark. It is
 * recorded (later events see it) and emitted on {@link #lateChangesTag()}; every event already
 * joined whose answer it changes is reported on {@link #correctionsTag()} with the row it was given
 * and the row a backfill gives it. The stream's joined events with its corrections applied equal
 * the backfill's, for events within the history retention behind the watermark when the change
 * arrives. A bounded run has no late changes, so no corrections.
 *
 * <ul>
 *   <li><b>Latency</b> follows the changelog's watermark: an idle changelog whose source does not
 *       advance its watermark while idle holds every event back. Kappa's Kafka source advances an
 *       idle, caught-up partition's watermark with the clock after its idle timeout.
 *   <li><b>Late events</b> (behind the watermark on arrival) are joined at once with the history.
 *   <li><b>Missing keys</b> follow {@link #missingKeys()}. {@link MissingKeyPolicy#waitUpTo} keeps
 *       the event until the watermark passes {@code t + timeout}, then joins the first version that
 *       became valid after {@code t} and no later than {@code t + timeout}, else not found: also
 *       deterministic, at the price of holding the output watermark back by up to the timeout.
 *   <li><b>History retention.</b> Versions superseded longer ago than the watermark minus {@link
 *       #historyRetention()} (default 30 days) are dropped, and a deleted row's state goes
 *       entirely. An event more than the retention behind the watermark may no longer find its
 *       version, and a joined event is remembered for corrections only while its time is within the
 *       retention. State per key: the versions within retention, the held events, and the joined
 *       events within retention (the event itself, without its row).
 * </ul>
 *
 * <p><b>Outputs.</b> Enriched and not-found events keep their own timestamps and their original
 * windows (the join runs in the global window, because stateful DoFns reject merging windows and
 * the history must outlive any window; each event carries its window through it). Pane information
 * is not kept. Late changes and corrections come out in the global window with the change's
 * timestamp. Counters (namespace {@code EnrichAsOfEventTime}, per step): {@code enriched}, {@code
 * notFound}, {@code passedThrough}, {@code changes}, {@code lateChanges}, {@code
 * lateChangesBeyondRetention}, {@code corrections}, {@code heldEvents}, {@code lateEvents}, {@code
 * waitedForKey}, {@code prunedVersions}.
 *
 * <pre>{@code
 * PCollection<KV<String, Product>> productChanges = ...; // KvCoder(String, Nullable(Avro Product))
 * EnrichAsOfEventTime<String, OrderEvent, Product> enrich =
 *     EnrichAsOfEventTime.<String, OrderEvent, Product>against(productChanges)
 *         .withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
 * PCollectionTuple out = ordersByProductId.apply("EnrichWithProduct", enrich);
 * PCollection<KV<OrderEvent, Product>> enriched = out.get(enrich.enrichedTag());
 * PCollection<KV<String, OrderEvent>> notFound = out.get(enrich.notFoundTag());
 * PCollection<KV<String, Product>> lateChanges = out.get(enrich.lateChangesTag());
 * PCollection<Correction<String, OrderEvent, Product>> corrections =
 *     out.get(enrich.correctionsTag());
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic and consistent with equals
 * @param <E> the event
 * @param <V> the table row
 */
@AutoValue
public abstract class EnrichAsOfEventTime<K, E, V>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class. */
  public static final String ENRICHED = "enriched";

  public static final String NOT_FOUND = "notFound";
  public static final String PASSED_THROUGH = "passedThrough";
  public static final String CHANGES = "changes";
  public static final String LATE_CHANGES = "lateChanges";
  public static final String HELD_EVENTS = "heldEvents";
  public static final String LATE_EVENTS = "lateEvents";
  public static final String WAITED = "waitedForKey";
  public static final String PRUNED_VERSIONS = "prunedVersions";
  public static final String CORRECTIONS = "corrections";
  public static final String LATE_CHANGES_BEYOND_RETENTION = "lateChangesBeyondRetention";

  abstract PCollection<KV<K, V>> changelog();

  public abstract MissingKeyPolicy missingKeys();

  /** How long a superseded version is kept, measured back from the watermark. */
  public abstract Duration historyRetention();

  abstract TupleTag<KV<E, V>> enrichedTagInternal();

  abstract TupleTag<KV<K, E>> notFoundTagInternal();

  abstract TupleTag<KV<K, V>> lateChangesTagInternal();

  abstract TupleTag<Correction<K, E, V>> correctionsTagInternal();

  abstract Builder<K, E, V> toBuilder();

  /**
   * Joins against {@code changelog}: one element per change, timestamped with when the version
   * became valid, null for a delete. Defaults: missing keys dead-lettered, 30 days of history.
   */
  public static <K, E, V> EnrichAsOfEventTime<K, E, V> against(PCollection<KV<K, V>> changelog) {
    return new AutoValue_EnrichAsOfEventTime.Builder<K, E, V>()
        .setChangelog(checkNotNull(changelog, "changelog must be set"))
        .setMissingKeys(MissingKeyPolicy.deadLetter())
        .setHistoryRetention(Duration.standardDays(30))
        .setEnrichedTagInternal(new TupleTag<KV<E, V>>("enriched") {})
        .setNotFoundTagInternal(new TupleTag<KV<K, E>>("notFound") {})
        .setLateChangesTagInternal(new TupleTag<KV<K, V>>("lateChanges") {})
        .setCorrectionsTagInternal(new TupleTag<Correction<K, E, V>>("corrections") {})
        .build();
  }

  /** What to do with events whose key has no version at their time (default: dead-letter). */
  public EnrichAsOfEventTime<K, E, V> withMissingKeys(MissingKeyPolicy policy) {
    checkArgument(policy != null, "missing-key policy must be set");
    return toBuilder().setMissingKeys(policy).build();
  }

  /**
   * Keeps superseded versions for {@code retention} behind the watermark (default 30 days). Make it
   * longer than the latest an event can arrive, or such an event may find its version gone. Joined
   * events are remembered for corrections as long: the state holds every event of the retention.
   */
  public EnrichAsOfEventTime<K, E, V> withHistoryRetention(Duration retention) {
    checkArgument(retention != null, "history retention must be set");
    checkArgument(
        !retention.isShorterThan(Duration.ZERO),
        "history retention must be >= 0, was %s",
        retention);
    return toBuilder().setHistoryRetention(retention).build();
  }

  /**
   * Each event with the version valid at its time ({@code KV<event, row>}), with the event's
   * timestamp and window. The row is null only for events passed through under {@link
   * MissingKeyPolicy#passThrough()}.
   */
  public TupleTag<KV<E, V>> enrichedTag() {
    return enrichedTagInternal();
  }

  /** Events whose key had no version at their time (after waiting, if the policy waits). */
  public TupleTag<KV<K, E>> notFoundTag() {
    return notFoundTagInternal();
  }

  /**
   * Changes that arrived behind the watermark ({@code KV<key, row>}, null for a delete), with the
   * time they became valid, in the global window. Events joined before such a change arrived were
   * not revised: this is where a stream and a backfill can differ.
   */
  public TupleTag<KV<K, V>> lateChangesTag() {
    return lateChangesTagInternal();
  }

  /**
   * Events already joined whose row a late change superseded: the row they were given and the row
   * valid at their time now, which a backfill gives them. In the global window, with the change's
   * timestamp. Events further behind the watermark than the history retention when the change
   * arrives are not corrected.
   */
  public TupleTag<Correction<K, E, V>> correctionsTag() {
    return correctionsTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> events) {
    Coder<V> rowCoder = Coders.checkTemporalJoinInputs(events, changelog());
    KvCoder<K, E> eventsCoder = Coders.kvCoder(events.getCoder(), "events");
    Coder<K> keyCoder = eventsCoder.getKeyCoder();
    Coder<E> eventCoder = eventsCoder.getValueCoder();
    WindowingStrategy<?, ?> strategy = events.getWindowingStrategy();
    Coder<BoundedWindow> windowCoder = RestoreWindows.windowCoder(strategy);
    Coder<KV<E, BoundedWindow>> carriedCoder = KvCoder.of(eventCoder, windowCoder);
    KvCoder<K, RawUnionValue> unionCoder =
        KeyedUnion.coder(keyCoder, List.of(carriedCoder, NullableCoder.of(rowCoder)));

    PCollection<KV<K, RawUnionValue>> taggedEvents =
        events
            .apply(
                "CarryEventWindows",
                ParDo.of(KeyedUnion.<K, E>carryingWindow(EVENT, "CarryEventWindow")))
            .setCoder(unionCoder)
            .apply("EventsIntoGlobalWindow", CarriedWindows.intoGlobalWindow());
    PCollection<KV<K, RawUnionValue>> taggedChanges =
        changelog()
            .apply("TagChanges", ParDo.of(KeyedUnion.<K, V>tagged(CHANGE, "TagChange")))
            .setCoder(unionCoder)
            .apply("ChangesIntoGlobalWindow", CarriedWindows.intoGlobalWindow());

    TupleTag<KV<KV<E, V>, BoundedWindow>> enrichedCarried = new TupleTag<>("enrichedCarried");
    TupleTag<KV<KV<K, E>, BoundedWindow>> notFoundCarried = new TupleTag<>("notFoundCarried");
    PCollectionTuple joined =
        PCollectionList.of(taggedEvents)
            .and(taggedChanges)
            .apply("UnionEventsAndChanges", Flatten.pCollections())
            .setCoder(unionCoder)
            .apply(
                "JoinAsOfEventTime",
                ParDo.of(
                        new JoinFn<K, E, V>(
                            missingKeys(),
                            historyRetention(),
                            rowCoder,
                            carriedCoder,
                            enrichedCarried,
                            notFoundCarried,
                            lateChangesTag(),
                            correctionsTag()))
                    .withOutputTags(
                        enrichedCarried,
                        TupleTagList.of(notFoundCarried)
                            .and(lateChangesTag())
                            .and(correctionsTag())));

    KvCoder<E, V> enrichedCoder = KvCoder.of(eventCoder, NullableCoder.of(rowCoder));
    PCollection<KV<E, V>> enriched =
        joined
            .get(enrichedCarried)
            .setCoder(KvCoder.of(enrichedCoder, windowCoder))
            .apply("RestoreEnrichedWindows", RestoreWindows.to(strategy, enrichedCoder));
    PCollection<KV<K, E>> notFound =
        joined
            .get(notFoundCarried)
            .setCoder(KvCoder.of(eventsCoder, windowCoder))
            .apply("RestoreNotFoundWindows", RestoreWindows.to(strategy, eventsCoder));
    PCollection<KV<K, V>> lateChanges =
        joined.get(lateChangesTag()).setCoder(KvCoder.of(keyCoder, NullableCoder.of(rowCoder)));
    PCollection<Correction<K, E, V>> corrections =
        joined.get(correctionsTag()).setCoder(Correction.coder(keyCoder, eventCoder, rowCoder));
    return PCollectionTuple.of(enrichedTag(), enriched)
        .and(notFoundTag(), notFound)
        .and(lateChangesTag(), lateChanges)
        .and(correctionsTag(), corrections);
  }

  /** Union tags: events carry their windows, changes only feed the history. */
  static final int EVENT = 0;

  static final int CHANGE = 1;

  /**
   * The stateful step: binds Beam's state and timers for one key to an {@link AsOfJoin}. Its step
   * name ({@code JoinAsOfEventTime}) is what Flink's savepoints know its state by.
   */
  static final class JoinFn<K, E, V>
      extends DoFn<KV<K, RawUnionValue>, KV<KV<E, V>, BoundedWindow>> {
    private static final long serialVersionUID = 1L;
    private static final String HISTORY = "history";
    private static final String PENDING = "pending";
    private static final String WAITING = "waiting";
    private static final String DUE_AT = "dueAt";
    private static final String WAITING_HOLD = "waitingHold";
    private static final String DUE = "due";
    private static final String DEADLINE = "deadline";
    private static final String PRUNE = "prune";
    private static final String EMITTED = "emitted";
    private static final String EMITTED_FROM = "emittedFrom";
    private static final String FORGET = "forget";

    @StateId(HISTORY)
    private final StateSpec<ValueState<SortedMap<Long, V>>> historySpec;

    @StateId(PENDING)
    private final StateSpec<BagState<TimestampedValue<KV<E, BoundedWindow>>>> pendingSpec;

    @StateId(WAITING)
    private final StateSpec<BagState<TimestampedValue<KV<E, BoundedWindow>>>> waitingSpec;

    @StateId(DUE_AT)
    private final StateSpec<ValueState<Instant>> dueAtSpec = StateSpecs.value(InstantCoder.of());

    @StateId(WAITING_HOLD)
    private final StateSpec<ValueState<Instant>> waitingHoldSpec =
        StateSpecs.value(InstantCoder.of());

    @TimerId(DUE)
    private final TimerSpec dueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId(DEADLINE)
    private final TimerSpec deadlineSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId(PRUNE)
    private final TimerSpec pruneSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @StateId(EMITTED)
    private final StateSpec<BagState<TimestampedValue<KV<E, BoundedWindow>>>> emittedSpec;

    @StateId(EMITTED_FROM)
    private final StateSpec<ValueState<Instant>> emittedFromSpec =
        StateSpecs.value(InstantCoder.of());

    @TimerId(FORGET)
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final MissingKeyPolicy policy;
    private final Duration retention;
    private final TupleTag<KV<KV<E, V>, BoundedWindow>> enrichedTag;
    private final TupleTag<KV<KV<K, E>, BoundedWindow>> notFoundTag;
    private final TupleTag<KV<K, V>> lateChangesTag;
    private final TupleTag<Correction<K, E, V>> correctionsTag;

    JoinFn(
        MissingKeyPolicy policy,
        Duration retention,
        Coder<V> rowCoder,
        Coder<KV<E, BoundedWindow>> carriedCoder,
        TupleTag<KV<KV<E, V>, BoundedWindow>> enrichedTag,
        TupleTag<KV<KV<K, E>, BoundedWindow>> notFoundTag,
        TupleTag<KV<K, V>> lateChangesTag,
        TupleTag<Correction<K, E, V>> correctionsTag) {
      this.historySpec =
          StateSpecs.value(SortedMapCoder.of(VarLongCoder.of(), NullableCoder.of(rowCoder)));
      this.pendingSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(carriedCoder));
      this.waitingSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(carriedCoder));
      this.emittedSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(carriedCoder));
      this.policy = policy;
      this.retention = retention;
      this.enrichedTag = enrichedTag;
      this.notFoundTag = notFoundTag;
      this.lateChangesTag = lateChangesTag;
      this.correctionsTag = correctionsTag;
    }

    @ProcessElement
    @SuppressWarnings("unchecked")
    public void process(
        @Element KV<K, RawUnionValue> element,
        @Timestamp Instant timestamp,
        @StateId(HISTORY) ValueState<SortedMap<Long, V>> history,
        @StateId(PENDING) BagState<TimestampedValue<KV<E, BoundedWindow>>> pending,
        @StateId(WAITING) BagState<TimestampedValue<KV<E, BoundedWindow>>> waiting,
        @StateId(DUE_AT) ValueState<Instant> dueAt,
        @StateId(WAITING_HOLD) ValueState<Instant> waitingHold,
        @TimerId(DUE) Timer due,
        @TimerId(DEADLINE) Timer deadline,
        @TimerId(PRUNE) Timer prune,
        @StateId(EMITTED) BagState<TimestampedValue<KV<E, BoundedWindow>>> emitted,
        @StateId(EMITTED_FROM) ValueState<Instant> emittedFrom,
        @TimerId(FORGET) Timer forget,
        MultiOutputReceiver out) {
      AsOfJoin<K, KV<E, BoundedWindow>, V> join =
          join(
              element.getKey(),
              history,
              pending,
              waiting,
              dueAt,
              waitingHold,
              due,
              deadline,
              prune,
              emitted,
              emittedFrom,
              forget,
              out);
      // An event-time timer that is read, not set, gives the input watermark.
      Instant watermark = due.getCurrentRelativeTime();
      RawUnionValue value = element.getValue();
      if (value.getUnionTag() == EVENT) {
        join.onEvent((KV<E, BoundedWindow>) value.getValue(), timestamp, watermark);
      } else {
        join.onChange((V) value.getValue(), timestamp, watermark);
      }
    }

    @OnTimer(DUE)
    public void onDue(
        OnTimerContext context,
        @Key K key,
        @StateId(HISTORY) ValueState<SortedMap<Long, V>> history,
        @StateId(PENDING) BagState<TimestampedValue<KV<E, BoundedWindow>>> pending,
        @StateId(WAITING) BagState<TimestampedValue<KV<E, BoundedWindow>>> waiting,
        @StateId(DUE_AT) ValueState<Instant> dueAt,
        @StateId(WAITING_HOLD) ValueState<Instant> waitingHold,
        @TimerId(DUE) Timer due,
        @TimerId(DEADLINE) Timer deadline,
        @TimerId(PRUNE) Timer prune,
        @StateId(EMITTED) BagState<TimestampedValue<KV<E, BoundedWindow>>> emitted,
        @StateId(EMITTED_FROM) ValueState<Instant> emittedFrom,
        @TimerId(FORGET) Timer forget,
        MultiOutputReceiver out) {
      join(
              key,
              history,
              pending,
              waiting,
              dueAt,
              waitingHold,
              due,
              deadline,
              prune,
              emitted,
              emittedFrom,
              forget,
              out)
          .onDue(watermark(context, due));
    }

    @OnTimer(DEADLINE)
    public void onDeadline(
        OnTimerContext context,
        @Key K key,
        @StateId(HISTORY) ValueState<SortedMap<Long, V>> history,
        @StateId(PENDING) BagState<TimestampedValue<KV<E, BoundedWindow>>> pending,
        @StateId(WAITING) BagState<TimestampedValue<KV<E, BoundedWindow>>> waiting,
        @StateId(DUE_AT) ValueState<Instant> dueAt,
        @StateId(WAITING_HOLD) ValueState<Instant> waitingHold,
        @TimerId(DUE) Timer due,
        @TimerId(DEADLINE) Timer deadline,
        @TimerId(PRUNE) Timer prune,
        @StateId(EMITTED) BagState<TimestampedValue<KV<E, BoundedWindow>>> emitted,
        @StateId(EMITTED_FROM) ValueState<Instant> emittedFrom,
        @TimerId(FORGET) Timer forget,
        MultiOutputReceiver out) {
      join(
              key,
              history,
              pending,
              waiting,
              dueAt,
              waitingHold,
              due,
              deadline,
              prune,
              emitted,
              emittedFrom,
              forget,
              out)
          .onDeadline(watermark(context, deadline));
    }

    @OnTimer(PRUNE)
    public void onPrune(
        OnTimerContext context,
        @StateId(HISTORY) ValueState<SortedMap<Long, V>> history,
        @StateId(DUE_AT) ValueState<Instant> dueAt,
        @StateId(WAITING_HOLD) ValueState<Instant> waitingHold,
        @TimerId(PRUNE) Timer prune) {
      AsOfJoin.prune(retention, history, dueAt, waitingHold, prune, watermark(context, prune));
    }

    @OnTimer(FORGET)
    public void onForget(
        OnTimerContext context,
        @StateId(EMITTED) BagState<TimestampedValue<KV<E, BoundedWindow>>> emitted,
        @StateId(EMITTED_FROM) ValueState<Instant> emittedFrom,
        @TimerId(FORGET) Timer forget) {
      AsOfJoin.forget(retention, emitted, emittedFrom, forget, watermark(context, forget));
    }

    /**
     * The input watermark in a timer callback: at least just past the firing time, whatever the
     * runner reports while firing.
     */
    private Instant watermark(OnTimerContext context, Timer timer) {
      Instant reported = timer.getCurrentRelativeTime();
      Instant justPastFiring = context.fireTimestamp().plus(Duration.millis(1));
      return reported.isAfter(justPastFiring) ? reported : justPastFiring;
    }

    private AsOfJoin<K, KV<E, BoundedWindow>, V> join(
        K key,
        ValueState<SortedMap<Long, V>> history,
        BagState<TimestampedValue<KV<E, BoundedWindow>>> pending,
        BagState<TimestampedValue<KV<E, BoundedWindow>>> waiting,
        ValueState<Instant> dueAt,
        ValueState<Instant> waitingHold,
        Timer due,
        Timer deadline,
        Timer prune,
        BagState<TimestampedValue<KV<E, BoundedWindow>>> emitted,
        ValueState<Instant> emittedFrom,
        Timer forget,
        MultiOutputReceiver out) {
      return new AsOfJoin<>(
          key,
          policy,
          retention,
          history,
          pending,
          waiting,
          dueAt,
          waitingHold,
          due,
          deadline,
          prune,
          emitted,
          emittedFrom,
          forget,
          new AsOfJoin.Output<K, KV<E, BoundedWindow>, V>() {
            @Override
            public void enriched(KV<E, BoundedWindow> event, @Nullable V row, Instant timestamp) {
              out.get(enrichedTag)
                  .outputWithTimestamp(
                      KV.of(KV.of(event.getKey(), row), event.getValue()), timestamp);
            }

            @Override
            public void notFound(K key, KV<E, BoundedWindow> event, Instant timestamp) {
              out.get(notFoundTag)
                  .outputWithTimestamp(
                      KV.of(KV.of(key, event.getKey()), event.getValue()), timestamp);
            }

            @Override
            public void lateChange(K key, @Nullable V row, Instant validFrom) {
              out.get(lateChangesTag).outputWithTimestamp(KV.of(key, row), validFrom);
            }

            @Override
            public void corrected(Correction<K, KV<E, BoundedWindow>, V> correction) {
              out.get(correctionsTag)
                  .outputWithTimestamp(
                      new Correction<>(
                          correction.key(),
                          correction.event().getKey(),
                          correction.eventTime(),
                          correction.emitted(),
                          correction.corrected(),
                          correction.changeValidFrom()),
                      correction.changeValidFrom());
            }
          });
    }
  }

  @AutoValue.Builder
  abstract static class Builder<K, E, V> {
    abstract Builder<K, E, V> setChangelog(PCollection<KV<K, V>> changelog);

    abstract Builder<K, E, V> setMissingKeys(MissingKeyPolicy policy);

    abstract Builder<K, E, V> setHistoryRetention(Duration retention);

    abstract Builder<K, E, V> setEnrichedTagInternal(TupleTag<KV<E, V>> tag);

    abstract Builder<K, E, V> setNotFoundTagInternal(TupleTag<KV<K, E>> tag);

    abstract Builder<K, E, V> setLateChangesTagInternal(TupleTag<KV<K, V>> tag);

    abstract Builder<K, E, V> setCorrectionsTagInternal(TupleTag<Correction<K, E, V>> tag);

    abstract EnrichAsOfEventTime<K, E, V> build();
  }
}
