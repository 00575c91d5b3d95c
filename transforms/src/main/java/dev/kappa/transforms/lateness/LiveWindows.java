package dev.kappa.transforms.lateness;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IncompatibleWindowException;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.KV;

/**
 * WindowFns that put an element into the windows it carries: the windows of a target WindowFn that
 * {@link DivertTooLateEvents} found still live. Everything else (merging, coders, compatibility,
 * side-input mapping) is the target's, so downstream GroupByKeys behave as with the target itself.
 *
 * <p>Two classes, not one: a non-merging target must stay a {@link NonMergingWindowFn}, because
 * runners check that type (a stateful DoFn after {@code WindowEvents} is rejected otherwise), and a
 * merging one must not be one. The delegating methods repeat for that reason.
 */
final class LiveWindows {
  private LiveWindows() {}

  /** A WindowFn over {@code KV<element, live windows>} that behaves like {@code target}. */
  static <T> WindowFn<KV<T, List<BoundedWindow>>, BoundedWindow> of(
      WindowFn<Object, BoundedWindow> target) {
    return target.isNonMerging() ? new NonMerging<>(target) : new Merging<>(target);
  }

  static final class NonMerging<T>
      extends NonMergingWindowFn<KV<T, List<BoundedWindow>>, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final WindowFn<Object, BoundedWindow> target;

    NonMerging(WindowFn<Object, BoundedWindow> target) {
      this.target = target;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return c.element().getValue();
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
        throw new IncompatibleWindowException(other, "only live windows of the same target mix");
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
      return target.assignsToOneWindow();
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

  static final class Merging<T> extends WindowFn<KV<T, List<BoundedWindow>>, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final WindowFn<Object, BoundedWindow> target;

    Merging(WindowFn<Object, BoundedWindow> target) {
      this.target = target;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return c.element().getValue();
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
        throw new IncompatibleWindowException(other, "only live windows of the same target mix");
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
      return target.assignsToOneWindow();
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
