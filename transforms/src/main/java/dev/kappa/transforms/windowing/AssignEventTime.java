package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * Sets each element's timestamp to the event time read from its payload.
 *
 * <p>Sources stamp records with the time they can see (none for files; the source's own event time
 * for the replay and Kafka sources); windows must use the time the event happened. Moving a
 * timestamp earlier than the one an element already has would break the source's watermark promise,
 * so this step refuses it with a message rather than shifting windows silently.
 *
 * <pre>{@code
 * orders.apply("AssignEventTime", AssignEventTime.by(order -> toJoda(order.getEventTime())));
 * }</pre>
 */
@AutoValue
public abstract class AssignEventTime<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  abstract SerializableFunction<T, Instant> eventTime();

  /** Uses {@code eventTime} to read an element's event time. */
  public static <T> AssignEventTime<T> by(SerializableFunction<T, Instant> eventTime) {
    return new AutoValue_AssignEventTime<T>(checkNotNull(eventTime, "eventTime must be set"));
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply(ParDo.of(new AssignEventTimeFn<T>(eventTime()))).setCoder(input.getCoder());
  }

  static final class AssignEventTimeFn<T> extends DoFn<T, T> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<T, Instant> eventTime;

    AssignEventTimeFn(SerializableFunction<T, Instant> eventTime) {
      this.eventTime = eventTime;
    }

    @ProcessElement
    public void process(@Element T element, @Timestamp Instant current, OutputReceiver<T> out) {
      Instant time = eventTime.apply(element);
      if (time.isBefore(current)) {
        throw new IllegalStateException(
            "event time "
                + time
                + " is before the timestamp "
                + current
                + " the source gave this element; the source must stamp event time itself");
      }
      out.outputWithTimestamp(element, time);
    }
  }
}
