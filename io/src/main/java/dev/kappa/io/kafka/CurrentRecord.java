package dev.kappa.io.kafka;

import dev.kappa.schemas.common.SourceRecord;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The record the unbounded partition reader is positioned on, with its timestamp: what it exposes
 * through {@code getCurrent()} and {@code getCurrentTimestamp()}.
 */
final class CurrentRecord {
  private final @Nullable Object where;
  private @Nullable SourceRecord record;
  private @Nullable Instant timestamp;

  /** {@code where} names the partition range in errors. */
  CurrentRecord(@Nullable Object where) {
    this.where = where;
  }

  void clear() {
    record = null;
    timestamp = null;
  }

  void set(TimestampedValue<SourceRecord> stamped) {
    this.record = stamped.getValue();
    this.timestamp = stamped.getTimestamp();
  }

  SourceRecord record() {
    SourceRecord current = record;
    if (current == null) {
      throw new NoSuchElementException("No current record in " + where);
    }
    return current;
  }

  Instant timestamp() {
    Instant current = timestamp;
    if (current == null) {
      throw new NoSuchElementException("No current record in " + where);
    }
    return current;
  }
}
