package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.transforms.windowing.Window.OnTimeBehavior;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;

/**
 * Everything that decides when a window's results come out, kept together: the window shape, early
 * (speculative) firings, the on-time firing, late firings, allowed lateness, accumulation and what
 * happens when the window closes.
 *
 * <p>Beam lets these be set separately, and some combinations lose data quietly (a trigger that
 * finishes at the watermark drops every later record even inside the allowed lateness). Here they
 * are one value, checked as a whole by {@link #validate()}, which {@link WindowEvents} calls when
 * it is applied. Each {@code withX} method checks its own argument and returns a new value, so the
 * order of calls does not matter.
 *
 * <pre>{@code
 * Windowing windowing =
 *     Windowing.of(WindowSpec.fixed(Duration.standardMinutes(5)))
 *         .withEarlyFiringsEvery(Duration.standardSeconds(30))
 *         .withLateFiringsEvery(1)
 *         .withAllowedLateness(Duration.standardHours(1))
 *         .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);
 *
 * // Beam's LeaderBoard team scores: a late pane ten minutes of processing time after the first
 * // late record of each pane, or after every 100 late records, whichever comes first.
 * Windowing.of(WindowSpec.fixed(Duration.standardHours(1)))
 *     .withLateFiringsAfter(Duration.standardMinutes(10))
 *     .withLateFiringsEvery(100)
 *     .withAllowedLateness(Duration.standardHours(2));
 *
 * // One result per window when it closes (its end plus the allowed lateness), nothing before:
 * // Kafka Streams' suppress(untilWindowCloses), RisingWave's EMIT ON WINDOW CLOSE.
 * Windowing.of(WindowSpec.fixed(Duration.standardMinutes(5)))
 *     .withAllowedLateness(Duration.standardMinutes(10))
 *     .emittingFinalOnly();
 * }</pre>
 */
@AutoValue
public abstract class Windowing implements Serializable {
  private static final long serialVersionUID = 1L;

  public abstract WindowSpec window();

  /** Processing-time delay after a pane's first element before an early firing; null for none. */
  public abstract @Nullable Duration earlyFiringDelay();

  /** Late firings after this many late elements; 0 for none. */
  public abstract int lateFiringCount();

  /**
   * Late firings this long in processing time after the first late element of a pane; null for
   * none. With {@link #lateFiringCount()} too, whichever comes first fires.
   */
  public abstract @Nullable Duration lateFiringDelay();

  /** Which panes a window emits. */
  public enum Emit {
    /** Early (if set), on-time, late (if set) and closing panes, as the trigger says. */
    EVERY_PANE,
    /**
     * One pane per window, when the watermark passes its end plus the allowed lateness: the
     * window's complete result, marked final, and nothing before it. Late records within the
     * allowed lateness are in it; later ones are too late.
     */
    FINAL_ONLY
  }

  public abstract Emit emit();

  public abstract Duration allowedLateness();

  public abstract AccumulationMode accumulationMode();

  public abstract ClosingBehavior closingBehavior();

  public abstract OnTimeBehavior onTimeBehavior();

  abstract Builder toBuilder();

  /**
   * Windows of the given shape that fire once when the watermark passes their end, with no allowed
   * lateness, discarding fired panes, and a final pane always emitted on close.
   */
  public static Windowing of(WindowSpec window) {
    return new AutoValue_Windowing.Builder()
        .setWindow(checkNotNull(window, "window spec must be set"))
        .setEarlyFiringDelay(null)
        .setLateFiringCount(0)
        .setLateFiringDelay(null)
        .setEmit(Emit.EVERY_PANE)
        .setAllowedLateness(Duration.ZERO)
        .setAccumulationMode(AccumulationMode.DISCARDING_FIRED_PANES)
        .setClosingBehavior(ClosingBehavior.FIRE_ALWAYS)
        .setOnTimeBehavior(OnTimeBehavior.FIRE_ALWAYS)
        .build();
  }

