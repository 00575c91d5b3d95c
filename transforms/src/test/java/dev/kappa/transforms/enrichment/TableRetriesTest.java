package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.arrayWithSize;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.util.Sleeper;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

class TableRetriesTest {
  private final List<Long> pauses = new ArrayList<>();
  private final Sleeper recordingSleeper = pauses::add;
  private final CountingCounter retries = new CountingCounter();

  @Test
  void aCallThatSucceedsIsMadeOnceWithoutPause() {
    String row =
        TableRetries.of(3, Duration.millis(100))
            .call("read", retries, () -> "row", recordingSleeper);

    assertThat(row, equalTo("row"));
    assertThat(pauses, empty());
    assertThat(retries.count, equalTo(0L));
  }

  @Test
  void failuresAreRetriedWithDoublingRandomizedPauses() {
    AtomicInteger calls = new AtomicInteger();
    String row =
        TableRetries.of(4, Duration.millis(1000))
            .call(
                "read",
                retries,
                () -> {
                  if (calls.incrementAndGet() <= 3) {
                    throw new IllegalStateException("connection refused");
                  }
                  return "row";
                },
                recordingSleeper);

    assertThat(row, equalTo("row"));
    assertThat(calls.get(), equalTo(4));
    assertThat(retries.count, equalTo(3L));
    assertThat(pauses, hasSize(3));
    // 1 s, 2 s, 4 s, each randomized by up to half either way (FluentBackoff).
    for (int i = 0; i < 3; i++) {
      long base = 1000L << i;
      assertThat(
          pauses.get(i), allOf(greaterThanOrEqualTo(base / 2), lessThanOrEqualTo(base * 3 / 2)));
    }
  }

  @Test
  void pausesAreCappedAtAMinuteBeforeRandomization() {
    assertThrows(
        TableUnavailableException.class,
        () ->
            TableRetries.of(4, Duration.standardSeconds(40))
                .call("read", retries, TableRetriesTest::refuse, recordingSleeper));

    assertThat(pauses, hasSize(3));
    for (long pause : pauses) {
      assertThat(pause, lessThanOrEqualTo(TableRetries.MAX_PAUSE.getMillis() * 3 / 2));
    }
  }

  @Test
  void givingUpNamesTheCallAndKeepsEveryFailure() {
    AtomicInteger calls = new AtomicInteger();
    TableUnavailableException failed =
        assertThrows(
            TableUnavailableException.class,
            () ->
                TableRetries.of(3, Duration.ZERO)
                    .call(
                        "lookupAll of 2 key(s)",
                        retries,
                        () -> {
                          throw new IllegalStateException("refused " + calls.incrementAndGet());
                        },
                        recordingSleeper));

    assertThat(
        failed.getMessage(),
        equalTo(
            "lookupAll of 2 key(s) failed after 3 attempt(s): java.lang.IllegalStateException:"
                + " refused 3"));
    assertThat(failed.getCause().getMessage(), equalTo("refused 3"));
    assertThat(failed.getSuppressed(), arrayWithSize(2));
    assertThat(failed.getSuppressed()[0].getMessage(), equalTo("refused 1"));
    assertThat(retries.count, equalTo(2L));
    assertThat("a zero backoff does not pause", pauses, empty());
  }

  @Test
  void oneAttemptMeansNoRetry() {
    IllegalStateException refused = new IllegalStateException("refused");
    TableUnavailableException failed =
        assertThrows(
            TableUnavailableException.class,
            () ->
                TableRetries.of(1, Duration.millis(100))
                    .call(
                        "readAll",
                        retries,
                        () -> {
                          throw refused;
                        },
                        recordingSleeper));

    assertThat(failed.getCause(), sameInstance(refused));
    assertThat(pauses, empty());
    assertThat(retries.count, equalTo(0L));
  }

  @Test
  void anInterruptedPauseGivesUpAndKeepsTheInterrupt() {
    Sleeper interrupted =
        millis -> {
          throw new InterruptedException();
        };
    TableUnavailableException failed =
        assertThrows(
            TableUnavailableException.class,
            () ->
                TableRetries.of(3, Duration.millis(100))
                    .call("readAll", retries, TableRetriesTest::refuse, interrupted));

    assertThat(failed.getMessage(), equalTo("readAll was interrupted while waiting to retry"));
    assertThat(Thread.interrupted(), equalTo(true));
  }

  @Test
  void badSettingsAreNamed() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> TableRetries.of(0, Duration.ZERO))
            .getMessage(),
        equalTo("max attempts must be positive, was 0"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> TableRetries.of(1, Duration.millis(-1)))
            .getMessage(),
        equalTo("retry backoff must be >= 0, was PT-0.001S"));
  }

  private static String refuse() {
    throw new IllegalStateException("connection refused");
  }

  /** A Beam counter that counts, outside a pipeline. */
  private static final class CountingCounter implements Counter {
    long count;

    @Override
    public void inc() {
      count++;
    }

    @Override
    public void inc(long n) {
      count += n;
    }

    @Override
    public void dec() {
      count--;
    }

    @Override
    public void dec(long n) {
      count -= n;
    }

    @Override
    public MetricName getName() {
      return MetricName.named(TableRetriesTest.class, "retries");
    }
  }
}
