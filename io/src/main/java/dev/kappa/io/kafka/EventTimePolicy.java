package dev.kappa.io.kafka;

import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event time and watermark for one Kafka partition: timestamps come from the payload through the
 * user's event-time function, the watermark from the shared {@link BoundedOutOfOrdernessWatermark}
 * so that Kafka and file replays agree on what "late" means. Without a function (a bounded read
 * given {@link ReadKafkaRange#withoutEventTime()}) every record is stamped with the beginning of
 * time and nothing is extracted.
 *
 * <ul>
 *   <li><b>Timestamps.</b> A record is stamped with the event time the function gives. If the
 *       function throws, returns null or returns a time outside Beam's range, the record is still
 *       emitted, never dropped, stamped with the greatest event time this policy has seen for the
 *       partition, or with the Kafka record timestamp if it has seen none; the decoding step
 *       downstream then makes it a dead letter. Such records do not move the watermark.
 *   <li><b>Watermark.</b> Greatest event time seen minus {@code maxOutOfOrderness}, never moving
 *       backwards and never below the watermark the partition had before a restore.
 *   <li><b>Idleness.</b> Only when the reader reports no backlog (it has read everything the
 *       partition holds) may the idle rule advance the watermark: after {@code idleTimeout} without
 *       records, event time is taken to move on with the wall clock. A partition that has never had
 *       a record with an event time is, once caught up and quiet for {@code idleTimeout}, taken to
 *       be at {@code now − maxOutOfOrderness}, so that an empty partition does not hold back the
 *       watermark of the whole topic.
 * </ul>
 *
 * <p>Used through {@link EventTimePolicyFactory} by KafkaIO's reader and directly by Kappa's own
 * offset-range readers. Not thread-safe: one instance per partition reader.
 */
final class EventTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private static final Counter RECORDS_WITHOUT_EVENT_TIME =
      Metrics.counter(EventTimePolicy.class, "recordsWithoutEventTime");

  private final @Nullable SerializableFunction<SourceRecord, Instant> eventTime;
  private final BoundedOutOfOrdernessWatermark watermark;
  private final ProcessingClock clock;
  private final Instant createdAt;
  private @Nullable Instant lastRecordAt;
  private Instant lastWatermark;

  EventTimePolicy(
      @Nullable SerializableFunction<SourceRecord, Instant> eventTime,
      BoundedOutOfOrdernessWatermark watermark,
      ProcessingClock clock,
      @Nullable Instant previousWatermark) {
    this.eventTime = eventTime;
    this.watermark = watermark;
    this.clock = clock;
    this.createdAt = clock.now();
    this.lastWatermark =
        previousWatermark == null ? BoundedWindow.TIMESTAMP_MIN_VALUE : previousWatermark;
  }

  @Override
  public Instant getTimestampForRecord(
      PartitionContext context, KafkaRecord<byte[], byte[]> record) {
    return timestampFor(SourceRecords.of(record), record.getTimestamp());
  }

  @Override
  public Instant getWatermark(PartitionContext context) {
    return watermarkFor(context.getMessageBacklog());
  }

  /**
   * The timestamp of {@code record}, whose Kafka record timestamp is {@code kafkaTimestampMillis};
   * see the class documentation.
   */
  Instant timestampFor(SourceRecord record, long kafkaTimestampMillis) {
    if (eventTime == null) {
      // A bounded read whose pipeline stamps event times after decoding: nothing to extract.
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    Instant now = clock.now();
    lastRecordAt = now;
    Instant extracted = eventTimeOf(record);
    if (extracted != null) {
      watermark.onRecord(extracted, now);
      return extracted;
    }
    RECORDS_WITHOUT_EVENT_TIME.inc();
    watermark.onRecordWithoutEventTime(now);
    Instant max = watermark.getMaxEventTime();
    if (max != null) {
      return max;
    }
    return withinBeamRange(new Instant(kafkaTimestampMillis));
  }

  /**
   * The watermark now, given the reader's backlog in records for this partition: 0 when it has read
   * everything, negative when unknown.
   */
  Instant watermarkFor(long backlog) {
    Instant now = clock.now();
    Instant candidate;
    if (backlog == 0) {
      candidate = watermark.getWatermark(now);
      if (watermark.getMaxEventTime() == null) {
        Instant quietSince = lastRecordAt == null ? createdAt : lastRecordAt;
        Duration idleTimeout = watermark.getIdleTimeout();
        if (!now.isBefore(quietSince.plus(idleTimeout))) {
          Instant wallClock = now.minus(watermark.getMaxOutOfOrderness());
          candidate = later(candidate, wallClock);
        }
      }
    } else {
      // Records are waiting: the partition is behind, not idle. Ask the shared policy as of the
      // last record, so that its idle rule cannot apply.
      Instant last = lastRecordAt;
      candidate = last == null ? lastWatermark : watermark.getWatermark(last);
    }
    lastWatermark = later(lastWatermark, candidate);
    return lastWatermark;
  }

  /**
   * The record's event time, or null if the function cannot give one. The function gets a copy, so
   * that it cannot change the record that is emitted.
   */
  private @Nullable Instant eventTimeOf(SourceRecord record) {
    Instant extracted;
    try {
      extracted = eventTime.apply(SourceRecord.newBuilder(record).build());
    } catch (RuntimeException e) {
      return null;
    }
    if (extracted == null
        || extracted.isBefore(BoundedWindow.TIMESTAMP_MIN_VALUE)
        || extracted.isAfter(GlobalWindow.INSTANCE.maxTimestamp())) {
      return null;
    }
    return extracted;
  }

  private static Instant withinBeamRange(Instant timestamp) {
    if (timestamp.isBefore(BoundedWindow.TIMESTAMP_MIN_VALUE)) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    if (timestamp.isAfter(GlobalWindow.INSTANCE.maxTimestamp())) {
      return GlobalWindow.INSTANCE.maxTimestamp();
    }
    return timestamp;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