  /** Speculative results {@code delay} of processing time after each pane's first element. */
  public Windowing withEarlyFiringsEvery(Duration delay) {
    WindowSpec.checkPositive("early firing delay", delay);
    return toBuilder().setEarlyFiringDelay(delay).build();
  }

  /** No speculative results: a window first fires when the watermark passes its end. */
  public Windowing withoutEarlyFirings() {
    return toBuilder().setEarlyFiringDelay(null).build();
  }

  /** A late pane after every {@code count} late elements ({@code 1}: after each one). */
  public Windowing withLateFiringsEvery(int count) {
    checkArgument(count > 0, "late firing count must be positive, was %s", count);
    return toBuilder().setLateFiringCount(count).build();
  }

  /**
   * A late pane {@code delay} of processing time after the first late element of each pane (as
   * Beam's LeaderBoard fires its team scores); combined with {@link #withLateFiringsEvery}, the
   * first of the two fires.
   */
  public Windowing withLateFiringsAfter(Duration delay) {
    WindowSpec.checkPositive("late firing delay", delay);
    return toBuilder().setLateFiringDelay(delay).build();
  }

  /** No late panes: neither per count nor after a delay. */
  public Windowing withoutLateFirings() {
    return toBuilder().setLateFiringCount(0).setLateFiringDelay(null).build();
  }

  /**
   * One pane per window, when it closes (see {@link Emit#FINAL_ONLY}); early and late firings must
   * be off, which {@link #validate()} checks.
   */
  public Windowing emittingFinalOnly() {
    return toBuilder().setEmit(Emit.FINAL_ONLY).build();
  }

  /** Which panes a window emits: {@link Emit#EVERY_PANE} unless set. */
  public Windowing withEmit(Emit emit) {
    return toBuilder().setEmit(checkNotNull(emit, "emit must be set")).build();
  }

  /** Whether any late firing is set, per count or after a delay. */
  public boolean firesLate() {
    return lateFiringCount() > 0 || lateFiringDelay() != null;
  }

