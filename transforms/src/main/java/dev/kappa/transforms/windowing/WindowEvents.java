package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.transforms.lateness.DivertTooLateEvents;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Windows a timestamped collection by a {@link Windowing} and splits off the records that arrive
 * too late for it.
 *
 * <p>The window, trigger, allowed lateness, accumulation and closing behaviour are applied together
 * from one checked value, so a pipeline cannot set a lateness its trigger silently ignores. Records
 * later than the allowed lateness are not dropped: they come out on {@link #tooLateTag()} with the
 * window they missed (see {@link DivertTooLateEvents}). Apply a GroupByKey or Combine.perKey to
 * {@link #windowedTag()} to get panes.
 *
 * <p>A <b>bounded</b> input (a backfill) skips the diverter: its watermark stays at the beginning
 * of time until every element has been read, so no window can expire before its elements arrive and
 * the diverter, a shuffle onto a stateful step, would divert nothing (see {@link
 * DivertTooLateEvents}). The input is windowed by a plain {@code Window.into} with the same
 * trigger, lateness and accumulation under step {@code AssignWindows}, and {@link #tooLateTag()} is
 * an empty collection ({@code NoTooLateEvents}) with the same coder. An unbounded input takes the
 * diverter, whose step names are Flink operator uids and do not change.
 *
 * <pre>{@code
 * WindowEvents<OrderEvent> windowOrders = WindowEvents.using(windowing);
 * PCollectionTuple split = orders.apply("WindowOrders", windowOrders);
 * PCollection<OrderEvent> windowed = split.get(windowOrders.windowedTag());
 * PCollection<KV<OrderEvent, MissedWindow>> tooLate = split.get(windowOrders.tooLateTag());
 * }</pre>
 *
 * @param <T> the element type
 */
@AutoValue
public abstract class WindowEvents<T> extends PTransform<PCollection<T>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public abstract Windowing windowing();

  abstract DivertTooLateEvents<T> divert();

  /** Windows by {@code windowing}, which is validated when the transform is applied. */
  public static <T> WindowEvents<T> using(Windowing windowing) {
    checkNotNull(windowing, "windowing must be set");
    return new AutoValue_WindowEvents<T>(
        windowing,
        DivertTooLateEvents.<T>into(windowing.window().windowFn())
            .withAllowedLateness(windowing.allowedLateness()));
  }

  /**
   * Shards the stream's too-late diverter by the key of the GroupByKey that follows, {@code key}
   * (see {@link DivertTooLateEvents#withShardKey}): the same decisions, in fewer and fuller
   * bundles. A bounded input has no diverter and ignores it.
   */
  public <K> WindowEvents<T> withShardKey(SerializableFunction<T, K> key, Coder<K> keyCoder) {
    return new AutoValue_WindowEvents<T>(windowing(), divert().withShardKey(key, keyCoder));
  }

  /** The elements in their windows, with the trigger set: ready for a GroupByKey. */
  public TupleTag<T> windowedTag() {
    return divert().liveTag();
  }

  /** Records later than the allowed lateness, each with the window it missed. */
  public TupleTag<KV<T, MissedWindow>> tooLateTag() {
    return divert().tooLateTag();
  }

  @Override
  public PCollectionTuple expand(PCollection<T> input) {
    windowing().validate();
    if (input.isBounded() == IsBounded.BOUNDED) {
      return windowBounded(input);
    }
    PCollectionTuple split = input.apply("DivertTooLate", divert());
    PCollection<T> windowed =
        split.get(divert().liveTag()).apply("SetTrigger", windowing().<T>configure());
    return PCollectionTuple.of(windowedTag(), windowed)
        .and(tooLateTag(), split.get(divert().tooLateTag()));
  }

  /** Windows bounded input without the diverter, which could divert nothing (class comment). */
  private PCollectionTuple windowBounded(PCollection<T> input) {
    PCollection<T> windowed = input.apply("AssignWindows", windowing().<T>assign());
    PCollection<KV<T, MissedWindow>> tooLate =
        input
            .getPipeline()
            .apply(
                "NoTooLateEvents",
                Create.empty(
                    KvCoder.of(input.getCoder(), SpecificRecordCoder.of(MissedWindow.class))));
    return PCollectionTuple.of(windowedTag(), windowed).and(tooLateTag(), tooLate);
  }
}
