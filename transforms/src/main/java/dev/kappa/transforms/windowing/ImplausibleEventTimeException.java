package dev.kappa.transforms.windowing;

/**
 * An event time outside a job's {@link EventTimeBounds}: far ahead of the record's arrival, or
 * before the floor. The record becomes a dead letter whose message names the bound.
 */
public final class ImplausibleEventTimeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ImplausibleEventTimeException(String message) {
    super(message);
  }
}
