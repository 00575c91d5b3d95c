package dev.kappa.transforms.errors;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * The decoding loop that {@link DecodeRecords} and {@code windowing.DecodeWithEventTimes} share, so
 * that both send the same dead letters: a record whose {@link #parse} throws or returns null
 * becomes a dead letter from this step with its original bytes, where it came from and the error;
 * {@link #accept} decides what a parsed value still has to pass and with which timestamp it comes
 * out. Counters {@code decoded} and {@code deadLetters}, namespaced by the step name.
 *
 * <p>A subclass keeps its own class name: the runner names the unnamed {@code ParDo} that {@link
 * #applyTo} adds after it, and the Flink runner derives operator ids from that name.
 *
 * @param <T> the decoded type
 */
public abstract class DecodingFn<T> extends DoFn<SourceRecord, T> {
  private static final long serialVersionUID = 1L;
  private final String stepName;
  private final TupleTag<T> decodedTag;
  private final TupleTag<DeadLetter> deadLetterTag;
  private final Counter decoded;
  private final Counter deadLetters;

  protected DecodingFn(
      String stepName, TupleTag<T> decodedTag, TupleTag<DeadLetter> deadLetterTag) {
    this.stepName = stepName;
    this.decodedTag = decodedTag;
    this.deadLetterTag = deadLetterTag;
    this.decoded = Metrics.counter(stepName, "decoded");
    this.deadLetters = Metrics.counter(stepName, "deadLetters");
  }

  /** The record's value; throws if the record is not one. Null counts as a failure. */
  protected abstract T parse(SourceRecord record) throws Exception;

  /**
   * What follows a successful parse: by default {@code value} comes out decoded with the input's
   * timestamp. A subclass checks more here and ends with {@link #emitDecoded}, {@link
   * #emitDecodedAt} or {@link #emitDeadLetter}.
   */
  protected void accept(
      SourceRecord record, T value, Instant timestamp, Instant now, MultiOutputReceiver out) {
    emitDecoded(value, out);
  }

  @ProcessElement
  public void process(
      @Element SourceRecord record, @Timestamp Instant timestamp, MultiOutputReceiver out) {
    Instant now = Instant.now();
    T value;
    try {
      value = parse(record);
      if (value == null) {
        throw new IllegalStateException("the decoder returned null");
      }
    } catch (Exception e) {
      emitDeadLetter(record, e, now, out);
      return;
    }
    accept(record, value, timestamp, now, out);
  }

  /** Counts {@code value} as decoded and emits it with the input's timestamp. */
  protected final void emitDecoded(T value, MultiOutputReceiver out) {
    decoded.inc();
    out.get(decodedTag).output(value);
  }

  /** Counts {@code value} as decoded and emits it at {@code timestamp}. */
  protected final void emitDecodedAt(T value, Instant timestamp, MultiOutputReceiver out) {
    decoded.inc();
    out.get(decodedTag).outputWithTimestamp(value, timestamp);
  }

  /** Counts and emits a dead letter of this step for {@code record}. */
  protected final void emitDeadLetter(
      SourceRecord record, Throwable error, Instant now, MultiOutputReceiver out) {
    deadLetters.inc();
    emitDeadLetter(record, stepName, error, now, out);
  }

  /**
   * Emits a dead letter for {@code record} naming {@code step}, counted by the caller (a check that
   * runs inside the decoding keeps its own step name and counter).
   */
  protected final void emitDeadLetter(
      SourceRecord record, String step, Throwable error, Instant now, MultiOutputReceiver out) {
    out.get(deadLetterTag)
        .output(
            DeadLetters.of(record, step, error, java.time.Instant.ofEpochMilli(now.getMillis())));
  }

  /**
   * Applies this function to {@code input} as an unnamed {@code ParDo}: the decoded values, encoded
   * by {@code coder}, and the dead letters.
   */
  public final PCollectionTuple applyTo(PCollection<SourceRecord> input, Coder<T> coder) {
    PCollectionTuple result =
        input.apply(ParDo.of(this).withOutputTags(decodedTag, TupleTagList.of(deadLetterTag)));
    result.get(decodedTag).setCoder(coder);
    result.get(deadLetterTag).setCoder(SpecificRecordCoder.of(DeadLetter.class));
    return result;
  }
}
