package dev.kappa.transforms.errors;

import dev.kappa.schemas.common.SourceRecord;
import java.io.Serializable;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Where an element of a guarded step came from, for its dead letter: a {@link
 * dev.kappa.schemas.common.SourcePosition position} precise enough to find it again, a key and the
 * element's bytes, returned as a {@link SourceRecord}.
 *
 * <p>A decoded order no longer knows its Kafka offset or file line, so its coordinates name what
 * identifies it instead (its order id, or a window and key for an aggregate). If this function
 * itself throws, {@link Guard} falls back to the step's name and the element's bytes in its coder.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface ElementCoordinates<T> extends Serializable {
  SourceRecord locate(T element, BoundedWindow window) throws Exception;
}
