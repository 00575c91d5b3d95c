package dev.kappa.transforms.windowing;

import java.time.format.DateTimeParseException;
import org.joda.time.Duration;

/**
 * ISO-8601 durations as people write them ({@code PT30S}, {@code PT5M}, {@code PT1H}, {@code P1D}).
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses an ISO-8601 duration. Joda's own parser only reads seconds ({@code PT300S}), so this
   * reads the full form with {@code java.time} and converts.
   *
   * @throws IllegalArgumentException saying the text is not an ISO-8601 duration
   */
  public static Duration parse(String text) {
    try {
      return Duration.millis(java.time.Duration.parse(text.trim()).toMillis());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("'" + text.trim() + "' is not an ISO-8601 duration", e);
    }
  }

  /** The shortest ISO-8601 form, e.g. {@code PT5M} rather than Joda's {@code PT300S}. */
  public static String format(Duration duration) {
    return java.time.Duration.ofMillis(duration.getMillis()).toString();
  }
}
