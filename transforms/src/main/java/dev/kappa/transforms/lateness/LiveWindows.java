package dev.kappa.transforms.lateness;

import dev.kappa.transforms.windowing.CarriedWindows;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;

/**
 * The WindowFn that puts an element into the windows it carries: the windows of a target WindowFn
 * that {@link DivertTooLateEvents} found still live. Everything else (merging, coders,
 * compatibility, side-input mapping) is the target's, so downstream GroupByKeys behave as with the
 * target itself; see {@link CarriedWindows}, which keeps a non-merging target a non-merging
 * WindowFn.
 */
final class LiveWindows {
  private LiveWindows() {}

  /** A WindowFn over {@code KV<element, live windows>} that behaves like {@code target}. */
  static <T> WindowFn<KV<T, List<BoundedWindow>>, BoundedWindow> of(
      WindowFn<Object, BoundedWindow> target) {
    return CarriedWindows.windowList(target);
  }
}
