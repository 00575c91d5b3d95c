package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.schemas.common.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicy.PartitionContext;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimePolicyTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration BOUND = Duration.standardSeconds(30);
  private static final Duration IDLE = Duration.standardSeconds(10);
  private static final long KAFKA_TIMESTAMP = Instant.parse("2024-05-01T09:00:00Z").getMillis();
  private static final long BEHIND = 5;
  private static final long CAUGHT_UP = 0;

  /** Reads the event time from a payload holding an ISO instant; throws on anything else. */
  static final class PayloadIsTheTime implements SerializableFunction<SourceRecord, Instant> {
    private static final long serialVersionUID = 1L;

    @Override
    public Instant apply(SourceRecord record) {
      String payload = StandardCharsets.UTF_8.decode(record.getPayload()).toString();
      if (payload.equals("null")) {
        return null;
      }
      return Instant.parse(payload);
    }
  }

  private final ManualClock clock = new ManualClock(NOW);

  private EventTimePolicy policy() {
    return factory().create(null);
  }

  private EventTimePolicyFactory factory() {
    return new EventTimePolicyFactory(new PayloadIsTheTime(), BOUND, IDLE, clock);
  }

  private static SourceRecord record(long offset, String payload) {
    return SourceRecords.of(
        "orders", 0, offset, -1L, null, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static PartitionContext backlog(long messages) {
    return new PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return messages;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return NOW;
      }
    };
  }

  @Test
  void withoutAFunctionStampsTheBeginningOfTimeAndReadsNoPayload() {
    EventTimePolicy policy = new EventTimePolicyFactory(null, BOUND, IDLE, clock).create(null);

    // Neither a payload with a time nor one without is looked at.
    assertThat(
        policy.timestampFor(record(0, "2024-05-01T10:00:00Z"), KAFKA_TIMESTAMP),
        equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    assertThat(
        policy.timestampFor(record(1, "not a time"), KAFKA_TIMESTAMP),
        equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
  }

  @Test
  void stampsRecordsWithTheirEventTimeAndTrailsTheMaximumByTheBound() {
    EventTimePolicy policy = policy();

    assertThat(
        policy.timestampFor(record(0, "2024-05-01T10:00:00Z"), KAFKA_TIMESTAMP), equalTo(T0));
    Instant later = T0.plus(Duration.standardMinutes(2));
    assertThat(policy.timestampFor(record(1, later.toString()), KAFKA_TIMESTAMP), equalTo(later));
    Instant earlier = T0.plus(Duration.standardMinutes(1));
    assertThat(
        policy.timestampFor(record(2, earlier.toString()), KAFKA_TIMESTAMP), equalTo(earlier));

    assertThat(policy.watermarkFor(BEHIND), equalTo(later.minus(BOUND)));
  }

  @Test
  void isAtTheBeginningOfTimeBeforeAnyRecord() {
    assertThat(policy().watermarkFor(BEHIND), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
  }

  @Test
  void stampsARecordWithoutEventTimeWithItsKafkaTimestampBeforeAnyEventTime() {
    EventTimePolicy policy = policy();

    assertThat(
        policy.timestampFor(record(0, "not a time"), KAFKA_TIMESTAMP),
        equalTo(new Instant(KAFKA_TIMESTAMP)));
    assertThat(policy.watermarkFor(BEHIND), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
  }

  @Test
  void stampsARecordWithoutEventTimeWithTheGreatestEventTimeSeenAndKeepsTheWatermark() {
    EventTimePolicy policy = policy();
    Instant max = T0.plus(Duration.standardMinutes(5));
    policy.timestampFor(record(0, max.toString()), KAFKA_TIMESTAMP);
    policy.timestampFor(record(1, T0.toString()), KAFKA_TIMESTAMP);

    assertThat(policy.timestampFor(record(2, "{\"broken\""), KAFKA_TIMESTAMP), equalTo(max));
    assertThat(policy.timestampFor(record(3, "null"), KAFKA_TIMESTAMP), equalTo(max));
    assertThat(policy.watermarkFor(BEHIND), equalTo(max.minus(BOUND)));
  }

  @Test
  void treatsAnEventTimeOutsideBeamsRangeAsMissing() {
    EventTimePolicy policy = policy();
    policy.timestampFor(record(0, T0.toString()), KAFKA_TIMESTAMP);

    Instant beyond = BoundedWindow.TIMESTAMP_MAX_VALUE.plus(Duration.standardDays(1));
    assertThat(policy.timestampFor(record(1, beyond.toString()), KAFKA_TIMESTAMP), equalTo(T0));
  }

  @Test
  void givesTheFunctionACopySoTheEmittedRecordIsUnchanged() {
    SerializableFunction<SourceRecord, Instant> consuming =
        record -> {
          record.getPayload().position(record.getPayload().limit());
          return T0;
        };
    EventTimePolicy policy = new EventTimePolicyFactory(consuming, BOUND, IDLE, clock).create(null);
    SourceRecord record = record(0, "abc");

    policy.timestampFor(record, KAFKA_TIMESTAMP);

    assertThat(record.getPayload().remaining(), equalTo(3));
  }

  @Test
  void advancesAnIdlePartitionOnlyWhenItHasNoBacklog() {
    EventTimePolicy policy = policy();
    policy.timestampFor(record(0, T0.toString()), KAFKA_TIMESTAMP);

    clock.advance(IDLE.plus(Duration.standardSeconds(5)));

    // Records are waiting: behind, not idle.
    assertThat(policy.watermarkFor(BEHIND), equalTo(T0.minus(BOUND)));
    // Caught up and quiet for 15 s: event time moved on with the wall clock.
    assertThat(
        policy.watermarkFor(CAUGHT_UP),
        equalTo(T0.plus(Duration.standardSeconds(15)).minus(BOUND)));
  }

  @Test
  void doesNotAdvanceACaughtUpPartitionBeforeTheIdleTimeout() {
    EventTimePolicy policy = policy();
    policy.timestampFor(record(0, T0.toString()), KAFKA_TIMESTAMP);

    clock.advance(IDLE.minus(Duration.millis(1)));

    assertThat(policy.watermarkFor(CAUGHT_UP), equalTo(T0.minus(BOUND)));
  }

  @Test
  void aRecordWithoutEventTimeKeepsThePartitionFromBeingIdle() {
    EventTimePolicy policy = policy();
    policy.timestampFor(record(0, T0.toString()), KAFKA_TIMESTAMP);
    clock.advance(Duration.standardSeconds(8));
    policy.timestampFor(record(1, "garbage"), KAFKA_TIMESTAMP);
    clock.advance(Duration.standardSeconds(8));

    assertThat(policy.watermarkFor(CAUGHT_UP), equalTo(T0.minus(BOUND)));
  }

  @Test
  void movesAnEmptyCaughtUpPartitionWithTheWallClockAfterTheIdleTimeout() {
    EventTimePolicy policy = policy();

    assertThat(policy.watermarkFor(CAUGHT_UP), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    clock.advance(IDLE);
    assertThat(policy.watermarkFor(BEHIND), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    assertThat(policy.watermarkFor(CAUGHT_UP), equalTo(NOW.plus(IDLE).minus(BOUND)));
  }

  @Test
  void neverGoesBelowTheWatermarkBeforeARestoreNorBackwards() {
    Instant previous = T0.plus(Duration.standardHours(1));
    EventTimePolicy policy = factory().create(previous);

    policy.timestampFor(record(0, T0.toString()), KAFKA_TIMESTAMP);
    assertThat(policy.watermarkFor(BEHIND), equalTo(previous));

    Instant later = previous.plus(Duration.standardHours(1));
    policy.timestampFor(record(1, later.toString()), KAFKA_TIMESTAMP);
    assertThat(policy.watermarkFor(BEHIND), equalTo(later.minus(BOUND)));
    policy.timestampFor(record(2, T0.toString()), KAFKA_TIMESTAMP);
    assertThat(policy.watermarkFor(BEHIND), equalTo(later.minus(BOUND)));
  }

  @Test
  void worksAsKafkaIoTimestampPolicyWithOneStatePerPartition() {
    EventTimePolicyFactory factory = SerializableUtils.clone(factory());
    TimestampPolicy<byte[], byte[]> partition0 =
        factory.createTimestampPolicy(new TopicPartition("orders", 0), Optional.empty());
    TimestampPolicy<byte[], byte[]> partition1 =
        factory.createTimestampPolicy(new TopicPartition("orders", 1), Optional.of(T0));

    KafkaRecord<byte[], byte[]> record =
        new KafkaRecord<>(
            "orders",
            0,
            7,
            KAFKA_TIMESTAMP,
            KafkaTimestampType.CREATE_TIME,
            null,
            "k".getBytes(StandardCharsets.UTF_8),
            T0.plus(Duration.standardHours(2)).toString().getBytes(StandardCharsets.UTF_8));

    assertThat(
        partition0.getTimestampForRecord(backlog(BEHIND), record),
        equalTo(T0.plus(Duration.standardHours(2))));
    assertThat(
        partition0.getWatermark(backlog(BEHIND)),
        equalTo(T0.plus(Duration.standardHours(2)).minus(BOUND)));
    assertThat(partition1.getWatermark(backlog(BEHIND)), equalTo(T0));
  }

  @Test
  void takesItsBoundsFromTheSharedWatermarkPolicy() {
    EventTimePolicyFactory factory = factory();
    assertThat(factory.watermarkTemplate().getMaxOutOfOrderness(), equalTo(BOUND));
    assertThat(factory.watermarkTemplate().getIdleTimeout(), equalTo(IDLE));
    assertThat(factory.watermarkTemplate().getSpeedUp(), equalTo(1.0));
  }
}
