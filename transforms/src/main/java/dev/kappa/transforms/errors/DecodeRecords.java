package dev.kappa.transforms.errors;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Decodes source records, sending every failure to a dead-letter output instead of failing the job
 * or dropping the record.
 *
 * <p>A record that can't be decoded or fails validation becomes a {@link DeadLetter} with its
 * original bytes, where it came from, this step's name and the error with its stack trace. Both
 * outputs are counted ({@code decoded} and {@code deadLetters}, namespaced by the step name).
 *
 * <pre>{@code
 * DecodeRecords<OrderEvent> decode =
 *     DecodeRecords.using(record -> codec.decode(record), SpecificRecordCoder.of(OrderEvent.class))
 *         .withStepName("DecodeOrders");
 * PCollectionTuple decoded = records.apply("DecodeOrders", decode);
 * PCollection<OrderEvent> orders = decoded.get(decode.decodedTag());
 * PCollection<DeadLetter> deadLetters = decoded.get(decode.deadLetterTag());
 * }</pre>
 *
 * @param <T> the decoded type
 */
@AutoValue
public abstract class DecodeRecords<T>
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  abstract RecordDecoder<T> decoder();

  abstract Coder<T> coder();

  /** The name recorded in dead letters and counters. */
  public abstract String stepName();

  abstract TupleTag<T> decodedTagInternal();

  abstract TupleTag<DeadLetter> deadLetterTagInternal();

  abstract Builder<T> toBuilder();

  /** Decodes with {@code decoder}; {@code coder} encodes the decoded values. */
  public static <T> DecodeRecords<T> using(RecordDecoder<T> decoder, Coder<T> coder) {
    return new AutoValue_DecodeRecords.Builder<T>()
        .setDecoder(checkNotNull(decoder, "decoder must be set"))
        .setCoder(checkNotNull(coder, "coder must be set"))
        .setStepName("DecodeRecords")
        .setDecodedTagInternal(new TupleTag<T>("decoded") {})
        .setDeadLetterTagInternal(new TupleTag<DeadLetter>("deadLetters") {})
        .build();
  }

  /** Names the step in dead letters and metrics; use the name the step is applied with. */
  public DecodeRecords<T> withStepName(String stepName) {
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
    return toBuilder().setStepName(stepName).build();
  }

  /** The decoded values, with the input's timestamps. */
  public TupleTag<T> decodedTag() {
    return decodedTagInternal();
  }

  /** One dead letter per record that could not be decoded. */
  public TupleTag<DeadLetter> deadLetterTag() {
    return deadLetterTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> input) {
    return new DecodeFn<T>(decoder(), stepName(), decodedTag(), deadLetterTag())
        .applyTo(input, coder());
  }

  /** Its class name names the step's inner {@code ParDo}: kept for Flink's operator ids. */
  static final class DecodeFn<T> extends DecodingFn<T> {
    private static final long serialVersionUID = 1L;
    private final RecordDecoder<T> decoder;

    DecodeFn(
        RecordDecoder<T> decoder,
        String stepName,
        TupleTag<T> decodedTag,
        TupleTag<DeadLetter> deadLetterTag) {
      super(stepName, decodedTag, deadLetterTag);
      this.decoder = decoder;
    }

    @Override
    protected T parse(SourceRecord record) throws Exception {
      return decoder.decode(record);
    }
  }

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setDecoder(RecordDecoder<T> decoder);

    abstract Builder<T> setCoder(Coder<T> coder);

    abstract Builder<T> setStepName(String stepName);

    abstract Builder<T> setDecodedTagInternal(TupleTag<T> tag);

    abstract Builder<T> setDeadLetterTagInternal(TupleTag<DeadLetter> tag);

    abstract DecodeRecords<T> build();
  }
}
