package dev.kappa.transforms.carry;

import static com.google.common.base.Preconditions.checkNotNull;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Puts elements that went through a global-window step back into the windows they had before.
 *
 * <p>Stateful steps run in the global window (they reject merging windows, and their state must
 * outlive any event window), so each event carries its original window as data: {@code KV<element,
 * window>}, coded with the original window coder. This transform assigns the carried window with
 * {@link CarriedWindows#oneWindow}, a WindowFn that otherwise behaves like the original one
 * (merging, coder, compatibility, side-input mapping), drops the carried window and restores the
 * input's whole windowing strategy (trigger, allowed lateness, accumulation), as Beam's {@code
 * Reshuffle} does. The exact windows come back, for any WindowFn, including ones that do not assign
 * from the timestamp. Timestamps are the element's own; pane information is not kept.
 *
 * <p>The windows are assigned by a {@code Window.into}, not by a DoFn emitting into them: a ParDo's
 * outputs keep its input's window coder on Flink's batch translation (see late-data.md).
 *
 * <p>Steps: {@code AssignCarriedWindows}, {@code DropCarriedWindows}.
 *
 * <pre>{@code
 * PCollection<KV<KV<Order, Payment>, BoundedWindow>> matched = ...; // from a global-window step
 * PCollection<KV<Order, Payment>> inOrderWindows =
 *     matched.apply("RestoreMatchedWindows", RestoreWindows.to(orders.getWindowingStrategy(), coder));
 * }</pre>
 *
 * @param <T> the element, without its carried window
 */
public final class RestoreWindows<T>
    extends PTransform<PCollection<KV<T, BoundedWindow>>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  private final WindowingStrategy<?, ?> original;
  private final Coder<T> coder;

  private RestoreWindows(WindowingStrategy<?, ?> original, Coder<T> coder) {
    this.original = checkNotNull(original, "original windowing strategy must be set");
    this.coder = checkNotNull(coder, "element coder must be set");
  }

  /**
   * Gives elements back the windows they carry and the windowing strategy {@code original} (the
   * input's before it went into the global window); {@code coder} encodes the elements.
   */
  public static <T> RestoreWindows<T> to(WindowingStrategy<?, ?> original, Coder<T> coder) {
    return new RestoreWindows<>(original, coder);
  }

  /** The window coder of {@code strategy}, typed for carrying windows as data. */
  @SuppressWarnings("unchecked")
  public static Coder<BoundedWindow> windowCoder(WindowingStrategy<?, ?> strategy) {
    return (Coder<BoundedWindow>) strategy.getWindowFn().windowCoder();
  }

  @Override
  public PCollection<T> expand(PCollection<KV<T, BoundedWindow>> carried) {
    @SuppressWarnings("unchecked")
    WindowFn<Object, BoundedWindow> target =
        (WindowFn<Object, BoundedWindow>) (WindowFn<?, ?>) original.getWindowFn();
    PCollection<T> restored =
        carried
            .apply("AssignCarriedWindows", Window.into(CarriedWindows.<T>oneWindow(target)))
            .apply("DropCarriedWindows", ParDo.of(new DropWindowFn<T>()))
            .setCoder(coder);
    // The same strategy object as the input's: downstream sees the events' windowing unchanged.
    restored.setWindowingStrategyInternal(original);
    return restored;
  }

  static final class DropWindowFn<T> extends DoFn<KV<T, BoundedWindow>, T> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<T, BoundedWindow> element, OutputReceiver<T> out) {
      out.output(element.getKey());
    }
  }
}
