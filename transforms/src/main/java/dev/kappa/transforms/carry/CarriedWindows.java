package dev.kappa.transforms.carry;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IncompatibleWindowException;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;

/**
 * WindowFns that put an element into the windows it carries as data and otherwise behave like a
 * target WindowFn (merging, window coder, compatibility, side-input mapping), so downstream
 * GroupByKeys behave as with the target itself.
 *
 * <p>Steps that must run in the global window (stateful ones, or ones that decide which windows are
 * still live) carry each element's windows as data and give them back with {@code
 * Window.into(CarriedWindows.oneWindow(target))} or {@code windowList(target)}: emitting into the
 * windows from a DoFn would need the output's window coder to differ from the input's, which the
 * Flink runner's batch translation does not support.
 *
 * <p>Two WindowFn classes, not one: a non-merging target must stay a {@link NonMergingWindowFn},
 * because runners check that type (a stateful DoFn downstream is rejected otherwise), and a merging
 * one must not be one. They share everything but their superclass; the one-line forwarding methods
 * repeat for that reason.
 */
public final class CarriedWindows {
  private CarriedWindows() {}

  /**
   * Into the global window with the default trigger, no allowed lateness and discarding panes:
   * where elements carrying their windows wait in a stateful step. Every input of a union must have
   * this same strategy to be flattened.
   */
  public static <T> Window<T> intoGlobalWindow() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  /** A WindowFn over {@code KV<element, window>} that assigns the carried window. */
  public static <T> WindowFn<KV<T, BoundedWindow>, BoundedWindow> oneWindow(
      WindowFn<Object, BoundedWindow> target) {
    return of(new Delegate(target, Carried.ONE_WINDOW));
  }

  /**
   * A WindowFn over {@code KV<element, windows>} that assigns all the carried windows (several for
   * a sliding target).
   */
  public static <T> WindowFn<KV<T, List<BoundedWindow>>, BoundedWindow> windowList(
      WindowFn<Object, BoundedWindow> target) {
    return of(new Delegate(target, Carried.WINDOW_LIST));
  }

  private static <E extends KV<?, ?>> WindowFn<E, BoundedWindow> of(Delegate delegate) {
    return delegate.target.isNonMerging() ? new NonMerging<>(delegate) : new Merging<>(delegate);
  }

  /** How an element carries its windows. Part of equality: the two kinds never mix. */
  private enum Carried {
    ONE_WINDOW("only carried windows of the same kind mix") {
      @Override
      Collection<BoundedWindow> windows(Object carried) {
        return List.of((BoundedWindow) carried);
      }

      @Override
      boolean assignsToOneWindow(WindowFn<?, ?> target) {
        return true;
      }
    },
    WINDOW_LIST("only live windows of the same target mix") {
      @Override
      @SuppressWarnings("unchecked")
      Collection<BoundedWindow> windows(Object carried) {
        return (List<BoundedWindow>) carried;
      }

      @Override
      boolean assignsToOneWindow(WindowFn<?, ?> target) {
        return target.assignsToOneWindow();
      }
    };

    private final String incompatible;

    Carried(String incompatible) {
      this.incompatible = incompatible;
    }

    abstract Collection<BoundedWindow> windows(Object carried);

    abstract boolean assignsToOneWindow(WindowFn<?, ?> target);
  }

  /** What both WindowFn classes hold and do: the target and how the windows are carried. */
  private static final class Delegate implements Serializable {
    private static final long serialVersionUID = 1L;
    private final WindowFn<Object, BoundedWindow> target;
    private final Carried carried;

    Delegate(WindowFn<Object, BoundedWindow> target, Carried carried) {
      this.target = target;
      this.carried = carried;
    }

    Collection<BoundedWindow> windows(KV<?, ?> element) {
      return carried.windows(element.getValue());
    }

    boolean assignsToOneWindow() {
      return carried.assignsToOneWindow(target);
    }

    /**
     * Only a WindowFn of the same class, carrying windows the same way, over a compatible target.
     */
    void verifyCompatibility(WindowFn<?, ?> self, WindowFn<?, ?> other)
        throws IncompatibleWindowException {
      Delegate theirs = null;
      if (other instanceof NonMerging && self instanceof NonMerging) {
        theirs = ((NonMerging<?>) other).delegate;
      } else if (other instanceof Merging && self instanceof Merging) {
        theirs = ((Merging<?>) other).delegate;
      }
      if (theirs == null || theirs.carried != carried) {
        throw new IncompatibleWindowException(other, carried.incompatible);
      }
      target.verifyCompatibility(theirs.target);
    }

    boolean isCompatible(WindowFn<?, ?> self, WindowFn<?, ?> other) {
      try {
        verifyCompatibility(self, other);
        return true;
      } catch (IncompatibleWindowException e) {
        return false;
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Delegate
          && carried == ((Delegate) other).carried
          && target.equals(((Delegate) other).target);
    }

    @Override
    public int hashCode() {
      return Objects.hash(carried, target);
    }
  }

  static final class NonMerging<E extends KV<?, ?>> extends NonMergingWindowFn<E, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final Delegate delegate;

    NonMerging(Delegate delegate) {
      this.delegate = delegate;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return delegate.windows(c.element());
    }

    /** Required by WindowFn; Beam calls {@link #verifyCompatibility} instead. */
    @Override
    @Deprecated
    public boolean isCompatible(WindowFn<?, ?> other) {
      return delegate.isCompatible(this, other);
    }

    @Override
    public void verifyCompatibility(WindowFn<?, ?> other) throws IncompatibleWindowException {
      delegate.verifyCompatibility(this, other);
    }

    @Override
    public Coder<BoundedWindow> windowCoder() {
      return delegate.target.windowCoder();
    }

    @Override
    public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
      return delegate.target.getDefaultWindowMappingFn();
    }

    @Override
    public boolean assignsToOneWindow() {
      return delegate.assignsToOneWindow();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof NonMerging && delegate.equals(((NonMerging<?>) other).delegate);
    }

    @Override
    public int hashCode() {
      return Objects.hash(NonMerging.class, delegate);
    }
  }

  static final class Merging<E extends KV<?, ?>> extends WindowFn<E, BoundedWindow> {
    private static final long serialVersionUID = 1L;
    private final Delegate delegate;

    Merging(Delegate delegate) {
      this.delegate = delegate;
    }

    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      return delegate.windows(c.element());
    }

    @Override
    public boolean isNonMerging() {
      return false;
    }

    @Override
    public void mergeWindows(MergeContext c) throws Exception {
      WindowFn<Object, BoundedWindow> target = delegate.target;
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
      return delegate.isCompatible(this, other);
    }

    @Override
    public void verifyCompatibility(WindowFn<?, ?> other) throws IncompatibleWindowException {
      delegate.verifyCompatibility(this, other);
    }

    @Override
    public Coder<BoundedWindow> windowCoder() {
      return delegate.target.windowCoder();
    }

    @Override
    public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
      return delegate.target.getDefaultWindowMappingFn();
    }

    @Override
    public boolean assignsToOneWindow() {
      return delegate.assignsToOneWindow();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Merging && delegate.equals(((Merging<?>) other).delegate);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Merging.class, delegate);
    }
  }
}
