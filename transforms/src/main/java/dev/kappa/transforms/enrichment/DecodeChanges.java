package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.errors.RecordDecoder;
import dev.kappa.transforms.windowing.AssignEventTime;
import dev.kappa.transforms.windowing.DivertImplausibleEventTimes;
import dev.kappa.transforms.windowing.EventTimeBounds;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Turns Debezium change records of one table into a changelog for {@link EnrichAsOfEventTime}:
 * {@code KV<key, row>} (null row: deleted), timestamped with the time the version became valid.
 * Records that are not valid changes become dead letters, never dropped; see {@link
 * DebeziumChangeDecoder} for the envelope and the rules.
 *
 * <p>Steps: {@code SkipKafkaTombstones} (empty payloads, which Debezium writes after each delete
 * for log compaction; counted in {@code kafkaTombstones}), {@link DecodeRecords} with the step name
 * given, and {@link AssignEventTime} to the change time. Sources that stamp records themselves
 * should use {@link #changeTime()} as their event-time function, so that the changelog's watermark
 * follows change time (the temporal join waits for it); timestamps then already agree. A source
 * that stamped a later time (such as the Kafka record time) fails the step: moving a timestamp back
 * would break the source's watermark.
 *
 * <pre>{@code
 * DecodeChanges<Product> decodeProducts =
 *     DecodeChanges.of(Product.class, "product_id").fromTable("products");
 * PCollection<SourceRecord> records =
 *     Kafka.read(...).withEventTime(decodeProducts.changeTime())...; // stamp with change time
 * PCollectionTuple decoded = records.apply("DecodeProductChanges", decodeProducts);
 * PCollection<KV<String, Product>> productChanges = decoded.get(decodeProducts.changesTag());
 * PCollection<DeadLetter> deadLetters = decoded.get(decodeProducts.deadLetterTag());
 * }</pre>
 *
 * @param <V> the generated Avro class of the table's rows
 */
@AutoValue
public abstract class DecodeChanges<V extends SpecificRecordBase>
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter of skipped empty payloads, in the namespace of this class. */
  public static final String KAFKA_TOMBSTONES = "kafkaTombstones";

  abstract Class<V> rowClass();

  /** The row field that is the key. */
  public abstract String keyField();

  /** The table whose changes are accepted, or null for any. */
  public abstract @Nullable String table();

  /** The row field that is the change time of non-deletes, or null for {@code source.ts_ms}. */
  public abstract @Nullable String validFromField();

  /** The name recorded in dead letters and counters. */
  public abstract String stepName();

  abstract TupleTag<KV<String, V>> changesTagInternal();

  abstract TupleTag<DeadLetter> deadLetterTagInternal();

  abstract Builder<V> toBuilder();

  /**
   * Decodes changes of rows of {@code rowClass}, keyed by its string field {@code keyField}, valid
   * from {@code source.ts_ms}; accepts any table; step name {@code DecodeChanges}.
   *
   * @throws IllegalArgumentException if the class has no such string field
   */
  public static <V extends SpecificRecordBase> DecodeChanges<V> of(
      Class<V> rowClass, String keyField) {
    checkNotNull(rowClass, "row class must be set");
    checkArgument(keyField != null && !keyField.isBlank(), "key field must not be blank");
    DecodeChanges<V> decode =
        new AutoValue_DecodeChanges.Builder<V>()
            .setRowClass(rowClass)
            .setKeyField(keyField)
            .setStepName("DecodeChanges")
            .setChangesTagInternal(new TupleTag<KV<String, V>>("changes") {})
            .setDeadLetterTagInternal(new TupleTag<DeadLetter>("deadLetters") {})
            .build();
    decode.decoder(); // checks the fields now, not on the first record
    return decode;
  }

  /** Accepts only changes whose {@code source.table} is {@code table}; others are dead letters. */
  public DecodeChanges<V> fromTable(String table) {
    checkArgument(table != null && !table.isBlank(), "table must not be blank, was %s", table);
    return toBuilder().setTable(table).build();
  }

  /**
   * Takes the change time of creates, updates and snapshot reads from the row's {@code field} (a
   * {@code timestamp-millis} such as {@code updated_at}) instead of {@code source.ts_ms}; deletes
   * keep {@code source.ts_ms}. Use it when the table was snapshotted: a snapshot read's {@code
   * source.ts_ms} is the snapshot's time, so older events would find no version.
   */
  public DecodeChanges<V> withValidFromField(String field) {
    checkArgument(field != null && !field.isBlank(), "valid-from field must not be blank");
    DecodeChanges<V> decode = toBuilder().setValidFromField(field).build();
    decode.decoder();
    return decode;
  }

  /** Names the step in dead letters and metrics; use the name the step is applied with. */
  public DecodeChanges<V> withStepName(String stepName) {
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
    return toBuilder().setStepName(stepName).build();
  }

  /** The decoder, for use with {@link DecodeRecords} directly. */
  public DebeziumChangeDecoder<V> decoder() {
    return new DebeziumChangeDecoder<>(rowClass(), keyField(), table(), validFromField());
  }

  /**
   * The event-time function for sources ({@code withEventTime(...)}): a record's change time.
   * Throws for a record that can't be decoded; Kappa's sources then keep the record (it becomes a
   * dead letter here) without moving the watermark.
   */
  public SerializableFunction<SourceRecord, Instant> changeTime() {
    DebeziumChangeDecoder<V> decoder = decoder();
    return decoder::changeTime;
  }

  /**
   * {@code KvCoder(StringUtf8Coder, NullableCoder(SpecificRecordCoder(row class)))}: what the join
   * needs.
   */
  public Coder<KV<String, V>> changeCoder() {
    return decoder().coder();
  }

  /** The changes, timestamped with their change time. */
  public TupleTag<KV<String, V>> changesTag() {
    return changesTagInternal();
  }

  /** One dead letter per record that is not a valid change. */
  public TupleTag<DeadLetter> deadLetterTag() {
    return deadLetterTagInternal();
  }

  /**
   * Decodes {@code records} now, in this process, as a source stamping change times checked against
   * {@code bounds}, the check step {@code checkStep} (see {@link DivertImplausibleEventTimes}) and
   * this transform would in a pipeline: for a launcher that reads a small change history itself.
   * Empty payloads are skipped; every other record is either a change or a dead letter, with the
   * step names and errors the pipeline's steps give.
   */
  public Decoded<V> decodeNow(
      Iterable<SourceRecord> records, EventTimeBounds bounds, String checkStep) {
    checkNotNull(bounds, "bounds must be set");
    DebeziumChangeDecoder<V> decoder = decoder();
    SerializableFunction<SourceRecord, Instant> changeTime = decoder::changeTime;
    List<TimestampedValue<KV<String, V>>> changes = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (SourceRecord record : records) {
      Instant now = Instant.now();
      Instant stamped;
      try {
        stamped = changeTime.apply(record);
      } catch (RuntimeException undecodable) {
        stamped = BoundedWindow.TIMESTAMP_MIN_VALUE;
      }
      DeadLetter implausible =
          DivertImplausibleEventTimes.judge(record, stamped, changeTime, bounds, checkStep, now);
      if (implausible != null) {
        deadLetters.add(implausible);
        continue;
      }
      if (record.getPayload().remaining() == 0) {
        continue;
      }
      try {
        changes.add(decoder.decodeChange(record));
      } catch (RuntimeException e) {
        deadLetters.add(DeadLetters.of(record, stepName(), e, java.time.Instant.now()));
      }
    }
    return new Decoded<>(changes, deadLetters);
  }

  /** What {@link #decodeNow} made of the records: changes with their change times, dead letters. */
  public record Decoded<V>(
      List<TimestampedValue<KV<String, V>>> changes, List<DeadLetter> deadLetters) {}

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    DebeziumChangeDecoder<V> decoder = decoder();
    return decode(records, decoder::decodeChange, decoder.coder(), changesTag());
  }

  /**
   * The same decoding, with each change's position in its change stream: {@code KV<key,
   * KV<position, row>>} (see {@link DebeziumChangeDecoder#streamPosition}), for a job that applies
   * the changes of one commit time in the order they were made (a delete and a re-insert in one
   * transaction, two updates of one row). The steps and their names are this transform's.
   */
  public InStreamOrder<V> inStreamOrder() {
    return new InStreamOrder<>(this);
  }

  /**
   * {@link DecodeChanges} with each change's position in its stream: see {@link #inStreamOrder}.
   */
  public static final class InStreamOrder<V extends SpecificRecordBase>
      extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
    private static final long serialVersionUID = 1L;

    private final DecodeChanges<V> decode;
    private final TupleTag<KV<String, KV<Long, V>>> changesTag =
        new TupleTag<KV<String, KV<Long, V>>>("changes") {};

    private InStreamOrder(DecodeChanges<V> decode) {
      this.decode = decode;
    }

    /** The changes, {@code KV<key, KV<position, row>>}, timestamped with their change time. */
    public TupleTag<KV<String, KV<Long, V>>> changesTag() {
      return changesTag;
    }

    /** One dead letter per record that is not a valid change. */
    public TupleTag<DeadLetter> deadLetterTag() {
      return decode.deadLetterTag();
    }

    /** The coder of the changes. */
    public Coder<KV<String, KV<Long, V>>> changeCoder() {
      return decode.decoder().positionedCoder();
    }

    @Override
    public PCollectionTuple expand(PCollection<SourceRecord> records) {
      DebeziumChangeDecoder<V> decoder = decode.decoder();
      return decode.decode(
          records, decoder::decodeChangeInStreamOrder, decoder.positionedCoder(), changesTag);
    }
  }

  private <T> PCollectionTuple decode(
      PCollection<SourceRecord> records,
      RecordDecoder<TimestampedValue<T>> decoder,
      Coder<T> changeCoder,
      TupleTag<T> changesTag) {
    DecodeRecords<TimestampedValue<T>> decode =
        DecodeRecords.using(decoder, TimestampedValue.TimestampedValueCoder.of(changeCoder))
            .withStepName(stepName());
    PCollectionTuple decoded =
        records
            .apply("SkipKafkaTombstones", ParDo.of(new SkipEmptyPayloadsFn()))
            .setCoder(records.getCoder())
            .apply(stepName(), decode);
    PCollection<T> changes =
        decoded
            .get(decode.decodedTag())
            .apply("AssignChangeTime", AssignEventTime.by(TimestampedValue<T>::getTimestamp))
            .apply("DropChangeTime", ParDo.of(new DropTimeFn<T>()))
            .setCoder(changeCoder);
    return PCollectionTuple.of(changesTag, changes)
        .and(deadLetterTag(), decoded.get(decode.deadLetterTag()));
  }

  /** Drops Kafka tombstones: empty payloads that repeat the delete before them. */
  static final class SkipEmptyPayloadsFn extends DoFn<SourceRecord, SourceRecord> {
    private static final long serialVersionUID = 1L;
    private final Counter tombstones = Metrics.counter(DecodeChanges.class, KAFKA_TOMBSTONES);

    @ProcessElement
    public void process(@Element SourceRecord record, OutputReceiver<SourceRecord> out) {
      if (record.getPayload().remaining() == 0) {
        tombstones.inc();
        return;
      }
      out.output(record);
    }
  }

  /** Unwraps the value; the timestamp was assigned by the step before. */
  static final class DropTimeFn<T> extends DoFn<TimestampedValue<T>, T> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element TimestampedValue<T> change, OutputReceiver<T> out) {
      out.output(change.getValue());
    }
  }

  @AutoValue.Builder
  abstract static class Builder<V extends SpecificRecordBase> {
    abstract Builder<V> setRowClass(Class<V> rowClass);

    abstract Builder<V> setKeyField(String keyField);

    abstract Builder<V> setTable(String table);

    abstract Builder<V> setValidFromField(String field);

    abstract Builder<V> setStepName(String stepName);

    abstract Builder<V> setChangesTagInternal(TupleTag<KV<String, V>> tag);

    abstract Builder<V> setDeadLetterTagInternal(TupleTag<DeadLetter> tag);

    abstract DecodeChanges<V> build();
  }
}
