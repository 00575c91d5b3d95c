package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ReadProgressTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private static final Logger LOG = LoggerFactory.getLogger(ReadProgressTest.class);

  private final ManualClock clock = new ManualClock(START);
  private final ReadProgress progress = new ReadProgress(LOG, "orders-0", 50000, 0, clock);

  @Test
  void describesProgressRateAndTimeLeft() {
    clock.advance(Duration.standardSeconds(1));
    progress.update(12000);

    assertThat(
        progress.describe(START.plus(Duration.standardSeconds(1))),
        equalTo("partition orders-0: 12000/50000 records (24%), 12000 rec/s, ~3 s left"));
  }

  @Test
  void saysWhenTheTimeLeftIsUnknown() {
    assertThat(
        progress.describe(START),
        equalTo("partition orders-0: 0/50000 records (0%), 0 rec/s, time left unknown"));
  }

  @Test
  void describesTheEnd() {
    clock.advance(Duration.standardSeconds(5));
    progress.finish(50000);

    assertThat(
        progress.describe(clock.now()),
        equalTo("partition orders-0: 50000/50000 records (100%), 10000 rec/s, done in 5 s"));
  }

  @Test
  void countsTheRateOfARestoredReaderFromWhereItStarted() {
    ReadProgress restored = new ReadProgress(LOG, "orders-0", 50000, 40000, clock);
    clock.advance(Duration.standardSeconds(2));
    restored.update(44000);

    assertThat(
        restored.describe(clock.now()),
        equalTo("partition orders-0: 44000/50000 records (88%), 2000 rec/s, ~3 s left"));
  }

  @Test
  void saysHowManyRecordsWereInRangeAndWhyTheOthersWereSkipped() {
    clock.advance(Duration.standardSeconds(5));
    progress.counted(49990, 6, 4);
    progress.finish(50000);

    assertThat(
        progress.describe(clock.now()),
        equalTo(
            "partition orders-0: 50000/50000 records (100%), 10000 rec/s, done in 5 s;"
                + " 49990 in range, skipped 6 before from, 4 at or after to"));
  }
}
