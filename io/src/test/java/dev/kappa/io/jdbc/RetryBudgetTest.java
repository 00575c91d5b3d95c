package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backoff and limits, on a clock that the fake sleeper advances. */
class RetryBudgetTest {
  private static final JdbcConfig CONFIG =
      JdbcConfig.of("jdbc:postgresql://127.0.0.1/kappa", "kappa", "");

  private long now;
  private final List<Duration> waits = new ArrayList<>();

  private RetryBudget budget(JdbcConfig config) {
    return new RetryBudget(
        config,
        () -> now,
        duration -> {
          waits.add(duration);
          now += duration.toNanos();
        });
  }

  @Test
  void waitsGrowExponentiallyFromTheInitialBackoffUpToTheCapWithJitter() {
    RetryBudget budget = budget(CONFIG);
    for (int i = 0; i < 10; i++) {
      assertTrue(budget.retryAfterBackoff());
    }

    long[] nominalMillis = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000};
    for (int i = 0; i < nominalMillis.length; i++) {
      long nominal = Duration.ofMillis(nominalMillis[i]).toNanos();
      assertThat("wait " + i, waits.get(i).toNanos(), lessThanOrEqualTo(nominal));
      assertThat("wait " + i, waits.get(i).toNanos(), greaterThanOrEqualTo(nominal / 2));
    }
    assertThat(budget.retries(), equalTo(10));
  }

  @Test
  void theDefaultBudgetLastsTwoMinutesAndNoLonger() {
    RetryBudget budget = budget(CONFIG);
    while (budget.retryAfterBackoff()) {
      // wait it out
    }

    assertThat(Duration.ofNanos(now), equalTo(Duration.ofMinutes(2)));
    assertThat(budget.retries(), lessThanOrEqualTo(50));
  }

  @Test
  void stopsAfterMaxRetries() {
    RetryBudget budget = budget(CONFIG.withRetryBudget(3, Duration.ofHours(1)));

    assertTrue(budget.retryAfterBackoff());
    assertTrue(budget.retryAfterBackoff());
    assertTrue(budget.retryAfterBackoff());
    assertFalse(budget.retryAfterBackoff());
    assertThat(waits.size(), equalTo(3));
  }

  @Test
  void aZeroBudgetNeverRetriesNorWaits() {
    RetryBudget budget = budget(CONFIG.withRetryBudget(0, Duration.ZERO));

    assertFalse(budget.retryAfterBackoff());
    assertThat(waits.size(), equalTo(0));
  }
}
