package dev.kappa.transforms.errors;

import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;

/**
 * What a {@link Guard}ed step does with one element: emit zero or more outputs, or throw.
 *
 * <p>Outputs are kept until the function returns and released only then, so an element that fails
 * halfway emits nothing and becomes exactly one dead letter.
 *
 * @param <InputT> the element type
 * @param <OutputT> the output type
 */
@FunctionalInterface
public interface GuardedFn<InputT, OutputT> extends Serializable {
  void process(InputT element, Context context, Consumer<OutputT> out) throws Exception;

  /** The element's window, pane and timestamp. */
  record Context(BoundedWindow window, PaneInfo pane, Instant timestamp) {}
}
