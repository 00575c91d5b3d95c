package dev.kappa.transforms.windowing;

import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.RecordDecoder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A {@link RecordDecoder} in two stages, parsing then validating, with the event time of what it
 * parsed: {@link DecodeWithEventTimes} checks a record's event time between the two stages, so that
 * each record is decoded once and an implausible event time is judged before the record's other
 * rules, as when {@link DivertImplausibleEventTimes} runs before decoding.
 *
 * @param <T> the decoded type
 */
public interface TimedDecoder<T> extends RecordDecoder<T> {

  /** The record's value, not yet validated; throws if the bytes are not one. */
  T parse(SourceRecord record) throws Exception;

  /** The event time of a parsed value; null or an exception if it has none. */
  @Nullable Instant eventTime(T parsed);

  /** Throws, naming the broken rules, if {@code parsed} is not valid. */
  void validate(T parsed) throws Exception;

  /** Parses and validates. */
  @Override
  default T decode(SourceRecord record) throws Exception {
    T parsed = parse(record);
    validate(parsed);
    return parsed;
  }
}
