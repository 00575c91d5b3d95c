package dev.kappa.options;

import dev.kappa.options.WindowingOptions.Accumulation;
import dev.kappa.transforms.windowing.Durations;
import dev.kappa.transforms.windowing.EventTimeBounds;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import java.util.Locale;
import javax.annotation.Nullable;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;

/**
 * Turns option text into the typed values transforms take, once, at launch.
 *
 * <p>Every failure is an {@link InvalidOptionException} whose message starts with the option's
 * name, so a bad command line fails before any pipeline is built and says what to fix.
 */
public final class OptionValues {
  private OptionValues() {}

  /** An ISO-8601 duration that is zero or longer. */
  public static Duration duration(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(option, "missing; give an ISO-8601 duration such as PT5M");
    }
    Duration value;
    try {
      value = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(
          option, "'" + text + "' is not an ISO-8601 duration such as PT30S, PT5M or PT1H", e);
    }
    if (value.isShorterThan(Duration.ZERO)) {
      throw new InvalidOptionException(option, "must not be negative, was " + text);
    }
    return value;
  }

  /**
   * A connection timeout: a positive ISO-8601 duration of at most an hour (a longer wait at launch
   * is a hang by another name).
   */
  public static java.time.Duration connectTimeout(String option, @Nullable String text) {
    Duration value = duration(option, text);
    if (value.getMillis() < 1 || value.isLongerThan(Duration.standardHours(1))) {
      throw new InvalidOptionException(
          option, "must be positive and at most PT1H, e.g. PT30S, was " + text);
    }
    return java.time.Duration.ofMillis(value.getMillis());
  }

  /** A positive ISO-8601 duration, or null for {@code none}. */
  public static @Nullable Duration optionalPositiveDuration(String option, @Nullable String text) {
    if (text != null && text.trim().equalsIgnoreCase("none")) {
      return null;
    }
    Duration value = duration(option, text);
    if (value.getMillis() == 0) {
      throw new InvalidOptionException(option, "must be positive, or 'none', was " + text);
    }
    return value;
  }

  /** A replay speed-up: a positive number, or {@code max} for as fast as possible. */
  public static double speedUp(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(option, "missing; give a positive number or 'max'");
    }
    if (text.trim().toLowerCase(Locale.ROOT).equals("max")) {
      return Double.POSITIVE_INFINITY;
    }
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidOptionException(option, "'" + text + "' is not a number or 'max'", e);
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new InvalidOptionException(option, "must be a positive number or 'max', was " + text);
    }
    return value;
  }

  /** An ISO-8601 instant such as {@code 2026-03-01T10:00:00Z}. */
  public static org.joda.time.Instant instant(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(
          option, "missing; give an ISO-8601 instant such as 2026-03-01T10:00:00Z");
    }
    try {
      return new org.joda.time.Instant(java.time.Instant.parse(text.trim()).toEpochMilli());
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidOptionException(
          option, "'" + text + "' is not an ISO-8601 instant such as 2026-03-01T10:00:00Z", e);
    }
  }

  /**
   * The event-time bounds from {@code --maxEventTimeAhead} and {@code --minEventTime}.
   *
   * @throws InvalidOptionException naming the option that does not parse
   */
  public static EventTimeBounds eventTimeBounds(SourceOptions options) {
    return eventTimeBounds(options.getMaxEventTimeAhead(), options.getMinEventTime());
  }

  /**
   * The event-time bounds from the text of {@code --maxEventTimeAhead} (an ISO-8601 duration, or
   * {@code none}) and {@code --minEventTime} (an ISO-8601 instant, or {@code none}), for tools that
   * read those options without {@link SourceOptions}.
   */
  public static EventTimeBounds eventTimeBounds(
      @Nullable String maxEventTimeAhead, @Nullable String minEventTime) {
    EventTimeBounds bounds = EventTimeBounds.create();
    if (isNone(maxEventTimeAhead)) {
      bounds = bounds.withMaxAhead(null);
    } else if (maxEventTimeAhead != null) {
      bounds = bounds.withMaxAhead(duration("maxEventTimeAhead", maxEventTimeAhead));
    }
    if (isNone(minEventTime)) {
      bounds = bounds.withFloor(null);
    } else if (minEventTime != null) {
      bounds = bounds.withFloor(instant("minEventTime", minEventTime));
    }
    return bounds;
  }

  private static boolean isNone(@Nullable String text) {
    return text != null && text.trim().equalsIgnoreCase("none");
  }

  /** A non-blank text value. */
  public static String required(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(option, "is required");
    }
    return text.trim();
  }

  /**
   * The complete windowing from the windowing and lateness options, validated as a whole.
   *
   * @throws InvalidOptionException naming the first option to change
   */
  public static <O extends WindowingOptions & LatenessOptions> Windowing windowing(O options) {
    WindowSpec window;
    try {
      window = WindowSpec.parse(options.getWindow());
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException("window", e.getMessage(), e);
    }
    Windowing windowing =
        Windowing.of(window)
            .withAccumulationMode(
                options.getAccumulation() == Accumulation.DISCARDING
                    ? AccumulationMode.DISCARDING_FIRED_PANES
                    : AccumulationMode.ACCUMULATING_FIRED_PANES)
            .withClosingBehavior(options.getClosingBehavior());
    Duration lateness = duration("allowedLateness", options.getAllowedLateness());
    if (window.kind() == WindowSpec.Kind.GLOBAL && lateness.getMillis() > 0) {
      throw new InvalidOptionException(
          "allowedLateness",
          "must be PT0S with --window=global (a global window never ends, so nothing is late),"
              + " was "
              + options.getAllowedLateness());
    }
    windowing = windowing.withAllowedLateness(lateness);
    // Checked whatever --emit says, so that a bad value never passes unnoticed.
    Duration early = optionalPositiveDuration("earlyFirings", options.getEarlyFirings());
    Duration lateDelay = optionalPositiveDuration("lateFiringDelay", options.getLateFiringDelay());
    int lateCount = options.getLateFiringCount();
    if (lateCount < 0) {
      throw new InvalidOptionException(
          "lateFiringCount", "must be 0 (none) or more, was " + lateCount);
    }
    if (options.getEmit() == WindowingOptions.Emit.FINAL_ONLY) {
      return checked(windowing.emittingFinalOnly(), "emit");
    }
    if (early != null) {
      windowing = windowing.withEarlyFiringsEvery(early);
    }
    if (lateCount == 0 && lateDelay == null && lateness.getMillis() > 0) {
      throw new InvalidOptionException(
          "lateFiringCount",
          "is 0 and --lateFiringDelay is none, but --allowedLateness is "
              + options.getAllowedLateness()
              + ": late records would be accepted and never reported; set --lateFiringCount"
              + " (1: a pane per late record), --lateFiringDelay, --emit=FINAL_ONLY, or"
              + " --allowedLateness=PT0S");
    }
    if (lateCount > 0) {
      windowing = windowing.withLateFiringsEvery(lateCount);
    }
    if (lateDelay != null) {
      windowing = windowing.withLateFiringsAfter(lateDelay);
    }
    return checked(windowing, "window");
  }

  private static Windowing checked(Windowing windowing, String option) {
    try {
      windowing.validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(option, e.getMessage(), e);
    }
    return windowing;
  }
}
