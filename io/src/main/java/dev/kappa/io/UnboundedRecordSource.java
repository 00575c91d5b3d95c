package dev.kappa.io;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;

/**
 * The base of Kappa's unbounded sources (file replay, Kafka up to the end offsets): each emits
 * {@link SourceRecord}s, encoded with their Avro coder, and keeps its progress in a checkpoint mark
 * of its own.
 *
 * <p>It has no fields: a source's Java-serialized form is part of a Flink savepoint, and a
 * field-less superclass leaves the form of the sources that existed before it unchanged.
 *
 * @param <C> the checkpoint mark
 */
public abstract class UnboundedRecordSource<C extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<SourceRecord, C> {
  private static final long serialVersionUID = 1L;

  @Override
  public final Coder<SourceRecord> getOutputCoder() {
    return SpecificRecordCoder.of(SourceRecord.class);
  }
}
