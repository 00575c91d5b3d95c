package dev.kappa.pipelines;

import dev.kappa.io.file.Files;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.io.kafka.ReadKafka;
import dev.kappa.io.kafka.ReadKafkaRange;
import dev.kappa.options.BackfillOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SourceOptions;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.windowing.DivertImplausibleEventTimes;
import dev.kappa.transforms.windowing.EventTimeBounds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * Chooses and configures a job's source from its options.
 *
 * <p>Every source applies the job's {@link EventTimeBounds} ({@code --maxEventTimeAhead}, {@code
 * --minEventTime}): a source that stamps records with their event time does not take an implausible
 * one (the record does not move its watermark), and a step named {@code Check<what>EventTimes}
 * right after the read makes each such record a dead letter, in every mode (files, replay, Kafka
 * stream and backfill) and for change streams too.
 */
public final class Sources {
  private Sources() {}

  /**
   * What a source gives a job: the records to decode, and dead letters for the records whose event
   * time broke the bounds.
   */
  public record Read(PCollection<SourceRecord> records, PCollection<DeadLetter> deadLetters) {}

  /**
   * The undecoded records the options point at, read by a step named {@code stepName}.
   *
   * @param eventTime reads a record's event time, checked against the event-time bounds, and used
   *     as the timestamp by sources that stamp records themselves (the replay, Kafka); it may throw
   *     for a bad record, which is then still emitted
   * @param defaultGroup the Kafka consumer group when {@code --consumerGroup} is not set: stable
   *     across launches, so a restarted job resumes where the last one committed
   */
  public static <O extends SourceOptions & KafkaOptions & BackfillOptions> Read records(
      Pipeline pipeline,
      O options,
      String stepName,
      SerializableFunction<SourceRecord, Instant> eventTime,
      String defaultGroup) {
    EventTimeBounds bounds = OptionValues.eventTimeBounds(options);
    PCollection<SourceRecord> records =
        read(pipeline, options, stepName, bounds.checking(eventTime), defaultGroup);
    return checkEventTimes(records, stepName, eventTime, bounds);
  }

  private static <O extends SourceOptions & KafkaOptions & BackfillOptions>
      PCollection<SourceRecord> read(
          Pipeline pipeline,
          O options,
          String stepName,
          SerializableFunction<SourceRecord, Instant> eventTime,
          String defaultGroup) {
    switch (options.getSource()) {
      case FILES:
        return pipeline.apply(
            stepName, Files.read(OptionValues.required("input", options.getInput())));
      case REPLAY:
        return pipeline.apply(
            stepName,
            Files.replay(OptionValues.required("input", options.getInput()))
                .withEventTime(eventTime)
                .withSpeedUp(OptionValues.speedUp("replaySpeedUp", options.getReplaySpeedUp()))
                .withMaxOutOfOrderness(maxOutOfOrderness(options)));
      case KAFKA:
        if (options.getFrom() != null) {
          ReadKafkaRange range =
              Kafka.readRange(
                      options.getBootstrapServers(),
                      options.getInputTopics(),
                      OptionValues.instant("from", options.getFrom()),
                      OptionValues.instant("to", options.getTo()))
                  .withEventTime(eventTime);
          return pipeline.apply(stepName, range);
        }
        ReadKafka read =
            kafka(options, defaultGroup)
                .withEventTime(eventTime)
                .withMaxOutOfOrderness(maxOutOfOrderness(options));
        return pipeline.apply(stepName, read);
    }
    throw new IllegalStateException("unhandled source " + options.getSource());
  }

  /**
   * The undecoded change events of a reference table, read by a step named {@code stepName} from
   * {@code spec}, the value of option {@code option}: {@code kafka:<topic>}, or a path or glob of
   * JSON-lines files.
   *
   * <p>A change stream is always read from its beginning, so that a temporal join has the whole
   * history: files are read whole (bounded, also in a streaming job); a Kafka topic is read from
   * its earliest offset without a consumer group (a restored job resumes from its checkpoint), and
   * in a backfill from the topic's start to its end offsets at launch, keeping the changes whose
   * Kafka timestamps are before {@code --to}. A job that stops at the end of its input ({@code
   * --stopAtEnd}, {@code --stopAtOffsets}) reads the changes present at launch.
   *
   * @param changeTime a change's commit time, its event time on Kafka; checked against the
   *     event-time bounds like an order's event time
   */
  public static <O extends SourceOptions & KafkaOptions & BackfillOptions> Read changes(
      Pipeline pipeline,
      O options,
      String stepName,
      String option,
      @Nullable String spec,
      SerializableFunction<SourceRecord, Instant> changeTime) {
    EventTimeBounds bounds = OptionValues.eventTimeBounds(options);
    PCollection<SourceRecord> records =
        readChanges(pipeline, options, stepName, option, spec, bounds.checking(changeTime));
    return checkEventTimes(records, stepName, changeTime, bounds);
  }