  /** How long after the end of a window records are still accepted (late panes). */
  public Windowing withAllowedLateness(Duration lateness) {
    checkArgument(lateness != null, "allowed lateness must be set");
    checkArgument(
        !lateness.isShorterThan(Duration.ZERO), "allowed lateness must be >= 0, was %s", lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** Whether each pane repeats what earlier panes emitted (accumulating) or only adds to it. */
  public Windowing withAccumulationMode(AccumulationMode mode) {
    checkArgument(
        mode == AccumulationMode.ACCUMULATING_FIRED_PANES
            || mode == AccumulationMode.DISCARDING_FIRED_PANES,
        "accumulation mode must be ACCUMULATING_FIRED_PANES or DISCARDING_FIRED_PANES, was %s",
        mode);
    return toBuilder().setAccumulationMode(mode).build();
  }

  /** Whether a final pane is emitted when the window expires even if it would be empty. */
  public Windowing withClosingBehavior(ClosingBehavior behavior) {
    return toBuilder()
        .setClosingBehavior(checkNotNull(behavior, "closing behavior must be set"))
        .build();
  }

  /** Whether the on-time pane is emitted even if it would be empty. */
  public Windowing withOnTimeBehavior(OnTimeBehavior behavior) {
    return toBuilder()
        .setOnTimeBehavior(checkNotNull(behavior, "on-time behavior must be set"))
        .build();
  }

  /**
   * Checks the settings as a whole.
   *
   * @throws IllegalArgumentException naming the setting to change
   */
  public void validate() {
    if (emit() == Emit.FINAL_ONLY) {
      if (window().kind() == WindowSpec.Kind.GLOBAL) {
        throw new IllegalArgumentException(
            "final-only emission fires when a window closes, but the global window never closes:"
                + " a stream would emit nothing; choose a fixed, sliding or session window, or emit"
                + " every pane");
      }
      if (earlyFiringDelay() != null || firesLate()) {
        throw new IllegalArgumentException(
            "final-only emission gives one pane per window, when it closes, but"
                + (earlyFiringDelay() != null ? " early firings (" + earlyFiringDelay() + ")" : "")
                + (earlyFiringDelay() != null && firesLate() ? " and" : "")
                + (firesLate() ? " late firings" : "")
                + " are set; turn them off (withoutEarlyFirings(), withoutLateFirings()) or emit"
                + " every pane");
      }
    } else if (allowedLateness().getMillis() > 0 && !firesLate()) {
      throw new IllegalArgumentException(
          "allowed lateness is "
              + allowedLateness()
              + " but late firings are off: the trigger would finish at the watermark and Beam"
              + " would drop every late record; set late firings (withLateFiringsEvery(n) or"
              + " withLateFiringsAfter(delay)), final-only emission, or allowed lateness PT0S");
    }
    if (window().kind() == WindowSpec.Kind.GLOBAL && allowedLateness().getMillis() > 0) {
      throw new IllegalArgumentException(
          "allowed lateness is "
              + allowedLateness()
              + " but the window is global: it never ends, so nothing is late; set allowed"
              + " lateness PT0S");
    }
  }

  /**
   * The Beam trigger these settings describe. Final-only emission is {@link Never#ever()}: a window
   * then fires only when it is garbage-collected, at its end plus the allowed lateness, which Beam
   * marks as the last pane.
   */
  public Trigger trigger() {
    if (emit() == Emit.FINAL_ONLY) {
      return Never.ever();
    }
    AfterWatermark.FromEndOfWindow onTime = AfterWatermark.pastEndOfWindow();
    Trigger.OnceTrigger early =
        earlyFiringDelay() == null
            ? null
            : AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay());
    Trigger.OnceTrigger late = lateTrigger();
    if (early != null && late != null) {
      return onTime.withEarlyFirings(early).withLateFirings(late);
    } else if (early != null) {
      return onTime.withEarlyFirings(early);
    } else if (late != null) {
      return onTime.withLateFirings(late);
    }
    return onTime;
  }

  @Nullable
  private Trigger.OnceTrigger lateTrigger() {
    Trigger.OnceTrigger count =
        lateFiringCount() == 0 ? null : AfterPane.elementCountAtLeast(lateFiringCount());
    Trigger.OnceTrigger delay =
        lateFiringDelay() == null
            ? null
            : AfterProcessingTime.pastFirstElementInPane().plusDelayOf(lateFiringDelay());
    if (count != null && delay != null) {
      return AfterFirst.of(count, delay);
    }
    return count != null ? count : delay;
  }

  /** A {@link Window} that sets the trigger, lateness and accumulation, keeping the windows. */
  <T> Window<T> configure() {
    return settle(Window.<T>configure());
  }

  /** A {@link Window} that assigns the windows and sets the trigger, lateness and accumulation. */
  <T> Window<T> assign() {
    return settle(Window.<T>into(window().windowFn()));
  }

  private <T> Window<T> settle(Window<T> window) {
    Window<T> set =
        window
            .triggering(trigger())
            .withAllowedLateness(allowedLateness(), closingBehavior())
            .withOnTimeBehavior(onTimeBehavior());
    return accumulationMode() == AccumulationMode.ACCUMULATING_FIRED_PANES
        ? set.accumulatingFiredPanes()
        : set.discardingFiredPanes();
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setWindow(WindowSpec window);

    abstract Builder setEarlyFiringDelay(@Nullable Duration delay);

    abstract Builder setLateFiringCount(int count);

    abstract Builder setLateFiringDelay(@Nullable Duration delay);

    abstract Builder setEmit(Emit emit);

    abstract Builder setAllowedLateness(Duration lateness);

    abstract Builder setAccumulationMode(AccumulationMode mode);

    abstract Builder setClosingBehavior(ClosingBehavior behavior);

    abstract Builder setOnTimeBehavior(OnTimeBehavior behavior);

    abstract Windowing build();
  }
}
