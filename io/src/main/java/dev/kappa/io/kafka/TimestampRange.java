package dev.kappa.io.kafka;

import dev.kappa.io.Checks;
import java.io.Serializable;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The Kafka record timestamps a {@link ReadKafkaRange} keeps: {@code [from, to)}, or everything
 * before {@code to} when there is no {@code from}.
 *
 * <p>Kafka timestamps are not in offset order (producers set them, clocks differ, a record may be
 * stamped far in the future), so offsets alone cannot bound a time range: the read scans from the
 * first offset at or after {@code from} to the end offset at launch and asks this filter about each
 * record. Records it rejects are counted, by reason, never silently dropped.
 */
final class TimestampRange implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Where a record's timestamp lies relative to the range. */
  enum Verdict {
    /** In {@code [from, to)}: read. */
    IN_RANGE,
    /** Before {@code from}: skipped. */
    BEFORE_FROM,
    /** At or after {@code to}: skipped. */
    AT_OR_AFTER_TO
  }

  private final @Nullable Instant from;
  private final Instant to;

  private TimestampRange(@Nullable Instant from, Instant to) {
    if (from != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to, was from=" + from + ", to=" + to);
    }
    this.from = from;
    this.to = to;
  }

  /** Timestamps in {@code [from, to)}. */
  static TimestampRange between(Instant from, Instant to) {
    return new TimestampRange(Checks.notNull("from", from), Checks.notNull("to", to));
  }

  /** Every timestamp before {@code to}. */
  static TimestampRange before(Instant to) {
    return new TimestampRange(null, Checks.notNull("to", to));
  }

  /** The start, or null when the range starts at the beginning of each partition. */
  @Nullable Instant from() {
    return from;
  }

  /** The end (exclusive). */
  Instant to() {
    return to;
  }

  /** Where a record stamped {@code timestampMillis} lies. */
  Verdict classify(long timestampMillis) {
    if (from != null && timestampMillis < from.getMillis()) {
      return Verdict.BEFORE_FROM;
    }
    return timestampMillis < to.getMillis() ? Verdict.IN_RANGE : Verdict.AT_OR_AFTER_TO;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (!(other instanceof TimestampRange)) {
      return false;
    }
    TimestampRange that = (TimestampRange) other;
    return Objects.equals(from, that.from) && to.equals(that.to);
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, to);
  }

  @Override
  public String toString() {
    return "[" + (from == null ? "beginning" : from.toString()) + ", " + to + ")";
  }
}
