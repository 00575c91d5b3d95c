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
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.BackOffUtils;
import org.apache.beam.sdk.util.Sleeper;
import org.junit.jupiter.api.Test;

/**
 * The retry schedule {@link JdbcConfig#backoff()} gives a flush: backoff and limits, with a sleeper
 * that only records the waits.
 */
class JdbcConfigBackoffTest {
  private static final JdbcConfig CONFIG =
      JdbcConfig.of("jdbc:postgresql://127.0.0.1/kappa", "kappa", "");

  private final List<Long> waitsMillis = new ArrayList<>();
  private final Sleeper sleeper = waitsMillis::add;

  private boolean retry(BackOff backoff) throws InterruptedException {
    return BackOffUtils.next(sleeper, backoff);
  }

  @Test
  void waitsGrowExponentiallyFromTheInitialBackoffUpToTheCapWithJitter() throws Exception {
    BackOff backoff = CONFIG.backoff();
    for (int i = 0; i < 10; i++) {
      assertTrue(retry(backoff));
    }

    long[] nominalMillis = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000};
    for (int i = 0; i < nominalMillis.length; i++) {
      long nominal = nominalMillis[i];
      assertThat("wait " + i, waitsMillis.get(i), lessThanOrEqualTo(nominal * 3 / 2 + 1));
      assertThat("wait " + i, waitsMillis.get(i), greaterThanOrEqualTo(nominal / 2 - 1));
    }
  }

  @Test
  void theDefaultBudgetWaitsTwoMinutesInAllAndNoLonger() throws Exception {
    BackOff backoff = CONFIG.backoff();
    while (retry(backoff)) {
      // wait it out
    }

    long total = waitsMillis.stream().mapToLong(Long::longValue).sum();
    assertThat(Duration.ofMillis(total), equalTo(Duration.ofMinutes(2)));
    assertThat(waitsMillis.size(), lessThanOrEqualTo(50));
  }

  @Test
  void stopsAfterMaxRetries() throws Exception {
    BackOff backoff = CONFIG.withRetryBudget(3, Duration.ofHours(1)).backoff();

    assertTrue(retry(backoff));
    assertTrue(retry(backoff));
    assertTrue(retry(backoff));
    assertFalse(retry(backoff));
    assertThat(waitsMillis.size(), equalTo(3));
  }

  @Test
  void aZeroBudgetNeverRetriesNorWaits() throws Exception {
    assertFalse(retry(CONFIG.withRetryBudget(0, Duration.ZERO).backoff()));
    assertFalse(retry(CONFIG.withRetryBudget(5, Duration.ZERO).backoff()));
    assertFalse(retry(CONFIG.withRetryBudget(0, Duration.ofMinutes(1)).backoff()));
    assertThat(waitsMillis.size(), equalTo(0));
  }

  @Test
  void eachFlushGetsAFreshBudget() throws Exception {
    JdbcConfig config = CONFIG.withRetryBudget(1, Duration.ofMinutes(1));
    BackOff first = config.backoff();
    assertTrue(retry(first));
    assertFalse(retry(first));

    assertTrue(retry(config.backoff()));
  }
}
