package dev.kappa.io.kafka;

import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Creates an {@link EventTimePolicy} per partition, each with its own {@link
 * BoundedOutOfOrdernessWatermark}; given to KafkaIO with {@code withTimestampPolicyFactory}.
 */
final class EventTimePolicyFactory implements TimestampPolicyFactory<byte[], byte[]> {
  private static final long serialVersionUID = 1L;

  private final @Nullable SerializableFunction<SourceRecord, Instant> eventTime;
  private final BoundedOutOfOrdernessWatermark watermark;
  private final ProcessingClock clock;

  /** With a null {@code eventTime}, policies stamp no event time (see {@link EventTimePolicy}). */
  EventTimePolicyFactory(
      @Nullable SerializableFunction<SourceRecord, Instant> eventTime,
      Duration maxOutOfOrderness,
      Duration idleTimeout,
      ProcessingClock clock) {
    this.eventTime = eventTime;
    this.watermark =
        BoundedOutOfOrdernessWatermark.create()
            .withMaxOutOfOrderness(maxOutOfOrderness)
            .withIdleTimeout(idleTimeout);
    this.clock = clock;
  }

  @Override
  public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
      TopicPartition partition, Optional<Instant> previousWatermark) {
    return create(previousWatermark.orElse(null));
  }

  /** A policy for one partition, starting from {@code previousWatermark} if not null. */
  EventTimePolicy create(@Nullable Instant previousWatermark) {
    return new EventTimePolicy(eventTime, watermark.newInstance(), clock, previousWatermark);
  }

  BoundedOutOfOrdernessWatermark watermarkTemplate() {
    return watermark;
  }
}
