package dev.kappa.io;

import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Instant;

/**
 * An event-time function that exists unchanged in every version of the tests: the serialized
 * sources in {@code src/test/resources/serialized-sources} hold one.
 */
public final class FixedEventTime implements SerializableFunction<SourceRecord, Instant> {
  private static final long serialVersionUID = 1L;

  @Override
  public Instant apply(SourceRecord record) {
    return new Instant(0);
  }
}
