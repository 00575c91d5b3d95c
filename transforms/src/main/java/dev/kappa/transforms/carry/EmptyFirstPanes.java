package dev.kappa.transforms.carry;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * Tells the empty first panes that the Flink runner emits when a stream drains from real ones, for
 * the step that formats an aggregation's panes.
 *
 * <p>When an unbounded source finishes, every window fires and is garbage-collected. An
 * early-firing (processing-time) timer can still be pending for such a window; when it fires after
 * the window's state is gone, the runner starts a fresh, empty pane #0 for a window that already
 * emitted its final pane (the family of apache/beam#32727). A real first pane is never empty, since
 * a key has a window only once an element arrived in it, so an empty pane with index 0 is this
 * quirk. Empty panes with a later index are legitimate closing panes (discarding mode) and are
 * kept.
 *
 * <pre>{@code
 * private static final EmptyFirstPanes<KV<String, Long>> SPURIOUS =
 *     EmptyFirstPanes.where(count -> count.getValue() == 0);
 * ...
 * if (SPURIOUS.isSpurious(element, pane)) { spuriousEmptyPanes.inc(); return; }
 * }</pre>
 *
 * @param <T> an aggregate, as a pane delivers it
 */
public final class EmptyFirstPanes<T> implements Serializable {
  private static final long serialVersionUID = 1L;
  private final SerializableFunction<T, Boolean> isEmpty;

  private EmptyFirstPanes(SerializableFunction<T, Boolean> isEmpty) {
    this.isEmpty = checkNotNull(isEmpty, "the is-empty predicate must be set");
  }

  /** Empty first panes, where {@code isEmpty} says whether an aggregate counts nothing. */
  public static <T> EmptyFirstPanes<T> where(SerializableFunction<T, Boolean> isEmpty) {
    return new EmptyFirstPanes<>(isEmpty);
  }

  /** Whether {@code aggregate}, delivered in {@code pane}, is such a pane, to be dropped. */
  public boolean isSpurious(T aggregate, PaneInfo pane) {
    return pane.getIndex() == 0 && isEmpty.apply(aggregate);
  }
}
