package dev.kappa.transforms.lateness;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.transforms.carry.CarriedWindows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Assigns event-time windows and diverts what Beam would drop as too late to its own output.
 *
 * <p>Beam drops a record silently (only a counter moves) when its window has expired: when the
 * watermark has passed the window's end plus the allowed lateness. There is no output for such
 * records (apache/beam#23379). This transform makes the same decision one step earlier and keeps
 * the records: for every window an element falls into, the window is live if {@code
 * window.maxTimestamp() + allowedLateness} is not before the input watermark, exactly Beam's rule
 * ({@code LateDataUtils.garbageCollectionTime}). The element goes on in its live windows only, and
 * each expired window becomes one record on {@link #tooLateTag()} with the window it missed and by
 * how much. What the downstream GroupByKey would have dropped is therefore exactly what comes out
 * here, also for a sliding window where only some of an element's windows have expired.
 *
 * <p>How: a stateful DoFn can read its input watermark through an event-time timer's {@code
 * getCurrentRelativeTime()}. Each shard records the highest watermark it has seen in its state, and
 * that timer, re-armed one millisecond past the watermark each time it fires, records every advance
 * even while no element reaches the shard: Flink restores the state but not the watermark, so after
 * a restore the recorded one decides, and no window that has closed re-opens. Stateful DoFns reject
 * merging windows and drop expired input themselves, so the DoFn runs in the global window over a
 * small number of shard keys and assigns the target windows itself. The downstream GroupByKey sees
 * a watermark no later than the one used here (watermarks travel behind the elements they follow),
 * so it never drops what passed. The live windows travel with the element and are assigned by a
 * WindowFn that otherwise behaves like the target one (merging, coders), so sessions work too.
 *
 * <p>Cost: one extra shuffle onto {@link #shards()} keys, and per shard one recorded watermark, the
 * probe timer (one firing per watermark advance) and the runner's end-of-global-window cleanup
 * timer. A shard that has never received an element has no state to restore. By default shards are
 * assigned round robin, so every shard has had one after {@link #shards()} elements of any DoFn
 * instance. In a bounded run the watermark does not advance until the input is consumed, so nothing
 * is diverted: a backfill counts every record.
 *
 * <p><b>Sharding by the downstream key.</b> {@link #withShardKey} puts every element of one key of
 * the GroupByKey that follows on the same shard ({@code floorMod(hash of the key's encoding,
 * shards)}). The windows a shard guards are then its keys' windows only, and each of the step's
 * output bundles holds elements of few downstream keys: on the Direct runner, which runs a
 * GroupByKey once per key and input bundle, the round robin's sixteen shards multiply the
 * GroupByKey's bundles (and the copies of its per-window state) by up to sixteen. The guarantee
 * after a restore holds as long as the shard key is a function of the downstream key: a shard that
 * never received an element has no recorded watermark, but then no element of its keys reached the
 * GroupByKey, so none of their windows has closed. Set {@link #withShards} from the runner's
 * parallelism: more shards than parallel subtasks buys nothing, fewer leaves subtasks idle, and on
 * the Direct runner each shard's probe is a bundle of its own at every watermark advance.
 *
 * <p><b>Savepoints.</b> The state is keyed by the shard number (a {@code VarIntCoder} integer in
 * {@code [0, shards)}) whatever the sharding, so its layout and the step names do not depend on it.
 * A savepoint taken with round robin restores with a shard key or with fewer shards and keeps the
 * guarantee: round robin had reached every shard, so each recorded the watermark. Two changes do
 * not: more shards than the savepoint had, and going back from a shard key to round robin. Both
 * send elements to shards with no recorded watermark, where until the sources publish theirs an
 * element that was too late before the savepoint is counted and may reopen its window. Keep the
 * sharding when restoring a stream, or drain it first. (The Flink job's {@code maxParallelism},
 * which fixes its key groups, does not limit the shard count.)
 *
 * <pre>{@code
 * DivertTooLateEvents<OrderEvent> divert =
 *     DivertTooLateEvents.<OrderEvent>into(FixedWindows.of(Duration.standardMinutes(5)))
 *         .withAllowedLateness(Duration.standardHours(1));
 * PCollectionTuple split = orders.apply("DivertTooLate", divert);
 * PCollection<OrderEvent> windowed = split.get(divert.liveTag());
 * PCollection<KV<OrderEvent, MissedWindow>> tooLate = split.get(divert.tooLateTag());
 * }</pre>
 *
 * <p>Prefer {@code windowing.WindowEvents}, which also sets the trigger.
 *
 * @param <T> the element type; its coder must be known on the input
 */
@AutoValue
public abstract class DivertTooLateEvents<T> extends PTransform<PCollection<T>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Name of the counter of diverted (element, window) pairs. */
  public static final String TOO_LATE_COUNTER = "tooLateRecords";

  /**
   * Counts records that are late (a window they go to already ended before the watermark) but
   * within the allowed lateness, so they are accepted and update their window in a late pane.
   */
  public static final String LATE_ACCEPTED_COUNTER = "lateRecordsAccepted";

  abstract WindowFn<Object, ? extends BoundedWindow> windowFn();

  public abstract Duration allowedLateness();

  /** How many keys the watermark-reading step is spread over. */
  public abstract int shards();

  /** The shard hash of an element ({@link #withShardKey}), or null for round robin. */
  abstract @Nullable SerializableFunction<T, Integer> shardHash();

  abstract TupleTag<T> liveTagInternal();

  abstract TupleTag<KV<T, MissedWindow>> tooLateTagInternal();

  abstract Builder<T> toBuilder();

  /** Diverts records too late for windows of {@code windowFn}; no allowed lateness yet. */
  public static <T> DivertTooLateEvents<T> into(WindowFn<Object, ? extends BoundedWindow> fn) {
    return new AutoValue_DivertTooLateEvents.Builder<T>()
        .setWindowFn(checkNotNull(fn, "window function must be set"))
        .setAllowedLateness(Duration.ZERO)
        .setShards(16)
        .setLiveTagInternal(new TupleTag<T>("live") {})
        .setTooLateTagInternal(new TupleTag<KV<T, MissedWindow>>("tooLate") {})
        .build();
  }

  /** Accepts records up to {@code lateness} after their window's end. */
  public DivertTooLateEvents<T> withAllowedLateness(Duration lateness) {
    checkArgument(lateness != null, "allowed lateness must be set");
    checkArgument(
        !lateness.isShorterThan(Duration.ZERO), "allowed lateness must be >= 0, was %s", lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** Spreads the watermark-reading step over {@code shards} keys (default 16). */
  public DivertTooLateEvents<T> withShards(int shards) {
    checkArgument(shards > 0, "shards must be positive, was %s", shards);
    return toBuilder().setShards(shards).build();
  }

  /**
   * Shards by {@code key}, the key of the GroupByKey that follows (or a function of it), instead of
   * round robin: every element of one key meets the same shard. {@code keyCoder} must be
   * deterministic: the hash of the key's encoding picks the shard, the same in every JVM.
   */
  public <K> DivertTooLateEvents<T> withShardKey(
      SerializableFunction<T, K> key, Coder<K> keyCoder) {
    checkArgument(key != null, "shard key must be set");
    checkArgument(keyCoder != null, "shard key coder must be set");
    try {
      keyCoder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      throw new IllegalArgumentException(
          "shard key coder must be deterministic, but " + e.getMessage(), e);
    }
    return toBuilder().setShardHash(new KeyHash<>(key, keyCoder)).build();
  }

  /** The elements, in their live windows, with the input's timestamps. */
  public TupleTag<T> liveTag() {
    return liveTagInternal();
  }

  /** One record per (element, expired window): the element and the window it missed. */
  public TupleTag<KV<T, MissedWindow>> tooLateTag() {
    return tooLateTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<T> input) {
    Coder<T> elementCoder = input.getCoder();
    @SuppressWarnings("unchecked")
    WindowFn<Object, BoundedWindow> target =
        (WindowFn<Object, BoundedWindow>) (WindowFn<?, ?>) windowFn();
    TupleTag<KV<T, List<BoundedWindow>>> assignedTag = new TupleTag<>("assigned") {};
    PCollectionTuple split =
        input
            .apply("IntoGlobalWindow", Window.into(new GlobalWindows()))
            .apply("AssignShard", ParDo.of(new AssignShardFn<T>(shards(), shardHash())))
            .setCoder(KvCoder.of(VarIntCoder.of(), elementCoder))
            .apply(
                "DivertExpiredWindows",
                ParDo.of(
                        new DivertExpiredWindowsFn<T>(
                            target, allowedLateness(), assignedTag, tooLateTag()))
                    .withOutputTags(assignedTag, TupleTagList.of(tooLateTag())));
    PCollection<T> live =
        split
            .get(assignedTag)
            .setCoder(KvCoder.of(elementCoder, ListCoder.of(target.windowCoder())))
            .apply(
                "AssignLiveWindows",
                // Lateness kept so a GroupByKey right after accepts what passed here; the
                // default trigger and discarding mode are what Window.into would set.
                Window.<KV<T, List<BoundedWindow>>>into(CarriedWindows.windowList(target))
                    .withAllowedLateness(allowedLateness())
                    .discardingFiredPanes())
            .apply("DropWindowList", ParDo.of(new DropWindowListFn<T>()))
            .setCoder(elementCoder);
    PCollection<KV<T, MissedWindow>> tooLate =
        split
            .get(tooLateTag())
            .setCoder(KvCoder.of(elementCoder, SpecificRecordCoder.of(MissedWindow.class)));
    return PCollectionTuple.of(liveTag(), live).and(tooLateTag(), tooLate);
  }

  /**
   * The time after which Beam treats {@code window} as expired: its max timestamp plus the allowed
   * lateness, capped at the end of the global window (as Beam's {@code LateDataUtils} does).
   */
  static Instant expiryTime(BoundedWindow window, Duration allowedLateness) {
    Instant endOfTime = GlobalWindow.INSTANCE.maxTimestamp();
    if (window.maxTimestamp().isAfter(endOfTime.minus(allowedLateness))) {
      return endOfTime;
    }
    return window.maxTimestamp().plus(allowedLateness);
  }

  /**
   * Spreads elements over a few keys so the stateful step below can run in parallel. Round robin
   * from a random start: each instance reaches every shard within its first {@code shards}
   * elements, so every shard soon has a recorded watermark and its probe armed. With a shard hash,
   * the hash of the element's downstream key picks the shard instead.
   */
  static final class AssignShardFn<T> extends DoFn<T, KV<Integer, T>> {
    private static final long serialVersionUID = 1L;
    private final int shards;
    private final @Nullable SerializableFunction<T, Integer> hash;
    private transient int next;

    AssignShardFn(int shards, @Nullable SerializableFunction<T, Integer> hash) {
      this.shards = shards;
      this.hash = hash;
    }

    @Setup
    public void setup() {
      next = ThreadLocalRandom.current().nextInt(shards);
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(shardOf(element), element));
    }

    int shardOf(T element) {
      if (hash != null) {
        return Math.floorMod(hash.apply(element), shards);
      }
      // Any key works: the decision depends on the watermark, not on the key.
      int shard = next;
      next = (next + 1) % shards;
      return shard;
    }
  }

  /**
   * Hashes an element's key by its encoding, which a deterministic coder makes the same in every
   * JVM ({@code hashCode()} of an enum or a generated record is not).
   */
  static final class KeyHash<T, K> implements SerializableFunction<T, Integer> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<T, K> key;
    private final Coder<K> keyCoder;

    KeyHash(SerializableFunction<T, K> key, Coder<K> keyCoder) {
      this.key = key;
      this.keyCoder = keyCoder;
    }

    @Override
    public Integer apply(T element) {
      try {
        return Arrays.hashCode(CoderUtils.encodeToByteArray(keyCoder, key.apply(element)));
      } catch (CoderException e) {
        throw new IllegalStateException("cannot encode the shard key of " + element, e);
      }
    }
  }

  /** Unwraps an element from its window list; windows are kept by the runner. */
  static final class DropWindowListFn<T> extends DoFn<KV<T, List<BoundedWindow>>, T> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<T, List<BoundedWindow>> element, OutputReceiver<T> out) {
      out.output(element.getKey());
    }
  }

  /**
   * Reads the input watermark and splits each element's windows into live and expired. The live
   * windows travel with the element (in the global window) to {@link CarriedWindows#windowList},
   * which assigns them: emitting into the windows directly would need the output's window coder to
   * differ from the input's, which the Flink runner's batch translation does not support.
   */
  static class DivertExpiredWindowsFn<T> extends DoFn<KV<Integer, T>, KV<T, List<BoundedWindow>>> {
    private static final long serialVersionUID = 1L;
    private static final String WATERMARK_PROBE = "watermarkProbe";

    private static final String HIGHEST_WATERMARK = "highestWatermark";

    @TimerId(WATERMARK_PROBE)
    private final TimerSpec watermarkProbe = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    /**
     * The highest input watermark this shard has seen, kept current by {@link #WATERMARK_PROBE}.
     * Flink does not checkpoint watermarks: after a restore the input watermark starts again from
     * the beginning of time until the sources publish theirs, and a record that was too late before
     * the failure would look on time and reopen a window that already emitted its final pane.
     * Judged against the highest watermark seen (restored with the state), it is diverted as it was
     * before, also when no element reached this shard between the watermark's last advance and the
     * failure.
     */
    @StateId(HIGHEST_WATERMARK)
    private final StateSpec<ValueState<Instant>> highestWatermark =
        StateSpecs.value(InstantCoder.of());

    private final WindowFn<Object, ? extends BoundedWindow> windowFn;
    private final Duration allowedLateness;
    private final TupleTag<KV<T, List<BoundedWindow>>> liveTag;
    private final TupleTag<KV<T, MissedWindow>> tooLateTag;
    private final Counter tooLate = Metrics.counter(DivertTooLateEvents.class, TOO_LATE_COUNTER);
    private final Counter lateAccepted =
        Metrics.counter(DivertTooLateEvents.class, LATE_ACCEPTED_COUNTER);

    DivertExpiredWindowsFn(
        WindowFn<Object, ? extends BoundedWindow> windowFn,
        Duration allowedLateness,
        TupleTag<KV<T, List<BoundedWindow>>> liveTag,
        TupleTag<KV<T, MissedWindow>> tooLateTag) {
      this.windowFn = windowFn;
      this.allowedLateness = allowedLateness;
      this.liveTag = liveTag;
      this.tooLateTag = tooLateTag;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, T> element,
        @Timestamp Instant timestamp,
        @TimerId(WATERMARK_PROBE) Timer probe,
        @StateId(HIGHEST_WATERMARK) ValueState<Instant> highest,
        MultiOutputReceiver out)
        throws Exception {
      Instant watermark = record(elementWatermark(probe), highest);
      armProbe(probe, watermark);
      T value = element.getValue();
      List<BoundedWindow> live = new ArrayList<>();
      for (BoundedWindow window : assignWindows(windowFn, value, timestamp)) {
        Instant expiry = expiryTime(window, allowedLateness);
        if (expiry.isBefore(watermark)) {
          tooLate.inc();
          out.get(tooLateTag)
              .outputWithTimestamp(
                  KV.of(value, missedWindow(window, timestamp, watermark, expiry)), timestamp);
        } else {
          live.add(window);
        }
      }
      if (!live.isEmpty()) {
        if (live.stream().anyMatch(window -> window.maxTimestamp().isBefore(watermark))) {
          lateAccepted.inc();
        }
        out.get(liveTag).output(KV.of(value, live));
      }
    }

    /**
     * Fires at each advance of the input watermark past the last one recorded, records it and
     * re-arms for the next, so the recorded watermark follows the input's also while no element
     * reaches this shard: after a restore, an element judged against it is diverted exactly as it
     * would have been without the failure. At the end of the input (the watermark past the global
     * window) it is not re-armed, so a bounded run ends.
     */
    @OnTimer(WATERMARK_PROBE)
    public void onWatermarkProbe(
        @TimerId(WATERMARK_PROBE) Timer probe,
        @StateId(HIGHEST_WATERMARK) ValueState<Instant> highest) {
      armProbe(probe, record(probe.getCurrentRelativeTime(), highest));
    }

    /**
     * The input watermark as an element sees it: for an event-time timer, {@code
     * getCurrentRelativeTime()} returns it, on the Direct and Flink runners. Package-private so a
     * test can stand in for a runner that has just restored, whose watermark is back at the
     * beginning of time when the next element arrives.
     */
    Instant elementWatermark(Timer probe) {
      return probe.getCurrentRelativeTime();
    }

    /** Records {@code observed} if it is past what was recorded; returns the later of the two. */
    private static Instant record(Instant observed, ValueState<Instant> highest) {
      Instant seen = highest.read();
      if (seen != null && !observed.isAfter(seen)) {
        return seen;
      }
      highest.write(observed);
      return observed;
    }

    /**
     * Sets the probe to fire at the next advance past {@code watermark}, unless input has ended.
     */
    private static void armProbe(Timer probe, Instant watermark) {
      if (watermark.isBefore(GlobalWindow.INSTANCE.maxTimestamp())) {
        probe.set(watermark.plus(Duration.millis(1)));
      } else {
        probe.clear();
      }
    }

    private MissedWindow missedWindow(
        BoundedWindow window, Instant timestamp, Instant watermark, Instant expiry) {
      Instant start =
          window instanceof IntervalWindow
              ? ((IntervalWindow) window).start()
              : BoundedWindow.TIMESTAMP_MIN_VALUE;
      return MissedWindow.newBuilder()
          .setWindowStart(java.time.Instant.ofEpochMilli(start.getMillis()))
          .setWindowEnd(java.time.Instant.ofEpochMilli(window.maxTimestamp().getMillis() + 1))
          .setEventTime(java.time.Instant.ofEpochMilli(timestamp.getMillis()))
          .setWatermark(java.time.Instant.ofEpochMilli(watermark.getMillis()))
          .setAllowedLatenessMillis(allowedLateness.getMillis())
          .setLateByMillis(watermark.getMillis() - expiry.getMillis())
          .build();
    }

    private static <W extends BoundedWindow> Collection<W> assignWindows(
        WindowFn<Object, W> fn, Object element, Instant timestamp) throws Exception {
      return fn.assignWindows(
          fn.new AssignContext() {
            @Override
            public Object element() {
              return element;
            }

            @Override
            public Instant timestamp() {
              return timestamp;
            }

            @Override
            public BoundedWindow window() {
              return GlobalWindow.INSTANCE;
            }
          });
    }
  }

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setWindowFn(WindowFn<Object, ? extends BoundedWindow> fn);

    abstract Builder<T> setAllowedLateness(Duration lateness);

    abstract Builder<T> setShards(int shards);

    abstract Builder<T> setShardHash(@Nullable SerializableFunction<T, Integer> hash);

    abstract Builder<T> setLiveTagInternal(TupleTag<T> tag);

    abstract Builder<T> setTooLateTagInternal(TupleTag<KV<T, MissedWindow>> tag);

    abstract DivertTooLateEvents<T> build();
  }
}
