package dev.kappa.transforms.enrichment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.metrics.Counter;
import org.joda.time.Duration;

/**
 * Calls a table a bounded number of times, doubling the pause between attempts, then gives up with
 * a {@link TableUnavailableException}. Giving up fails the bundle: the runner retries it, so an
 * event is never emitted without the row it should have had.
 */
final class Retries {
  private Retries() {}

  static <T> T call(
      String what, int maxAttempts, Duration backoff, Counter retries, Callable<T> call) {
    List<Exception> failures = new ArrayList<>();
    long pauseMillis = backoff.getMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (Exception e) {
        failures.add(e);
        if (attempt >= maxAttempts) {
          TableUnavailableException failed = new TableUnavailableException(what, attempt, e);
          for (Exception earlier : failures.subList(0, failures.size() - 1)) {
            failed.addSuppressed(earlier);
          }
          throw failed;
        }
      }
      retries.inc();
      if (pauseMillis > 0) {
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TableUnavailableException(what, e);
        }
        pauseMillis = Math.min(pauseMillis * 2, Duration.standardMinutes(1).getMillis());
      }
    }
  }
}
