package dev.kappa.pipelines.tools;

import dev.kappa.transforms.windowing.EventTimeBounds;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * When {@link ProduceOrders} may send each line at a finite speed-up, like the file replay: a line
 * goes out once (the greatest event time so far − the first event time) / speedUp of processing
 * time has passed since the start.
 *
 * <p>Only event times the {@link EventTimeBounds} accept pace the sends (judged against the
 * processing time the line is due, its arrival): an order dated 2099 would otherwise make the tool
 * sleep for decades. Such a line goes out right after the one before it.
 */
final class Pacing {
  private final double speedUp;
  private final EventTimeBounds bounds;
  private final LongSupplier clock;
  private final long started;
  private @Nullable Long firstEventTime;
  private long maxEventTime = Long.MIN_VALUE;

  Pacing(double speedUp, EventTimeBounds bounds, LongSupplier clock) {
    this.speedUp = speedUp;
    this.bounds = bounds;
    this.clock = clock;
    this.started = clock.getAsLong();
  }

  /** The processing time (epoch millis) at which a line with {@code eventTime} may be sent. */
  long dueAt(long eventTime) {
    if (!Double.isFinite(speedUp)
        || !bounds.accepts(new Instant(eventTime), new Instant(clock.getAsLong()))) {
      return started;
    }
    Long first = firstEventTime;
    if (first == null) {
      first = eventTime;
      firstEventTime = first;
    }
    maxEventTime = Math.max(maxEventTime, eventTime);
    return started + (long) ((maxEventTime - first) / speedUp);
  }
}
