package dev.kappa.transforms.errors;

import dev.kappa.schemas.common.SourceRecord;
import java.io.Serializable;

/**
 * Turns a source record's bytes into a typed value, or throws saying why it can't.
 *
 * <p>Whatever it throws becomes a dead letter in {@link DecodeRecords}; it should never return
 * null. Validation belongs here too, so one step both decodes and rejects what is invalid.
 *
 * @param <T> the decoded type
 */
@FunctionalInterface
public interface RecordDecoder<T> extends Serializable {
  T decode(SourceRecord record) throws Exception;
}
