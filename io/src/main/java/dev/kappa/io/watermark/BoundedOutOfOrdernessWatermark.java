package dev.kappa.io.watermark;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Estimates a source's watermark as the maximum event time seen minus a fixed bound on how much out
 * of order records arrive. Shared by Kappa's unbounded sources so that all of them agree on what
 * "late" means.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li><b>End of input.</b> After {@link #onEndOfInput()} the watermark is {@link
 *       BoundedWindow#TIMESTAMP_MAX_VALUE}: every window can close and a bounded replay finishes.
 *   <li><b>Bounded out-of-orderness.</b> Otherwise the watermark is {@code max event time seen −
 *       maxOutOfOrderness}. A record more than {@code maxOutOfOrderness} older than the newest one
 *       may therefore arrive behind the watermark: it is late, and the pipeline's lateness rules
 *       decide its fate. Before the first record with an event time, the watermark is {@link
 *       BoundedWindow#TIMESTAMP_MIN_VALUE}.
 *   <li><b>Idleness.</b> If no record at all has arrived for {@code idleTimeout} of processing
 *       time, the source is taken to be idle rather than stuck, and event time is assumed to have
 *       moved on with the wall clock: the watermark may advance to {@code (max event time seen +
 *       idle processing time × speedUp) − maxOutOfOrderness}, where {@code speedUp} is how many
 *       milliseconds of event time pass per millisecond of processing time (1 for a live source,
 *       more for an accelerated replay). This lets windows close during a quiet period. With an
 *       infinite {@code speedUp} there is no such estimate, and the idle rule is off. The idle
 *       estimate stays below the end of the global window, so only the end of input can close it.
 *   <li><b>Monotonic.</b> The watermark never moves backwards, whatever the rules above give.
 * </ol>
 *
 * <p>A policy is configured once and then holds the state of one reader (or one partition): use
 * {@link #newInstance()} to give each its own. It is not thread-safe.
 *
 * <pre>{@code
 * BoundedOutOfOrdernessWatermark policy =
 *     BoundedOutOfOrdernessWatermark.create()
 *         .withMaxOutOfOrderness(Duration.standardSeconds(30))
 *         .withIdleTimeout(Duration.standardSeconds(10));
 * policy.onRecord(eventTime, Instant.now());
 * Instant watermark = policy.getWatermark(Instant.now());
 * }</pre>
 */
public final class BoundedOutOfOrdernessWatermark implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default bound on out-of-orderness: one minute. */
  public static final Duration DEFAULT_MAX_OUT_OF_ORDERNESS = Duration.standardMinutes(1);

  /** The default processing time without records after which a source counts as idle. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.standardMinutes(1);

  /** The highest watermark the idle rule may give: just below the end of the global window. */
  static final Instant MAX_IDLE_WATERMARK =
      GlobalWindow.INSTANCE.maxTimestamp().minus(Duration.millis(1));

  private final Duration maxOutOfOrderness;
  private final Duration idleTimeout;
  private final double speedUp;

  private @Nullable Instant maxEventTime;
  private @Nullable Instant lastRecordAt;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private boolean endOfInput;

  private BoundedOutOfOrdernessWatermark(
      Duration maxOutOfOrderness, Duration idleTimeout, double speedUp) {
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.idleTimeout = idleTimeout;
    this.speedUp = speedUp;
  }

  /**
   * A policy with a {@link #DEFAULT_MAX_OUT_OF_ORDERNESS}, a {@link #DEFAULT_IDLE_TIMEOUT} and a
   * speed-up of 1 (a live source).
   */
  public static BoundedOutOfOrdernessWatermark create() {
    return new BoundedOutOfOrdernessWatermark(
        DEFAULT_MAX_OUT_OF_ORDERNESS, DEFAULT_IDLE_TIMEOUT, 1.0);
  }

  /**
   * Returns a new, unused policy with this bound on how far behind the newest record a record may
   * arrive without being late. Must be {@code >= 0}.
   */
  public BoundedOutOfOrdernessWatermark withMaxOutOfOrderness(Duration maxOutOfOrderness) {
    return new BoundedOutOfOrdernessWatermark(
        checkMaxOutOfOrderness(maxOutOfOrderness), idleTimeout, speedUp);
  }

  /**
   * Returns a new, unused policy that considers the source idle after this much processing time
   * without a record. Must be {@code > 0}.
   */
  public BoundedOutOfOrdernessWatermark withIdleTimeout(Duration idleTimeout) {
    return new BoundedOutOfOrdernessWatermark(
        maxOutOfOrderness, checkIdleTimeout(idleTimeout), speedUp);
  }

  /**
   * Returns a new, unused policy for a source whose event time passes {@code speedUp} times faster
   * than processing time: 1 for a live source, e.g. 60 for a replay at one hour per minute, {@link
   * Double#POSITIVE_INFINITY} for a replay as fast as possible (no idle rule). Must be {@code > 0}.
   */
  public BoundedOutOfOrdernessWatermark withSpeedUp(double speedUp) {
    return new BoundedOutOfOrdernessWatermark(
        maxOutOfOrderness, idleTimeout, checkSpeedUp(speedUp));
  }

  /**
   * {@code maxOutOfOrderness} if it is {@code >= 0}; the check of {@link #withMaxOutOfOrderness},
   * for the sources that take this setting before they build their policy.
   */
  public static Duration checkMaxOutOfOrderness(Duration maxOutOfOrderness) {
    if (maxOutOfOrderness == null || maxOutOfOrderness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "maxOutOfOrderness must be >= 0, was " + maxOutOfOrderness);
    }
    return maxOutOfOrderness;
  }

  /** {@code idleTimeout} if it is {@code > 0}; the check of {@link #withIdleTimeout}. */
  public static Duration checkIdleTimeout(Duration idleTimeout) {
    if (idleTimeout == null || !idleTimeout.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("idleTimeout must be > 0, was " + idleTimeout);
    }
    return idleTimeout;
  }

  /** {@code speedUp} if it is {@code > 0}; the check of {@link #withSpeedUp}. */
  public static double checkSpeedUp(double speedUp) {
    if (!(speedUp > 0)) {
      throw new IllegalArgumentException("speedUp must be > 0, was " + speedUp);
    }
    return speedUp;
  }

  /** Returns a new, unused policy with the same settings, for another reader or partition. */
  public BoundedOutOfOrdernessWatermark newInstance() {
    return new BoundedOutOfOrdernessWatermark(maxOutOfOrderness, idleTimeout, speedUp);
  }

  /** How far the watermark trails the greatest event time seen. */
  public Duration getMaxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  /** The processing time without records after which the idle rule applies. */
  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  /** Milliseconds of event time per millisecond of processing time, for the idle rule. */
  public double getSpeedUp() {
    return speedUp;
  }

  /** The greatest event time seen so far, or null before the first record with an event time. */
  public @Nullable Instant getMaxEventTime() {
    return maxEventTime;
  }

  /** A record with event time {@code eventTime} arrived at processing time {@code now}. */
  public void onRecord(Instant eventTime, Instant now) {
    if (maxEventTime == null || eventTime.isAfter(maxEventTime)) {
      maxEventTime = eventTime;
    }
    lastRecordAt = now;
  }

  /**
   * A record whose event time could not be determined arrived at processing time {@code now}: the
   * source is not idle, but event time has not visibly moved.
   */
  public void onRecordWithoutEventTime(Instant now) {
    lastRecordAt = now;
  }

  /** The source has no more records: the watermark goes to the end of time. */
  public void onEndOfInput() {
    endOfInput = true;
  }

  /** Whether {@link #onEndOfInput()} was called. */
  public boolean isEndOfInput() {
    return endOfInput;
  }

  /** The watermark at processing time {@code now}; see the class documentation for the rules. */
  public Instant getWatermark(Instant now) {
    if (endOfInput) {
      watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
      return watermark;
    }
    Instant max = maxEventTime;
    Instant last = lastRecordAt;
    if (max == null || last == null) {
      return watermark;
    }
    long candidate = saturatedMinus(max.getMillis(), maxOutOfOrderness.getMillis());
    long idleMillis = now.getMillis() - last.getMillis();
    if (idleMillis >= idleTimeout.getMillis() && !Double.isInfinite(speedUp)) {
      double estimate =
          Math.floor(max.getMillis() + idleMillis * speedUp - maxOutOfOrderness.getMillis());
      candidate = Math.max(candidate, (long) Math.min(estimate, MAX_IDLE_WATERMARK.getMillis()));
    }
    candidate = Math.max(candidate, BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());
    if (candidate > watermark.getMillis()) {
      watermark = new Instant(candidate);
    }
    return watermark;
  }

  private static long saturatedMinus(long a, long b) {
    long result = a - b;
    return ((a ^ b) & (a ^ result)) < 0 ? Long.MIN_VALUE : result;
  }

  @Override
  public String toString() {
    return "BoundedOutOfOrdernessWatermark{maxOutOfOrderness="
        + maxOutOfOrderness
        + ", idleTimeout="
        + idleTimeout
        + ", speedUp="
        + speedUp
        + ", maxEventTime="
        + maxEventTime
        + ", watermark="
        + watermark
        + ", endOfInput="
        + endOfInput
        + "}";
  }
}
