package dev.kappa.testing.process;

/** A server's port is taken by another process; thrown before the server starts anything. */
public final class PortInUseException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  PortInUseException(String message) {
    super(message);
  }
}
