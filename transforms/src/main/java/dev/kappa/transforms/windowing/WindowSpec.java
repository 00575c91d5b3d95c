package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.joda.time.Duration;

/**
 * The shape of event-time windows: fixed, sliding, session or global.
 *
 * <p>A value, not a transform: {@link Windowing} combines it with a trigger and lateness, and
 * {@link WindowEvents} applies the whole. It also has a compact text form for command lines:
 *
 * <pre>{@code
 * WindowSpec.parse("fixed:PT5M");           // 5-minute tumbling windows
 * WindowSpec.parse("sliding:PT10M,PT1M");   // 10 minutes long, one starting every minute
 * WindowSpec.parse("session:PT30M");        // sessions closed by 30 minutes of inactivity
 * WindowSpec.parse("global");               // one window for all time
 * }</pre>
 */
@AutoValue
public abstract class WindowSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The kinds of window Kappa supports. */
  public enum Kind {
    FIXED,
    SLIDING,
    SESSION,
    GLOBAL
  }

  public abstract Kind kind();

  /** Window length for fixed and sliding windows. */
  public abstract @Nullable Duration size();

  /** How often a sliding window starts. */
  public abstract @Nullable Duration period();

  /** Inactivity that closes a session. */
  public abstract @Nullable Duration gap();

  /** Tumbling windows of {@code size}, aligned to the epoch. */
  public static WindowSpec fixed(Duration size) {
    checkPositive("fixed window size", size);
    return new AutoValue_WindowSpec(Kind.FIXED, size, null, null);
  }

  /** Windows of {@code size} starting every {@code period}; an element lands in size/period. */
  public static WindowSpec sliding(Duration size, Duration period) {
    checkPositive("sliding window size", size);
    checkPositive("sliding window period", period);
    checkArgument(
        !period.isLongerThan(size),
        "sliding window period (%s) must not be longer than its size (%s)",
        period,
        size);
    return new AutoValue_WindowSpec(Kind.SLIDING, size, period, null);
  }

  /** Per-key sessions that close after {@code gap} without events. */
  public static WindowSpec sessions(Duration gap) {
    checkPositive("session gap", gap);
    return new AutoValue_WindowSpec(Kind.SESSION, null, null, gap);
  }

  /** A single window spanning all time; results come from early firings or the end of input. */
  public static WindowSpec global() {
    return new AutoValue_WindowSpec(Kind.GLOBAL, null, null, null);
  }

  /**
   * Parses the text form shown in the class comment. Durations are ISO-8601 ({@code PT5M}).
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static WindowSpec parse(String text) {
    checkArgument(text != null && !text.isBlank(), "window spec is empty; %s", FORMS);
    String trimmed = text.trim();
    int colon = trimmed.indexOf(':');
    String kind = (colon < 0 ? trimmed : trimmed.substring(0, colon)).toLowerCase();
    String args = colon < 0 ? "" : trimmed.substring(colon + 1);
    try {
      switch (kind) {
        case "fixed":
          return fixed(duration(args));
        case "sliding":
          String[] parts = args.split(",", -1);
          checkArgument(parts.length == 2, "a sliding window needs a size and a period");
          return sliding(duration(parts[0]), duration(parts[1]));
        case "session":
        case "sessions":
          return sessions(duration(args));
        case "global":
          checkArgument(args.isEmpty(), "a global window takes no arguments");
          return global();
        default:
          throw new IllegalArgumentException("unknown window kind '" + kind + "'");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid window spec '" + text + "': " + e.getMessage() + "; " + FORMS, e);
    }
  }

  private static final String FORMS =
      "expected fixed:<size>, sliding:<size>,<period>, session:<gap> or global,"
          + " with ISO-8601 durations such as PT5M";

  /** The Beam {@link WindowFn} this spec describes. */
  public WindowFn<Object, ? extends BoundedWindow> windowFn() {
    switch (kind()) {
      case FIXED:
        return FixedWindows.of(size());
      case SLIDING:
        return SlidingWindows.of(size()).every(period());
      case SESSION:
        return Sessions.withGapDuration(gap());
      case GLOBAL:
        return new GlobalWindows();
    }
    throw new IllegalStateException("unhandled window kind " + kind());
  }

  /** The text form, which {@link #parse} reads back. */
  @Override
  public final String toString() {
    switch (kind()) {
      case FIXED:
        return "fixed:" + Durations.format(size());
      case SLIDING:
        return "sliding:" + Durations.format(size()) + "," + Durations.format(period());
      case SESSION:
        return "session:" + Durations.format(gap());
      default:
        return "global";
    }
  }

  private static Duration duration(String text) {
    String trimmed = text.trim();
    checkArgument(!trimmed.isEmpty(), "a duration is missing");
    return Durations.parse(trimmed);
  }

  static void checkPositive(String what, Duration value) {
    checkArgument(value != null, "%s must be set", what);
    checkArgument(value.getMillis() > 0, "%s must be positive, was %s", what, value);
  }
}
