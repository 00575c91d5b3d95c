package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.errors.DecodingFn;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * {@link DivertImplausibleEventTimes}, {@link DecodeRecords} and {@link AssignEventTime} in one
 * step, decoding each record once: for a bounded run, where no savepoint knows the three steps'
 * names and the three decodes were a tenth of a backfill's CPU.
 *
 * <p>Gives what the three steps give, in the same order: a record that cannot be parsed is a dead
 * letter from the decoding step ({@link #withStepName}); a parsed record whose event time breaks
 * the bounds is a dead letter from the check's step ({@link EventTimeCheck#stepName()}) with an
 * {@link ImplausibleEventTimeException}, judged as {@link DivertImplausibleEventTimes} judges it,
 * before the record's other rules; an invalid one is a dead letter from the decoding step; the
 * others come out decoded, stamped with their event time. Counters as the three steps':{@code
 * decoded} and {@code deadLetters} in the decoding step's namespace, {@value
 * DivertImplausibleEventTimes#IMPLAUSIBLE_COUNTER} in the check's.
 *
 * <p>A record valid but without an event time, or with one before the timestamp its source gave it
 * under {@link EventTimeBounds#none()}, is a dead letter from the decoding step ({@link
 * AssignEventTime} would fail the bundle).
 *
 * <pre>{@code
 * DecodeWithEventTimes<OrderEvent> decode =
 *     DecodeWithEventTimes.using(
 *             new OrderDecoder(),
 *             SpecificRecordCoder.of(OrderEvent.class),
 *             new EventTimeCheck(bounds, "CheckOrdersEventTimes"))
 *         .withStepName("DecodeOrders");
 * PCollectionTuple decoded = records.apply("DecodeOrders", decode);
 * PCollection<OrderEvent> orders = decoded.get(decode.decodedTag()); // stamped with event time
 * PCollection<DeadLetter> deadLetters = decoded.get(decode.deadLetterTag());
 * }</pre>
 *
 * @param <T> the decoded type
 */
@AutoValue
public abstract class DecodeWithEventTimes<T>
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  abstract TimedDecoder<T> decoder();

  abstract Coder<T> coder();

  /** The check applied, and the step name its dead letters carry. */
  public abstract EventTimeCheck check();

  /** The name recorded in the decoding's dead letters and counters. */
  public abstract String stepName();

  abstract TupleTag<T> decodedTagInternal();

  abstract TupleTag<DeadLetter> deadLetterTagInternal();

  abstract Builder<T> toBuilder();

  /**
   * Decodes with {@code decoder}, whose values {@code coder} encodes, applying {@code check}; step
   * name {@code DecodeRecords}.
   */
  public static <T> DecodeWithEventTimes<T> using(
      TimedDecoder<T> decoder, Coder<T> coder, EventTimeCheck check) {
    return new AutoValue_DecodeWithEventTimes.Builder<T>()
        .setDecoder(checkNotNull(decoder, "decoder must be set"))
        .setCoder(checkNotNull(coder, "coder must be set"))
        .setCheck(checkNotNull(check, "check must be set"))
        .setStepName("DecodeRecords")
        .setDecodedTagInternal(new TupleTag<T>("decoded") {})
        .setDeadLetterTagInternal(new TupleTag<DeadLetter>("deadLetters") {})
        .build();
  }

  /** Names the decoding in dead letters and metrics; use the name the step is applied with. */
  public DecodeWithEventTimes<T> withStepName(String stepName) {
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
    return toBuilder().setStepName(stepName).build();
  }

  /** The decoded values, each stamped with its event time. */
  public TupleTag<T> decodedTag() {
    return decodedTagInternal();
  }

  /** One dead letter per record that could not be decoded, was invalid or implausible. */
  public TupleTag<DeadLetter> deadLetterTag() {
    return deadLetterTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> input) {
    return new DecodeWithEventTimeFn<T>(
            decoder(), check(), stepName(), decodedTag(), deadLetterTag())
        .applyTo(input, coder());
  }

  /**
   * {@link DecodingFn} with the event-time check between parsing and validation. Its class name
   * names the step's inner {@code ParDo}: kept for Flink's operator ids.
   */
  static final class DecodeWithEventTimeFn<T> extends DecodingFn<T> {
    private static final long serialVersionUID = 1L;
    private final TimedDecoder<T> decoder;
    private final EventTimeCheck check;
    private final Counter implausible;

    DecodeWithEventTimeFn(
        TimedDecoder<T> decoder,
        EventTimeCheck check,
        String stepName,
        TupleTag<T> decodedTag,
        TupleTag<DeadLetter> deadLetterTag) {
      super(stepName, decodedTag, deadLetterTag);
      this.decoder = decoder;
      this.check = check;
      this.implausible =
          Metrics.counter(check.stepName(), DivertImplausibleEventTimes.IMPLAUSIBLE_COUNTER);
    }

    @Override
    protected T parse(SourceRecord record) throws Exception {
      return decoder.parse(record);
    }

    @Override
    protected void accept(
        SourceRecord record, T value, Instant timestamp, Instant now, MultiOutputReceiver out) {
      Instant time;
      try {
        time = decoder.eventTime(value);
      } catch (RuntimeException unreadable) {
        // As the check step: a record without a readable event time passes to the validation.
        time = null;
      }
      String violation =
          DivertImplausibleEventTimes.violation(check.bounds(), record, time, timestamp, now);
      if (violation != null) {
        implausible.inc();
        emitDeadLetter(
            record, check.stepName(), new ImplausibleEventTimeException(violation), now, out);
        return;
      }
      try {
        decoder.validate(value);
        if (time == null || time.isBefore(timestamp)) {
          throw new IllegalStateException(
              "event time "
                  + time
                  + " of a valid record is missing or before the timestamp "
                  + timestamp
                  + " its source gave it");
        }
      } catch (Exception e) {
        emitDeadLetter(record, e, now, out);
        return;
      }
      emitDecodedAt(value, time, out);
    }
  }

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setDecoder(TimedDecoder<T> decoder);

    abstract Builder<T> setCoder(Coder<T> coder);

    abstract Builder<T> setCheck(EventTimeCheck check);

    abstract Builder<T> setStepName(String stepName);

    abstract Builder<T> setDecodedTagInternal(TupleTag<T> tag);

    abstract Builder<T> setDeadLetterTagInternal(TupleTag<DeadLetter> tag);

    abstract DecodeWithEventTimes<T> build();
  }
}
