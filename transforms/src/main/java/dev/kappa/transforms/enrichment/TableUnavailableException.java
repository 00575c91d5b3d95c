package dev.kappa.transforms.enrichment;

/**
 * A table could not be read after every allowed attempt. An enrichment throws it to fail the
 * bundle, so that the runner retries the bundle (or the job fails) instead of events being emitted
 * without their rows or dropped. The cause is the last attempt's error; earlier ones are
 * suppressed.
 *
 * <pre>{@code
 * try {
 *   pipeline.run().waitUntilFinish();
 * } catch (Pipeline.PipelineExecutionException e) {
 *   if (e.getCause() instanceof TableUnavailableException) { ... } // the database was down
 * }
 * }</pre>
 */
public class TableUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code what} failed {@code attempts} times; {@code cause} is the last failure. */
  public TableUnavailableException(String what, int attempts, Throwable cause) {
    super(what + " failed after " + attempts + " attempt(s): " + cause, cause);
  }

  /** The thread was interrupted while waiting to retry {@code what}. */
  public TableUnavailableException(String what, InterruptedException cause) {
    super(what + " was interrupted while waiting to retry", cause);
  }
}
