package dev.kappa.transforms.enrichment;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IncompatibleWindowException;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Puts elements that went through a global-window step back into the windows they had before.
 *
 * <p>Stateful steps run in the global window (they reject merging windows, and their state must
 * outlive any event window), so each event carries its original window as data: {@code KV<element,
 * window>}, coded with the original window coder. This transform assigns the carried window with a
 * WindowFn that otherwise behaves like the original one (merging, coder, compatibility, side-input
 * mapping), drops the carried window and restores the input's whole windowing strategy (trigger,
 * allowed lateness, accumulation), as Beam's {@code Reshuffle} does. The exact windows come back,
 * for any WindowFn, including ones that do not assign from the timestamp. Timestamps are the
 * element's own; pane information is not kept.
 *
 * <p>The windows are assigned by a {@code Window.into}, not by a DoFn emitting into them: a ParDo's
 * outputs keep its input's window coder on Flink's batch translation (see late-data.md).
 */
final class RestoreWindows<T>
    extends PTransform<PCollection<KV<T, BoundedWindow>>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  private final WindowingStrategy<?, ?> original;
  private final Coder<T> coder;

  RestoreWindows(WindowingStrategy<?, ?> original, Coder<T> coder) {
    this.original = original;
    this.coder = coder;
  }

  /** The window coder of {@code strategy}, typed for carrying windows as data. */
  @SuppressWarnings("unchecked")
  static Coder<BoundedWindow> windowCoder(WindowingStrategy<?, ?> strategy) {
    return (Coder<BoundedWindow>) strategy.getWindowFn().windowCoder();
  }

  @Override
  public PCollection<T> expand(PCollection<KV<T, BoundedWindow>> carried) {
    @SuppressWarnings("unchecked")
    WindowFn<Object, BoundedWindow> target =
        (WindowFn<Object, BoundedWindow>) (WindowFn<?, ?>) original.getWindowFn();
    PCollection<T> restored =
        carried
            .apply("AssignCarriedWindows", Window.into(CarriedWindows.<T>of(target)))
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

  /**
   * WindowFns that put an element into the window it carries and otherwise behave like {@code
   * target}. Two classes, because a non-merging target must stay a {@link NonMergingWindowFn}
   * (runners check the type) and a merging one must not be one.
   */
  static final class CarriedWindows {
    private CarriedWindows() {}

    static <T> WindowFn<KV<T, BoundedWindow>, BoundedWindow> of(
        WindowFn<Object, BoundedWindow> target) {
      return target.isNonMerging() ? new NonMerging<>(target) : new Merging<>(target);
    }
  }

  static final class NonMerging<T> extends NonMergingWindowFn<KV<T, BoundedWindow>, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final WindowFn<Object, BoundedWindow> target;

    NonMerging(WindowFn<Object, BoundedWindow> target) {
      this.target = target;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return List.of(c.element().getValue());
    }

    /** Required by WindowFn; Beam calls {@link #verifyCompatibility} instead. */
    @Override
    @Deprecated
    public boolean isCompatible(WindowFn<?, ?> other) {
      try {
        verifyCompatibility(other);
        return true;
      } catch (IncompatibleWindowException e) {
        return false;
      }
    }

    @Override
    public void verifyCompatibility(WindowFn<?, ?> other) throws IncompatibleWindowException {
      if (!(other instanceof NonMerging)) {
        throw new IncompatibleWindowException(other, "only carried windows of the same kind mix");
      }
      target.verifyCompatibility(((NonMerging<?>) other).target);
    }

    @Override
    public Coder<BoundedWindow> windowCoder() {
      return target.windowCoder();
    }

    @Override
    public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
      return target.getDefaultWindowMappingFn();
    }

    @Override
    public boolean assignsToOneWindow() {
      return true;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof NonMerging && target.equals(((NonMerging<?>) other).target);
    }

    @Override
    public int hashCode() {
      return Objects.hash(NonMerging.class, target);
    }
  }

  static final class Merging<T> extends WindowFn<KV<T, BoundedWindow>, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final WindowFn<Object, BoundedWindow> target;

    Merging(WindowFn<Object, BoundedWindow> target) {
      this.target = target;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return List.of(c.element().getValue());
    }

    @Override
    public boolean isNonMerging() {
      return false;
    }

    @Override
    public void mergeWindows(MergeContext c) throws Exception {
      target.mergeWindows(
          target.new MergeContext() {
            @Override
            public Collection<BoundedWindow> windows() {
              return c.windows();
            }

            @Override
            public void merge(Collection<BoundedWindow> toBeMerged, BoundedWindow mergeResult)
                throws Exception {
              c.merge(toBeMerged, mergeResult);
            }
          });
    }

    /** Required by WindowFn; Beam calls {@link #verifyCompatibility} instead. */
    @Override
    @Deprecated
    public boolean isCompatible(WindowFn<?, ?> other) {
      try {
        verifyCompatibility(other);
        return true;
      } catch (IncompatibleWindowException e) {
        return false;
      }
    }

    @Override
    public void verifyCompatibility(WindowFn<?, ?> other) throws IncompatibleWindowException {
      if (!(other instanceof Merging)) {
        throw new IncompatibleWindowException(other, "only carried windows of the same kind mix");
      }
      target.verifyCompatibility(((Merging<?>) other).target);
    }

    @Override
    public Coder<BoundedWindow> windowCoder() {
      return target.windowCoder();
    }

    @Override
    public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
      return target.getDefaultWindowMappingFn();
    }

    @Override
    public boolean assignsToOneWindow() {
      return true;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Merging && target.equals(((Merging<?>) other).target);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Merging.class, target);
    }
  }
}
