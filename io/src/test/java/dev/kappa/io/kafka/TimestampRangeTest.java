package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.TimestampRange.Verdict;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Which Kafka timestamps a range keeps; the offsets it scans are tested in ReadKafkaRangeIT. */
class TimestampRangeTest {
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-03-02T00:00:00Z");

  @Test
  void keepsTheStartAndSkipsWhatIsBeforeIt() {
    TimestampRange range = TimestampRange.between(FROM, TO);

    assertThat(range.classify(FROM.getMillis()), equalTo(Verdict.IN_RANGE));
    assertThat(range.classify(FROM.getMillis() - 1), equalTo(Verdict.BEFORE_FROM));
    assertThat(range.classify(0), equalTo(Verdict.BEFORE_FROM));
  }

  @Test
  void skipsTheEndAndWhatIsAfterIt() {
    TimestampRange range = TimestampRange.between(FROM, TO);

    assertThat(range.classify(TO.getMillis() - 1), equalTo(Verdict.IN_RANGE));
    assertThat(range.classify(TO.getMillis()), equalTo(Verdict.AT_OR_AFTER_TO));
    assertThat(
        range.classify(Instant.parse("2099-01-01T00:00:00Z").getMillis()),
        equalTo(Verdict.AT_OR_AFTER_TO));
  }

  @Test
  void withoutAStartKeepsEverythingBeforeTheEnd() {
    TimestampRange range = TimestampRange.before(TO);

    assertThat(range.from(), equalTo(null));
    assertThat(range.classify(Long.MIN_VALUE), equalTo(Verdict.IN_RANGE));
    assertThat(range.classify(-1), equalTo(Verdict.IN_RANGE));
    assertThat(range.classify(TO.getMillis() - 1), equalTo(Verdict.IN_RANGE));
    assertThat(range.classify(TO.getMillis()), equalTo(Verdict.AT_OR_AFTER_TO));
  }

  @Test
  void rejectsAnEmptyOrMissingBound() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> TimestampRange.between(TO, FROM))
            .getMessage(),
        equalTo(
            "from must be before to, was from=2026-03-02T00:00:00.000Z,"
                + " to=2026-03-01T00:00:00.000Z"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> TimestampRange.before(null))
            .getMessage(),
        equalTo("to must not be null"));
  }

  @Test
  void isSerializableAndDescribesItself() {
    TimestampRange range = TimestampRange.between(FROM, TO);

    assertThat(SerializableUtils.clone(range), equalTo(range));
    assertThat(range.toString(), equalTo("[2026-03-01T00:00:00.000Z, 2026-03-02T00:00:00.000Z)"));
    assertThat(
        TimestampRange.before(TO).toString(), equalTo("[beginning, 2026-03-02T00:00:00.000Z)"));
  }
}
