package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.schemas.common.SourceRecord;
import java.util.List;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Instant;

/**
 * The events a job reads, from wherever its source options say ({@link JobSettings.Source}): Kafka
 * as a stream, a Kafka range (backfill), files, or a file replayed as a stream. Read by {@link
 * JobContext#read}, undecoded, with their event time checked against the event-time bounds by a
 * step {@code Check<what>EventTimes} (dead letters for implausible ones).
 *
 * <pre>{@code
 * static final Events<Options> ORDERS =
 *     Events.<Options>read("ReadOrders", OrderDecoder::eventTime).withDefaultTopics("orders");
 * }</pre>
 *
 * @param <O> the job's options
 */
public final class Events<O> implements JobPart<O> {
  private final String stepName;
  private final SerializableFunction<SourceRecord, Instant> eventTime;
  private final List<String> defaultTopics;
  private final boolean checked;

  private Events(
      String stepName,
      SerializableFunction<SourceRecord, Instant> eventTime,
      List<String> defaultTopics,
      boolean checked) {
    this.stepName = stepName;
    this.eventTime = eventTime;
    this.defaultTopics = defaultTopics;
    this.checked = checked;
  }

  /**
   * Events read by a step named {@code stepName} (e.g. {@code ReadOrders}, checked by {@code
   * CheckOrdersEventTimes}).
   *
   * @param eventTime a record's event time, used as its timestamp by sources that stamp records
   *     (replay, Kafka) and checked against the bounds; it may throw for a bad record, which is
   *     then still emitted for the job's decoder to dead-letter
   */
  public static <O> Events<O> read(
      String stepName, SerializableFunction<SourceRecord, Instant> eventTime) {
    checkArgument(stepName != null && stepName.startsWith("Read"), "step name must be Read<what>");
    checkNotNull(eventTime, "eventTime must be set");
    return new Events<>(stepName, eventTime, List.of(), true);
  }

  /** The Kafka topics read when {@code --inputTopics} is not given. */
  public Events<O> withDefaultTopics(String... topics) {
    checkArgument(topics.length > 0, "name at least one topic");
    return new Events<>(stepName, eventTime, List.of(topics), checked);
  }

  /**
   * Keeps records with an implausible event time instead of dead-lettering them (they still do not
   * move the watermark): for a job that archives records as they are.
   */
  public Events<O> keepingImplausibleEventTimes() {
    return new Events<>(stepName, eventTime, defaultTopics, false);
  }

  public String stepName() {
    return stepName;
  }

  /**
   * The step after the read that checks event times: {@code ReadOrders} -> {@code
   * CheckOrdersEventTimes}.
   */
  public String checkStepName() {
    return "Check" + stepName.substring("Read".length()) + "EventTimes";
  }

  public SerializableFunction<SourceRecord, Instant> eventTime() {
    return eventTime;
  }

  public List<String> defaultTopics() {
    return defaultTopics;
  }

  public boolean checked() {
    return checked;
  }

  @Override
  public String toString() {
    return stepName;
  }
}
