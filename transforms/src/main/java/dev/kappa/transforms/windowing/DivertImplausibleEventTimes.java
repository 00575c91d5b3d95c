package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.DeadLetters;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Sends source records whose event time breaks the {@link EventTimeBounds} to dead letters, before
 * anything decodes or windows them; every other record passes unchanged, with its timestamp.
 *
 * <p>A dead letter keeps the original bytes and source position, this step's name and an {@link
 * ImplausibleEventTimeException} naming the bound. A record whose event time cannot be read passes:
 * the decoding step after this one says why it is bad. Rejected records are counted in {@value
 * #IMPLAUSIBLE_COUNTER} (namespace: the step name).
 *
 * <p>Arrival is judged as in {@link EventTimeBounds#arrivalOf}: the record's source timestamp or
 * the processing time here, whichever is earlier. A source given {@link EventTimeBounds#checking}
 * judged the record slightly earlier; the ahead bound only widens as processing time passes, so
 * every record the source refused to take as its event time is refused here too, bar one read
 * within milliseconds of the bound. Such a record counts in its own window if the source stamped it
 * earlier than its event time, and is a dead letter here if later (the decoding step could not move
 * its timestamp back).
 *
 * <pre>{@code
 * DivertImplausibleEventTimes check =
 *     DivertImplausibleEventTimes.of(OrderDecoder::eventTime, bounds)
 *         .withStepName("CheckOrderEventTimes");
 * PCollectionTuple checked = records.apply("CheckOrderEventTimes", check);
 * PCollection<SourceRecord> plausible = checked.get(check.recordsTag());
 * PCollection<DeadLetter> implausible = checked.get(check.deadLetterTag());
 * }</pre>
 */
@AutoValue
public abstract class DivertImplausibleEventTimes
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter of records sent to dead letters for an implausible event time. */
  public static final String IMPLAUSIBLE_COUNTER = "recordsWithImplausibleEventTime";

  abstract SerializableFunction<SourceRecord, Instant> eventTime();

  /** The bounds applied. */
  public abstract EventTimeBounds bounds();

  /** The name recorded in dead letters and counters. */
  public abstract String stepName();

  abstract TupleTag<SourceRecord> recordsTagInternal();

  abstract TupleTag<DeadLetter> deadLetterTagInternal();

  abstract Builder toBuilder();

  /**
   * Checks the event time {@code eventTime} reads from each record (unchecked: this step applies
   * the bounds) against {@code bounds}; step name {@code DivertImplausibleEventTimes}.
   */
  public static DivertImplausibleEventTimes of(
      SerializableFunction<SourceRecord, Instant> eventTime, EventTimeBounds bounds) {
    return new AutoValue_DivertImplausibleEventTimes.Builder()
        .setEventTime(checkNotNull(eventTime, "eventTime must be set"))
        .setBounds(checkNotNull(bounds, "bounds must be set"))
        .setStepName("DivertImplausibleEventTimes")
        .setRecordsTagInternal(new TupleTag<SourceRecord>("records") {})
        .setDeadLetterTagInternal(new TupleTag<DeadLetter>("deadLetters") {})
        .build();
  }

  /** Names the step in dead letters and metrics; use the name the step is applied with. */
  public DivertImplausibleEventTimes withStepName(String stepName) {
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
    return toBuilder().setStepName(stepName).build();
  }

  /** The records whose event time is plausible or unreadable, unchanged. */
  public TupleTag<SourceRecord> recordsTag() {
    return recordsTagInternal();
  }

  /** One dead letter per record with an implausible event time. */
  public TupleTag<DeadLetter> deadLetterTag() {
    return deadLetterTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollectionTuple result =
        records.apply(
            ParDo.of(new CheckFn(eventTime(), bounds(), stepName(), recordsTag(), deadLetterTag()))
                .withOutputTags(recordsTag(), TupleTagList.of(deadLetterTag())));
    result.get(recordsTag()).setCoder(records.getCoder());
    result.get(deadLetterTag()).setCoder(SpecificRecordCoder.of(DeadLetter.class));
    return result;
  }

  /**
   * This step's verdict on {@code record} (stamped {@code timestamp} by its source) when processed
   * at {@code now}: its dead letter, naming {@code stepName}, if its event time is implausible;
   * null if it is plausible, or if {@code eventTime} cannot read it (the decoding step then judges
   * the record). For code that applies the step's rule outside a pipeline, such as a launcher that
   * reads a small input itself.
   */
  public static @Nullable DeadLetter judge(
      SourceRecord record,
      Instant timestamp,
      SerializableFunction<SourceRecord, Instant> eventTime,
      EventTimeBounds bounds,
      String stepName,
      Instant now) {
    Instant time;
    try {
      // A copy, so that the function cannot change the record passed on.
      time = eventTime.apply(SourceRecord.newBuilder(record).build());
    } catch (RuntimeException unreadable) {
      return null;
    }
    String violation = violation(bounds, record, time, timestamp, now);
    if (violation == null) {
      return null;
    }
    return DeadLetters.of(
        record,
        stepName,
        new ImplausibleEventTimeException(violation),
        java.time.Instant.ofEpochMilli(now.getMillis()));
  }

  /**
   * Why {@code time}, the event time of {@code record} (stamped {@code timestamp} by its source),
   * is implausible when processed at {@code now}; null if it is plausible or there is none. The
   * rule of this step, also applied by {@link DecodeWithEventTimes}.
   */
  static @Nullable String violation(
      EventTimeBounds bounds,
      SourceRecord record,
      @Nullable Instant time,
      Instant timestamp,
      Instant now) {
    if (time == null) {
      return null;
    }
    String violation = bounds.violation(time, EventTimeBounds.arrivalOf(record, now));
    if (violation == null && time.isBefore(timestamp) && !bounds.isNone()) {
      // A source that stamps event times stamps a plausible record with its own event time. An
      // earlier event time means the source found it implausible when it read the record, a
      // moment before this step, and gave it a fallback timestamp; decoding it now would move
      // its timestamp back, which the source's watermark does not allow.
      violation =
          "event time "
              + time
              + " was implausible when the source read the record, which it stamped "
              + timestamp
              + " instead";
    }
    return violation;
  }

  static final class CheckFn extends DoFn<SourceRecord, SourceRecord> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<SourceRecord, Instant> eventTime;
    private final EventTimeBounds bounds;
    private final String stepName;
    private final TupleTag<SourceRecord> recordsTag;
    private final TupleTag<DeadLetter> deadLetterTag;
    private final Counter implausible;

    CheckFn(
        SerializableFunction<SourceRecord, Instant> eventTime,
        EventTimeBounds bounds,
        String stepName,
        TupleTag<SourceRecord> recordsTag,
        TupleTag<DeadLetter> deadLetterTag) {
      this.eventTime = eventTime;
      this.bounds = bounds;
      this.stepName = stepName;
      this.recordsTag = recordsTag;
      this.deadLetterTag = deadLetterTag;
      this.implausible = Metrics.counter(stepName, IMPLAUSIBLE_COUNTER);
    }

    @ProcessElement
    public void process(
        @Element SourceRecord record, @Timestamp Instant timestamp, MultiOutputReceiver out) {
      DeadLetter deadLetter = judge(record, timestamp, eventTime, bounds, stepName, Instant.now());
      if (deadLetter != null) {
        implausible.inc();
        out.get(deadLetterTag).output(deadLetter);
        return;
      }
      out.get(recordsTag).output(record);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setEventTime(SerializableFunction<SourceRecord, Instant> eventTime);

    abstract Builder setBounds(EventTimeBounds bounds);

    abstract Builder setStepName(String stepName);

    abstract Builder setRecordsTagInternal(TupleTag<SourceRecord> tag);

    abstract Builder setDeadLetterTagInternal(TupleTag<DeadLetter> tag);

    abstract DivertImplausibleEventTimes build();
  }
}
