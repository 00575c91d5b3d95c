package dev.kappa.transforms.patterns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.MissedWindow;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Finds bursts: every event of a key that has at least {@code minEvents - 1} other events of the
 * same key with times in {@code [t - within, t]} (ties at {@code t} included), where {@code t} is
 * the event's timestamp. The card-fraud velocity rule ("three transactions over the threshold
 * within 60 seconds") is {@code DetectBursts.of(3, 60 s, id)} over a card's qualifying
 * transactions.
 *
 * <p><b>Guarantee under replay: the same bursts in any arrival order.</b> Whether an event
 * completes a burst depends only on the events in its interval, so a stream, a backfill and any
 * replay of the same events give the same set of bursting events, as long as no event is too late.
 * Each comes out exactly once, as soon as the evidence has arrived, not when the watermark passes:
 * an event that arrives after a later one (out of order, or late) completes that later event's
 * burst the moment it arrives. Events with the same id count once (a redelivered event is a
 * duplicate). The {@link Burst#evidence() evidence} a burst names is the other events of its
 * interval known at that moment: at least the minimum, and all of them when none arrives after the
 * burst was found.
 *
 * <p><b>Lateness.</b> An event more than {@link #allowedLateness()} behind the input watermark on
 * arrival is too late: it comes out on {@link #tooLateTag()} with a {@link MissedWindow} naming its
 * interval {@code [t - within, t]} and by how much it missed, and counts for nothing. Everything
 * else counts, however out of order.
 *
 * <p><b>State</b> per key: the events that an arrival in time can still need (those within {@code
 * within + allowedLateness} behind the watermark), each at most once, and which of them already
 * burst. An event-time timer, holding no watermark, drops each event once the watermark passes
 * {@code t + within + allowedLateness}, and clears the key when none is left (see {@link
 * BurstDetector}). The detection runs in the global window (the input is rewindowed there by step
 * {@code IntoGlobalWindow}); bursts come out in the global window with their event's timestamp,
 * which can be behind the watermark when a late event completed them.
 *
 * <p>Counters (namespace {@code DetectBursts}): {@code events}, {@code bursts}, {@code duplicates},
 * {@code tooLate}, {@code expired}.
 *
 * <pre>{@code
 * DetectBursts<String, CardTransaction> velocity =
 *     DetectBursts.<String, CardTransaction>of(
 *             3, Duration.standardSeconds(60), CardTransaction::getTransactionId)
 *         .withAllowedLateness(Duration.standardHours(1));
 * PCollectionTuple out = qualifyingByCard.apply("DetectVelocity", velocity);
 * PCollection<Burst<String, CardTransaction>> alerts = out.get(velocity.burstsTag());
 * PCollection<KV<CardTransaction, MissedWindow>> tooLate = out.get(velocity.tooLateTag());
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic
 * @param <E> the event
 */
@AutoValue
public abstract class DetectBursts<K, E>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class. */
  public static final String EVENTS = "events";

  public static final String BURSTS = "bursts";
  public static final String DUPLICATES = "duplicates";
  public static final String TOO_LATE = "tooLate";
  public static final String EXPIRED = "expired";

  /** Events in the interval, the one at its end included. */
  public abstract int minEvents();

  /** The length of the interval {@code [t - within, t]}. */
  public abstract Duration within();

  /** How far behind the watermark an event may arrive and still count. */
  public abstract Duration allowedLateness();

  abstract SerializableFunction<E, String> id();

  abstract TupleTag<Burst<K, E>> burstsTagInternal();

  abstract TupleTag<KV<E, MissedWindow>> tooLateTagInternal();

  abstract Builder<K, E> toBuilder();

  /**
   * Bursts of at least {@code minEvents} events (at least 2) within {@code within} (positive),
   * events told apart by {@code id}. Default: no allowed lateness.
   */
  public static <K, E> DetectBursts<K, E> of(
      int minEvents, Duration within, SerializableFunction<E, String> id) {
    checkArgument(minEvents >= 2, "minEvents must be at least 2, was %s", minEvents);
    checkArgument(within != null, "within must be set");
    checkArgument(within.getMillis() > 0, "within must be positive, was %s", within);
    return new AutoValue_DetectBursts.Builder<K, E>()
        .setMinEvents(minEvents)
        .setWithin(within)
        .setAllowedLateness(Duration.ZERO)
        .setId(checkNotNull(id, "id must be set"))
        .setBurstsTagInternal(new TupleTag<Burst<K, E>>("bursts") {})
        .setTooLateTagInternal(new TupleTag<KV<E, MissedWindow>>("tooLate") {})
        .build();
  }

  /** Events up to {@code lateness} behind the watermark still count; later ones are too late. */
  public DetectBursts<K, E> withAllowedLateness(Duration lateness) {
    checkArgument(lateness != null, "allowed lateness must be set");
    checkArgument(
        !lateness.isShorterThan(Duration.ZERO), "allowed lateness must be >= 0, was %s", lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** One {@link Burst} per event that completes one, with the event's timestamp. */
  public TupleTag<Burst<K, E>> burstsTag() {
    return burstsTagInternal();
  }

  /** Events that arrived too late to count, with the interval they missed. */
  public TupleTag<KV<E, MissedWindow>> tooLateTag() {
    return tooLateTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> events) {
    checkArgument(
        events.getCoder() instanceof KvCoder,
        "DetectBursts needs a KvCoder for its input, got %s",
        events.getCoder());
    KvCoder<K, E> coder = (KvCoder<K, E>) events.getCoder();
    PCollectionTuple out =
        events
            .apply(
                "IntoGlobalWindow",
                Window.<KV<K, E>>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply(
                "MatchBursts",
                ParDo.of(
                        new BurstFn<K, E>(
                            minEvents(),
                            within(),
                            allowedLateness(),
                            id(),
                            coder.getValueCoder(),
                            burstsTag(),
                            tooLateTag()))
                    .withOutputTags(burstsTag(), TupleTagList.of(tooLateTag())));
    out.get(burstsTag()).setCoder(Burst.coder(coder.getKeyCoder(), coder.getValueCoder()));
    out.get(tooLateTag())
        .setCoder(KvCoder.of(coder.getValueCoder(), SpecificRecordCoder.of(MissedWindow.class)));
    return out;
  }

  /**
   * The stateful step: binds Beam's state and timer for one key to a {@link BurstDetector}. Its
   * step name ({@code MatchBursts}) is what Flink's savepoints know its state by.
   */
  static final class BurstFn<K, E> extends DoFn<KV<K, E>, Burst<K, E>> {
    private static final long serialVersionUID = 1L;
    private static final String EVENTS = "events";
    private static final String ALERTED = "alerted";
    private static final String EXPIRES_AT = "expiresAt";
    private static final String EXPIRE = "expire";

    private final int minEvents;
    private final Duration within;
    private final Duration allowedLateness;
    private final SerializableFunction<E, String> id;
    private final TupleTag<Burst<K, E>> burstsTag;
    private final TupleTag<KV<E, MissedWindow>> tooLateTag;

    @StateId(EVENTS)
    private final StateSpec<BagState<TimestampedValue<E>>> eventsSpec;

    @StateId(ALERTED)
    private final StateSpec<BagState<String>> alertedSpec = StateSpecs.bag(StringUtf8Coder.of());

    @StateId(EXPIRES_AT)
    private final StateSpec<ValueState<Instant>> expiresAtSpec =
        StateSpecs.value(InstantCoder.of());

    @TimerId(EXPIRE)
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    BurstFn(
        int minEvents,
        Duration within,
        Duration allowedLateness,
        SerializableFunction<E, String> id,
        Coder<E> eventCoder,
        TupleTag<Burst<K, E>> burstsTag,
        TupleTag<KV<E, MissedWindow>> tooLateTag) {
      this.minEvents = minEvents;
      this.within = within;
      this.allowedLateness = allowedLateness;
      this.id = id;
      this.burstsTag = burstsTag;
      this.tooLateTag = tooLateTag;
      this.eventsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(eventCoder));
    }

    @ProcessElement
    public void process(
        @Element KV<K, E> element,
        @Timestamp Instant timestamp,
        @StateId(EVENTS) BagState<TimestampedValue<E>> events,
        @StateId(ALERTED) BagState<String> alerted,
        @StateId(EXPIRES_AT) ValueState<Instant> expiresAt,
        @TimerId(EXPIRE) Timer expire,
        MultiOutputReceiver out) {
      // An event-time timer that is read, not set, gives the input watermark.
      Instant watermark = expire.getCurrentRelativeTime();
      detector(element.getKey(), events, alerted, expiresAt, expire, out)
          .onEvent(element.getValue(), timestamp, watermark);
    }

    @OnTimer(EXPIRE)
    public void onExpire(
        @Key K key,
        @StateId(EVENTS) BagState<TimestampedValue<E>> events,
        @StateId(ALERTED) BagState<String> alerted,
        @StateId(EXPIRES_AT) ValueState<Instant> expiresAt,
        @TimerId(EXPIRE) Timer expire,
        MultiOutputReceiver out) {
      Instant watermark = expire.getCurrentRelativeTime();
      detector(key, events, alerted, expiresAt, expire, out).onExpire(watermark);
    }

    private BurstDetector<K, E> detector(
        K key,
        BagState<TimestampedValue<E>> events,
        BagState<String> alerted,
        ValueState<Instant> expiresAt,
        Timer expire,
        MultiOutputReceiver out) {
      return new BurstDetector<>(
          key,
          minEvents,
          within,
          allowedLateness,
          id,
          events,
          alerted,
          expiresAt,
          expire,
          new BurstDetector.Output<K, E>() {
            @Override
            public void burst(Burst<K, E> burst) {
              out.get(burstsTag).outputWithTimestamp(burst, burst.time());
            }

            @Override
            public void tooLate(E event, Instant time, Instant watermark) {
              out.get(tooLateTag)
                  .outputWithTimestamp(
                      KV.of(event, missedInterval(time, within, allowedLateness, watermark)), time);
            }
          });
    }
  }

  /**
   * What an event at {@code time} missed: its interval {@code [time - within, time]} (end exclusive
   * one millisecond after), and by how much the watermark had passed {@code time + lateness}.
   */
  static MissedWindow missedInterval(
      Instant time, Duration within, Duration lateness, Instant watermark) {
    return MissedWindow.newBuilder()
        .setWindowStart(java.time.Instant.ofEpochMilli(time.minus(within).getMillis()))
        .setWindowEnd(java.time.Instant.ofEpochMilli(time.getMillis() + 1))
        .setEventTime(java.time.Instant.ofEpochMilli(time.getMillis()))
        .setWatermark(java.time.Instant.ofEpochMilli(watermark.getMillis()))
        .setAllowedLatenessMillis(lateness.getMillis())
        .setLateByMillis(watermark.getMillis() - time.plus(lateness).getMillis())
        .build();
  }

  @AutoValue.Builder
  abstract static class Builder<K, E> {
    abstract Builder<K, E> setMinEvents(int minEvents);

    abstract Builder<K, E> setWithin(Duration within);

    abstract Builder<K, E> setAllowedLateness(Duration lateness);

    abstract Builder<K, E> setId(SerializableFunction<E, String> id);

    abstract Builder<K, E> setBurstsTagInternal(TupleTag<Burst<K, E>> tag);

    abstract Builder<K, E> setTooLateTagInternal(TupleTag<KV<E, MissedWindow>> tag);

    abstract DetectBursts<K, E> build();
  }
}
