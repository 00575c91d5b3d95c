package dev.kappa.schemas;

/**
 * Which schema changes an event type accepts, with the meaning of the Confluent Schema Registry
 * modes of the same name.
 *
 * <p>"Backward" protects consumers: the new schema must read data written with older ones, which is
 * what a pipeline restarted on new code needs. "Forward" protects old consumers still running: they
 * must read data written with the new schema. Transitive modes check against every earlier version
 * instead of only the previous one, which is what a replay over all retained data needs.
 */
public enum CompatibilityMode {
  /** The new version reads data written by the previous version. */
  BACKWARD(true, false, false),
  /** The new version reads data written by every earlier version. */
  BACKWARD_TRANSITIVE(true, false, true),
  /** The previous version reads data written by the new version. */
  FORWARD(false, true, false),
  /** Every earlier version reads data written by the new version. */
  FORWARD_TRANSITIVE(false, true, true),
  /** {@link #BACKWARD} and {@link #FORWARD}. */
  FULL(true, true, false),
  /** {@link #BACKWARD_TRANSITIVE} and {@link #FORWARD_TRANSITIVE}. */
  FULL_TRANSITIVE(true, true, true),
  /** No check. */
  NONE(false, false, false);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityMode(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Whether a new version must read data written by earlier ones. */
  public boolean checksBackward() {
    return backward;
  }

  /** Whether earlier versions must read data written by a new one. */
  public boolean checksForward() {
    return forward;
  }

  /** Whether checks reach every earlier version rather than only the previous one. */
  public boolean isTransitive() {
    return transitive;
  }
}
