package dev.kappa.io.jdbc;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * How many more times, and for how much longer, a failing write may be retried: one budget per
 * flush, shared by the batch and, if it comes to that, its rows one by one, so a flush never waits
 * much longer than {@link JdbcConfig#maxRetryDuration()}.
 *
 * <p>Waits grow exponentially from {@link JdbcConfig#initialBackoff()} to {@link
 * JdbcConfig#maxBackoff()}, each jittered down by up to half, and never past the deadline.
 */
final class RetryBudget {

  /** Sleeps; replaced in tests. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final JdbcConfig config;
  private final LongSupplier nanoClock;
  private final Sleeper sleeper;
  private final long deadlineNanos;
  private int retries;

  RetryBudget(JdbcConfig config) {
    this(config, System::nanoTime, duration -> Thread.sleep(duration.toMillis()));
  }

  RetryBudget(JdbcConfig config, LongSupplier nanoClock, Sleeper sleeper) {
    this.config = config;
    this.nanoClock = nanoClock;
    this.sleeper = sleeper;
    this.deadlineNanos = nanoClock.getAsLong() + config.maxRetryDuration().toNanos();
  }

  /**
   * If the budget allows another retry, waits the backoff and returns true; otherwise returns false
   * at once.
   */
  boolean retryAfterBackoff() {
    long remaining = deadlineNanos - nanoClock.getAsLong();
    if (retries >= config.maxRetries() || remaining <= 0) {
      return false;
    }
    Duration backoff = nextBackoff();
    if (backoff.toNanos() > remaining) {
      backoff = Duration.ofNanos(remaining);
    }
    retries++;
    try {
      sleeper.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /** Retries granted so far. */
  int retries() {
    return retries;
  }

  /** The wait before the next retry: {@code initial * 2^retries}, capped, then jittered. */
  private Duration nextBackoff() {
    long initial = config.initialBackoff().toNanos();
    long max = config.maxBackoff().toNanos();
    long backoff = initial;
    for (int i = 0; i < retries && backoff < max; i++) {
      backoff = Math.min(max, backoff * 2);
    }
    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    return Duration.ofNanos(jittered);
  }
}
