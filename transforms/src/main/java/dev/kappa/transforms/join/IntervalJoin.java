package dev.kappa.transforms.join;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.transforms.carry.KeyedUnion;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An event-time interval join of two keyed streams: each left element at {@code tL} is matched with
 * the right elements of its key whose time lies in {@code [tL + lower, tL + upper]} (both bounds
 * inclusive), as Flink's interval join, but with the outcomes a stream-stream join needs and Beam
 * does not give: what timed out and what was orphaned.
 *
 * <ul>
 *   <li><b>Matches</b> ({@link #matchesTag()}): once the watermark has passed {@code tL + upper},
 *       the left element with <i>every</i> right element in its interval, in one {@link
 *       IntervalMatch}. Waiting for the interval to close makes the answer complete and the same in
 *       a stream and in a backfill.
 *   <li><b>Left timeouts</b> ({@link #leftTimeoutsTag()}): a left element with no right element in
 *       its interval, emitted when the watermark passes {@code tL + upper}: at that moment, not
 *       before.
 *   <li><b>Right orphans</b> ({@link #rightOrphansTag()}): a right element with no left element
 *       whose interval contains it, emitted when the watermark passes {@code tR - lower} (no
 *       on-time left element can claim it after that).
 * </ul>
 *
 * <p><b>Lateness.</b> An element behind the watermark is still joined as long as the decision it
 * affects is no more than {@link #allowedLateness()} behind the watermark: a left element whose
 * result is overdue gets it at once; a right element that falls into a left element's interval
 * already emitted makes that left's match emitted again, whole, with {@link IntervalMatch#update()}
 * set (also after a timeout: the timeout is not retracted); a right element whose orphan check has
 * passed is checked at once. A left element more than the lateness past {@code tL + upper} goes to
 * {@link #tooLateLeftsTag()}; a right element more than the lateness past {@code tR - lower} goes
 * to {@link #tooLateRightsTag()} unless a left element still held (open, or closed within the
 * lateness) has it in its interval. A bounded run has no late elements, so it emits exactly the
 * final answer; a stream whose elements are on time emits the same.
 *
 * <p><b>State</b> per key: the left elements until {@code tL + upper + max(0, -lower) + lateness},
 * the right elements until {@code tR - lower + upper + lateness}, and one timer. Once the watermark
 * has passed those times a key holds nothing.
 *
 * <p>Both inputs must be in the global window (the join keeps its own time, and a stateful DoFn
 * would otherwise keep state per window) and have the same key coder. Outputs are in the global
 * window; results emitted by the timer carry the time it fired, late ones their element's time.
 * Counters (namespace {@code dev.kappa.transforms.join.IntervalJoin}): {@code matches}, {@code
 * updates}, {@code timeouts}, {@code orphans}, {@code late}, {@code tooLate}.
 *
 * <pre>{@code
 * IntervalJoin<String, OrderEvent, Payment> join =
 *     IntervalJoin.<String, OrderEvent, Payment>with(paymentsByOrderId)
 *         .withBounds(Duration.standardMinutes(-1), Duration.standardMinutes(15))
 *         .withAllowedLateness(Duration.standardMinutes(5));
 * PCollectionTuple out = ordersByOrderId.apply("MatchPayments", join);
 * PCollection<KV<String, IntervalMatch<OrderEvent, Payment>>> paid = out.get(join.matchesTag());
 * PCollection<KV<String, OrderEvent>> unpaid = out.get(join.leftTimeoutsTag());
 * PCollection<KV<String, Payment>> orphans = out.get(join.rightOrphansTag());
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic
 * @param <L> the left element (the input this transform is applied to)
 * @param <R> the right element
 */
@AutoValue
public abstract class IntervalJoin<K, L, R>
    extends PTransform<PCollection<KV<K, L>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class. */
  public static final String MATCHES = "matches";

  public static final String UPDATES = "updates";
  public static final String TIMEOUTS = "timeouts";
  public static final String ORPHANS = "orphans";
  public static final String LATE = "late";
  public static final String TOO_LATE = "tooLate";

  abstract PCollection<KV<K, R>> right();

  /** Where a left element's interval starts, relative to its time (may be negative). */
  public abstract Duration lower();

  /** Where a left element's interval ends, relative to its time. */
  public abstract Duration upper();

  /** How far behind the watermark a decision may be and still be taken or revised. */
  public abstract Duration allowedLateness();

  abstract TupleTag<KV<K, IntervalMatch<L, R>>> matchesTagInternal();

  abstract TupleTag<KV<K, L>> leftTimeoutsTagInternal();

  abstract TupleTag<KV<K, R>> rightOrphansTagInternal();

  abstract TupleTag<KV<K, L>> tooLateLeftsTagInternal();

  abstract TupleTag<KV<K, R>> tooLateRightsTagInternal();

  abstract Builder<K, L, R> toBuilder();

  /**
   * Joins the input (the left elements) with {@code right}. Defaults: the interval {@code [tL, tL]}
   * (set it with {@link #withBounds}), no allowed lateness.
   */
  public static <K, L, R> IntervalJoin<K, L, R> with(PCollection<KV<K, R>> right) {
    return new AutoValue_IntervalJoin.Builder<K, L, R>()
        .setRight(checkNotNull(right, "right input must be set"))
        .setLower(Duration.ZERO)
        .setUpper(Duration.ZERO)
        .setAllowedLateness(Duration.ZERO)
        .setMatchesTagInternal(new TupleTag<KV<K, IntervalMatch<L, R>>>("matches") {})
        .setLeftTimeoutsTagInternal(new TupleTag<KV<K, L>>("leftTimeouts") {})
        .setRightOrphansTagInternal(new TupleTag<KV<K, R>>("rightOrphans") {})
        .setTooLateLeftsTagInternal(new TupleTag<KV<K, L>>("tooLateLefts") {})
        .setTooLateRightsTagInternal(new TupleTag<KV<K, R>>("tooLateRights") {})
        .build();
  }

  /**
   * The interval {@code [tL + lower, tL + upper]}; {@code lower <= upper}, and {@code upper >= 0}
   * (a left element's result is decided at {@code tL + upper}, which must not precede it).
   */
  public IntervalJoin<K, L, R> withBounds(Duration lower, Duration upper) {
    checkArgument(lower != null && upper != null, "both bounds must be set");
    checkArgument(!upper.isShorterThan(Duration.ZERO), "upper bound must be >= 0, was %s", upper);
    checkArgument(
        !upper.isShorterThan(lower),
        "lower bound %s must not be after upper bound %s",
        lower,
        upper);
    return toBuilder().setLower(lower).setUpper(upper).build();
  }

  /** How late an element may be and still be joined (default zero); see the class comment. */
  public IntervalJoin<K, L, R> withAllowedLateness(Duration lateness) {
    checkArgument(
        lateness != null && !lateness.isShorterThan(Duration.ZERO),
        "allowed lateness must be >= 0, was %s",
        lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** Each left element with the right elements in its interval, once it has closed. */
  public TupleTag<KV<K, IntervalMatch<L, R>>> matchesTag() {
    return matchesTagInternal();
  }

  /** Left elements with no right element in their interval, once it has closed. */
  public TupleTag<KV<K, L>> leftTimeoutsTag() {
    return leftTimeoutsTagInternal();
  }

  /** Right elements in no left element's interval, once no on-time left element can claim them. */
  public TupleTag<KV<K, R>> rightOrphansTag() {
    return rightOrphansTagInternal();
  }

  /** Left elements that arrived more than the allowed lateness after their interval closed. */
  public TupleTag<KV<K, L>> tooLateLeftsTag() {
    return tooLateLeftsTagInternal();
  }

  /**
   * Right elements that arrived more than the allowed lateness after their orphan check, in no
   * interval of a left element still held.
   */
  public TupleTag<KV<K, R>> tooLateRightsTag() {
    return tooLateRightsTagInternal();
  }

  static final int LEFT = 0;
  static final int RIGHT = 1;

  @Override
  @SuppressWarnings("unchecked")
  public PCollectionTuple expand(PCollection<KV<K, L>> left) {
    checkArgument(
        left.getCoder() instanceof KvCoder && right().getCoder() instanceof KvCoder,
        "both inputs must be PCollection<KV<key, value>> with a KvCoder");
    KvCoder<K, L> leftCoder = (KvCoder<K, L>) left.getCoder();
    KvCoder<K, R> rightCoder = (KvCoder<K, R>) right().getCoder();
    Coder<K> keyCoder = leftCoder.getKeyCoder();
    checkArgument(
        keyCoder.equals(rightCoder.getKeyCoder()),
        "both inputs must have the same key coder, but have %s and %s",
        keyCoder,
        rightCoder.getKeyCoder());
    try {
      keyCoder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      throw new IllegalArgumentException(
          "the key coder " + keyCoder + " must be deterministic: " + e.getMessage(), e);
    }
    checkArgument(
        left.getWindowingStrategy().getWindowFn() instanceof GlobalWindows
            && right().getWindowingStrategy().getWindowFn() instanceof GlobalWindows,
        "both inputs must be in the global window");
    checkArgument(
        left.getPipeline() == right().getPipeline(), "both inputs must be in one pipeline");

    KvCoder<K, RawUnionValue> unionCoder =
        KeyedUnion.coder(keyCoder, List.of(leftCoder.getValueCoder(), rightCoder.getValueCoder()));
    PCollection<KV<K, RawUnionValue>> lefts =
        left.apply("TagLefts", ParDo.of(KeyedUnion.<K, L>tagged(LEFT, "TagLeft")))
            .setCoder(unionCoder);
    PCollection<KV<K, RawUnionValue>> rights =
        right()
            .apply("TagRights", ParDo.of(KeyedUnion.<K, R>tagged(RIGHT, "TagRight")))
            .setCoder(unionCoder);
    PCollectionTuple joined =
        PCollectionList.of(lefts)
            .and(rights)
            .apply("UnionLeftsAndRights", Flatten.pCollections())
            .setCoder(unionCoder)
            .apply(
                "JoinWithinInterval",
                ParDo.of(
                        new JoinFn<>(
                            lower(),
                            upper(),
                            allowedLateness(),
                            leftCoder.getValueCoder(),
                            rightCoder.getValueCoder(),
                            matchesTag(),
                            leftTimeoutsTag(),
                            rightOrphansTag(),
                            tooLateLeftsTag(),
                            tooLateRightsTag()))
                    .withOutputTags(
                        matchesTag(),
                        TupleTagList.of(leftTimeoutsTag())
                            .and(rightOrphansTag())
                            .and(tooLateLeftsTag())
                            .and(tooLateRightsTag())));
    joined
        .get(matchesTag())
        .setCoder(
            KvCoder.of(
                keyCoder,
                IntervalMatch.coder(leftCoder.getValueCoder(), rightCoder.getValueCoder())));
    joined.get(leftTimeoutsTag()).setCoder(leftCoder);
    joined.get(rightOrphansTag()).setCoder(rightCoder);
    joined.get(tooLateLeftsTag()).setCoder(leftCoder);
    joined.get(tooLateRightsTag()).setCoder(rightCoder);
    return joined;
  }

  /**
   * The stateful step: binds Beam's state and timer for one key to a {@link KeyJoin}. Its step name
   * ({@code JoinWithinInterval}) is what Flink's savepoints know its state by.
   */
  static final class JoinFn<K, L, R>
      extends DoFn<KV<K, RawUnionValue>, KV<K, IntervalMatch<L, R>>> {
    private static final long serialVersionUID = 1L;
    private static final String OPEN_LEFTS = "openLefts";
    private static final String CLOSED_LEFTS = "closedLefts";
    private static final String OPEN_RIGHTS = "openRights";
    private static final String CHECKED_RIGHTS = "checkedRights";
    private static final String DUE = "due";

    @StateId(OPEN_LEFTS)
    private final StateSpec<BagState<TimestampedValue<L>>> openLeftsSpec;

    @StateId(CLOSED_LEFTS)
    private final StateSpec<BagState<TimestampedValue<L>>> closedLeftsSpec;

    @StateId(OPEN_RIGHTS)
    private final StateSpec<BagState<TimestampedValue<R>>> openRightsSpec;

    @StateId(CHECKED_RIGHTS)
    private final StateSpec<BagState<TimestampedValue<R>>> checkedRightsSpec;

    @TimerId(DUE)
    private final TimerSpec dueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final Duration lower;
    private final Duration upper;
    private final Duration lateness;
    private final TupleTag<KV<K, IntervalMatch<L, R>>> matchesTag;
    private final TupleTag<KV<K, L>> timeoutsTag;
    private final TupleTag<KV<K, R>> orphansTag;
    private final TupleTag<KV<K, L>> tooLateLeftsTag;
    private final TupleTag<KV<K, R>> tooLateRightsTag;

    JoinFn(
        Duration lower,
        Duration upper,
        Duration lateness,
        Coder<L> leftCoder,
        Coder<R> rightCoder,
        TupleTag<KV<K, IntervalMatch<L, R>>> matchesTag,
        TupleTag<KV<K, L>> timeoutsTag,
        TupleTag<KV<K, R>> orphansTag,
        TupleTag<KV<K, L>> tooLateLeftsTag,
        TupleTag<KV<K, R>> tooLateRightsTag) {
      this.openLeftsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(leftCoder));
      this.closedLeftsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(leftCoder));
      this.openRightsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(rightCoder));
      this.checkedRightsSpec =
          StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(rightCoder));
      this.lower = lower;
      this.upper = upper;
      this.lateness = lateness;
      this.matchesTag = matchesTag;
      this.timeoutsTag = timeoutsTag;
      this.orphansTag = orphansTag;
      this.tooLateLeftsTag = tooLateLeftsTag;
      this.tooLateRightsTag = tooLateRightsTag;
    }

    @ProcessElement
    @SuppressWarnings("unchecked")
    public void process(
        @Element KV<K, RawUnionValue> element,
        @Timestamp Instant timestamp,
        @StateId(OPEN_LEFTS) BagState<TimestampedValue<L>> openLefts,
        @StateId(CLOSED_LEFTS) BagState<TimestampedValue<L>> closedLefts,
        @StateId(OPEN_RIGHTS) BagState<TimestampedValue<R>> openRights,
        @StateId(CHECKED_RIGHTS) BagState<TimestampedValue<R>> checkedRights,
        @TimerId(DUE) Timer due,
        MultiOutputReceiver out) {
      KeyJoin<K, L, R> join =
          join(element.getKey(), openLefts, closedLefts, openRights, checkedRights, due, out);
      RawUnionValue value = element.getValue();
      Instant watermark = due.getCurrentRelativeTime();
      if (value.getUnionTag() == LEFT) {
        join.onLeft((L) value.getValue(), timestamp, watermark);
      } else {
        join.onRight((R) value.getValue(), timestamp, watermark);
      }
    }

    @OnTimer(DUE)
    public void onDue(
        @Key K key,
        @Timestamp Instant fired,
        @StateId(OPEN_LEFTS) BagState<TimestampedValue<L>> openLefts,
        @StateId(CLOSED_LEFTS) BagState<TimestampedValue<L>> closedLefts,
        @StateId(OPEN_RIGHTS) BagState<TimestampedValue<R>> openRights,
        @StateId(CHECKED_RIGHTS) BagState<TimestampedValue<R>> checkedRights,
        @TimerId(DUE) Timer due,
        MultiOutputReceiver out) {
      Instant watermark = due.getCurrentRelativeTime();
      // The timer fires once the watermark has reached its time: everything due before it is due.
      join(key, openLefts, closedLefts, openRights, checkedRights, due, out)
          .onDue(watermark.isBefore(fired) ? fired : watermark);
    }

    private KeyJoin<K, L, R> join(
        K key,
        BagState<TimestampedValue<L>> openLefts,
        BagState<TimestampedValue<L>> closedLefts,
        BagState<TimestampedValue<R>> openRights,
        BagState<TimestampedValue<R>> checkedRights,
        Timer due,
        MultiOutputReceiver out) {
      return new KeyJoin<>(
          key,
          lower,
          upper,
          lateness,
          openLefts,
          closedLefts,
          openRights,
          checkedRights,
          due,
          new KeyJoin.Output<K, L, R>() {
            @Override
            public void matched(K key, IntervalMatch<L, R> match) {
              out.get(matchesTag).output(KV.of(key, match));
            }

            @Override
            public void timedOut(K key, L left, Instant time) {
              out.get(timeoutsTag).output(KV.of(key, left));
            }

            @Override
            public void orphaned(K key, R right, Instant time) {
              out.get(orphansTag).output(KV.of(key, right));
            }

            @Override
            public void tooLateLeft(K key, L left, Instant time) {
              out.get(tooLateLeftsTag).output(KV.of(key, left));
            }

            @Override
            public void tooLateRight(K key, R right, Instant time) {
              out.get(tooLateRightsTag).output(KV.of(key, right));
            }
          });
    }
  }

  @AutoValue.Builder
  abstract static class Builder<K, L, R> {
    abstract Builder<K, L, R> setRight(PCollection<KV<K, R>> right);

    abstract Builder<K, L, R> setLower(Duration lower);

    abstract Builder<K, L, R> setUpper(Duration upper);

    abstract Builder<K, L, R> setAllowedLateness(Duration lateness);

    abstract Builder<K, L, R> setMatchesTagInternal(TupleTag<KV<K, IntervalMatch<L, R>>> tag);

    abstract Builder<K, L, R> setLeftTimeoutsTagInternal(TupleTag<KV<K, L>> tag);

    abstract Builder<K, L, R> setRightOrphansTagInternal(TupleTag<KV<K, R>> tag);

    abstract Builder<K, L, R> setTooLateLeftsTagInternal(TupleTag<KV<K, L>> tag);

    abstract Builder<K, L, R> setTooLateRightsTagInternal(TupleTag<KV<K, R>> tag);

    abstract IntervalJoin<K, L, R> build();
  }
}