  private static <O extends SourceOptions & KafkaOptions & BackfillOptions>
      PCollection<SourceRecord> readChanges(
          Pipeline pipeline,
          O options,
          String stepName,
          String option,
          @Nullable String spec,
          SerializableFunction<SourceRecord, Instant> changeTime) {
    String value = OptionValues.required(option, spec);
    if (!value.startsWith(Outputs.KAFKA_PREFIX)) {
      return pipeline.apply(stepName, Files.read(value));
    }
    String topic = value.substring(Outputs.KAFKA_PREFIX.length()).trim();
    if (topic.isEmpty()) {
      throw new InvalidOptionException(option, "names no topic after 'kafka:'");
    }
    boolean backfill =
        options.getSource() == SourceOptions.SourceKind.KAFKA && options.getFrom() != null;
    if (backfill || options.getSource() == SourceOptions.SourceKind.FILES) {
      // A bounded job reads the table's history up to the end of its range, or all of it: every
      // change stamped before --to, from the topic's start to its end offsets at launch, however
      // disordered the Kafka timestamps (a change stamped after --to is skipped, not an end).
      Instant to = backfill ? OptionValues.instant("to", options.getTo()) : Instant.now();
      return pipeline.apply(
          stepName,
          Kafka.readUntil(options.getBootstrapServers(), List.of(topic), to)
              .withEventTime(changeTime));
    }
    // No consumer group and no commits: every launch reads the whole history again.
    ReadKafka read =
        Kafka.read(options.getBootstrapServers(), List.of(topic))
            .withCommitOffsetsInFinalize(false)
            .withEventTime(changeTime)
            .withMaxOutOfOrderness(maxOutOfOrderness(options));
    if (options.getStopAtEnd() || options.getStopAtOffsets() != null) {
      read = read.withStopAtEndOffsets();
    }
    return pipeline.apply(stepName, read);
  }

  /**
   * The step after the read {@code readStep} that dead-letters records with an implausible event
   * time: {@code ReadOrders} is checked by {@code CheckOrdersEventTimes}.
   */
  static String checkStepName(String readStep) {
    String what = readStep.startsWith("Read") ? readStep.substring("Read".length()) : readStep;
    return "Check" + what + "EventTimes";
  }

  private static Read checkEventTimes(
      PCollection<SourceRecord> records,
      String readStep,
      SerializableFunction<SourceRecord, Instant> eventTime,
      EventTimeBounds bounds) {
    String step = checkStepName(readStep);
    DivertImplausibleEventTimes check =
        DivertImplausibleEventTimes.of(eventTime, bounds).withStepName(step);
    PCollectionTuple checked = records.apply(step, check);
    return new Read(checked.get(check.recordsTag()), checked.get(check.deadLetterTag()));
  }

  /**
   * A live Kafka read of the input topics as the Kafka options say: consumer group, auto-commit,
   * where to stop. The caller adds the event time.
   */
  public static ReadKafka kafka(KafkaOptions options, String defaultGroup) {
    ReadKafka read =
        Kafka.read(options.getBootstrapServers(), options.getInputTopics())
            .withConsumerGroup(
                options.getConsumerGroup() != null ? options.getConsumerGroup() : defaultGroup);
    if (options.getKafkaAutoCommit()) {
      read = read.withAutoCommit();
    }
    if (options.getStopAtEnd()) {
      read = read.withStopAtEndOffsets();
    }
    if (options.getStopAtOffsets() != null) {
      read = read.withStopAtOffsets(stopOffsets(options));
    }
    return read;
  }

  /** {@code --stopAtOffsets=0=134,1=133} for the single input topic. */
  static Map<TopicPartition, Long> stopOffsets(KafkaOptions options) {
    List<String> topics = options.getInputTopics();
    if (topics.size() != 1) {
      throw new InvalidOptionException(
          "stopAtOffsets", "needs exactly one --inputTopics, was " + topics);
    }
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (String pair : options.getStopAtOffsets()) {
      String[] parts = pair.split("=", -1);
      try {
        if (parts.length != 2) {
          throw new NumberFormatException();
        }
        offsets.put(
            new TopicPartition(topics.get(0), Integer.parseInt(parts[0].trim())),
            Long.parseLong(parts[1].trim()));
      } catch (NumberFormatException e) {
        throw new InvalidOptionException(
            "stopAtOffsets", "'" + pair + "' is not partition=offset, e.g. 0=134", e);
      }
    }
    return offsets;
  }

  private static org.joda.time.Duration maxOutOfOrderness(SourceOptions options) {
    return OptionValues.duration("maxOutOfOrderness", options.getMaxOutOfOrderness());
  }
}
