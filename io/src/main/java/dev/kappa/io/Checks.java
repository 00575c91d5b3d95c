package dev.kappa.io;

/**
 * Argument checks that every io transform makes the same way, so that a bad setting gets the same
 * message from a Kafka read, a file replay or a sink: the message names the setting.
 */
public final class Checks {
  private Checks() {}

  /** {@code value}, or an {@link IllegalArgumentException} saying that {@code name} is null. */
  public static <T> T notNull(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  /** {@code value} if it has a non-blank character; else an error naming {@code name}. */
  public static String nonEmpty(String name, String value) {
    if (value == null || value.trim().isEmpty()) {
      throw new IllegalArgumentException(
          name + " must be non-empty, was " + (value == null ? "null" : "\"" + value + "\""));
    }
    return value;
  }
}
