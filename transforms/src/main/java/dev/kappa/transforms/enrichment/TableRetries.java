package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.BackOffUtils;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.joda.time.Duration;

/**
 * How an enrichment calls its table: up to {@link #maxAttempts()} times, pausing between attempts
 * as Beam's {@link FluentBackoff} does (starting at {@link #backoff()}, doubling, capped at a
 * minute, each pause randomized by up to half either way), then giving up with a {@link
 * TableUnavailableException}. Giving up fails the bundle: the runner retries it, so an event is
 * never emitted without the row it should have had. A zero backoff retries without pausing.
 */
@AutoValue
abstract class TableRetries implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The longest pause before randomization. */
  static final Duration MAX_PAUSE = Duration.standardMinutes(1);

  /** Attempts in all, the first included. */
  abstract int maxAttempts();

  /** The pause after the first failed attempt. */
  abstract Duration backoff();

  /** {@code maxAttempts} in all, pausing {@code backoff} after the first failure. */
  static TableRetries of(int maxAttempts, Duration backoff) {
    checkArgument(maxAttempts > 0, "max attempts must be positive, was %s", maxAttempts);
    checkArgument(backoff != null, "retry backoff must be set");
    checkArgument(
        !backoff.isShorterThan(Duration.ZERO), "retry backoff must be >= 0, was %s", backoff);
    return new AutoValue_TableRetries(maxAttempts, backoff);
  }

  /** Calls {@code call}, counting each retry in {@code retries}; {@code what} names it. */
  <T> T call(String what, Counter retries, Callable<T> call) {
    return call(what, retries, call, Sleeper.DEFAULT);
  }

  /** As {@link #call(String, Counter, Callable)}, pausing with {@code sleeper}; for tests. */
  <T> T call(String what, Counter retries, Callable<T> call, Sleeper sleeper) {
    boolean pauses = backoff().isLongerThan(Duration.ZERO);
    BackOff backOff =
        FluentBackoff.DEFAULT
            .withMaxRetries(maxAttempts() - 1)
            .withInitialBackoff(pauses ? backoff() : Duration.millis(1))
            .withMaxBackoff(MAX_PAUSE)
            .withExponent(2)
            .backoff();
    Sleeper pause = pauses ? sleeper : millis -> {};
    List<Exception> failures = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (Exception e) {
        failures.add(e);
      }
      boolean again;
      try {
        again = BackOffUtils.next(pause, backOff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TableUnavailableException(what, e);
      }
      if (!again) {
        Exception last = failures.get(failures.size() - 1);
        TableUnavailableException failed = new TableUnavailableException(what, attempt, last);
        for (Exception earlier : failures.subList(0, failures.size() - 1)) {
          failed.addSuppressed(earlier);
        }
        throw failed;
      }
      retries.inc();
    }
  }
}
