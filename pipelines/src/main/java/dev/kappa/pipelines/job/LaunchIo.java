package dev.kappa.pipelines.job;

import dev.kappa.io.file.Files;
import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.UpsertRows;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.io.kafka.ReadKafka;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The records of a launched job: events and change streams from Kafka or files as the source mode
 * says, outputs to their {@link Target}, upserts into the database. Connects to nothing while the
 * job is built.
 */
public final class LaunchIo implements JobIo {

  @Override
  public PCollection<SourceRecord> readEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings) {
    String step = events.stepName();
    JobSettings.Source source = settings.source();
    if (source instanceof JobSettings.FilesSource files) {
      return pipeline.apply(step, Files.read(files.pattern()));
    }
    if (source instanceof JobSettings.ReplaySource replay) {
      return pipeline.apply(
          step,
          Files.replay(replay.pattern())
              .withEventTime(eventTime)
              .withSpeedUp(replay.speedUp())
              .withMaxOutOfOrderness(replay.maxOutOfOrderness()));
    }
    if (source instanceof JobSettings.KafkaRange range) {
      return pipeline.apply(
          step,
          Kafka.readRange(range.bootstrapServers(), range.topics(), range.from(), range.to())
              .withConsumerConfig(settings.kafkaClientConfig())
              .withEventTime(eventTime));
    }
    if (source instanceof JobSettings.KafkaStream stream) {
      return pipeline.apply(
          step, kafka(stream.read(), settings.kafkaClientConfig()).withEventTime(eventTime));
    }
    throw new IllegalStateException("unhandled source " + source);
  }

  /**
   * A Kafka range is read without extracting event times (each record would be decoded once more
   * for it); the other sources as {@link #readEvents}: files stamp none, the others are streams.
   */
  @Override
  public PCollection<SourceRecord> readUnstampedEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings) {
    if (settings.source() instanceof JobSettings.KafkaRange range) {
      return pipeline.apply(
          events.stepName(),
          Kafka.readRange(range.bootstrapServers(), range.topics(), range.from(), range.to())
              .withConsumerConfig(settings.kafkaClientConfig())
              .withoutEventTime());
    }
    return readEvents(pipeline, events, eventTime, settings);
  }

  /** A live Kafka read as the settings say: consumer group, auto-commit, where to stop. */
  private static ReadKafka kafka(JobSettings.KafkaRead settings, Map<String, Object> clientConfig) {
    ReadKafka read =
        Kafka.read(settings.bootstrapServers(), settings.topics())
            .withConsumerConfig(clientConfig)
            .withConsumerGroup(settings.consumerGroup());
    if (settings.maxOutOfOrderness() != null) {
      read = read.withMaxOutOfOrderness(settings.maxOutOfOrderness());
    }
    if (settings.autoCommit()) {
      read = read.withAutoCommit();
    }
    if (settings.stopAtEnd()) {
      read = read.withStopAtEndOffsets();
    }
    if (!settings.stopOffsets().isEmpty()) {
      read = read.withStopAtOffsets(settings.stopOffsets());
    }
    return read;
  }

  /**
   * A change stream is always read from its beginning, so that a temporal join has the whole
   * history: files are read whole (bounded, also in a streaming job); a Kafka topic is read from
   * its earliest offset without a consumer group (a restored job resumes from its checkpoint), and
   * in a bounded job from the topic's start to its end offsets at launch, keeping the changes whose
   * Kafka timestamps are before {@code --to}. A job that stops at the end of its input ({@code
   * --stopAtEnd}, {@code --stopAtOffsets}) reads the changes present at launch.
   */
  @Override
  public PCollection<SourceRecord> readChanges(
      Pipeline pipeline,
      Table<?, ?> table,
      JobSettings.ChangeStream changes,
      SerializableFunction<SourceRecord, Instant> changeTime,
      JobSettings settings) {
    String step = table.readStep();
    if (changes instanceof JobSettings.ChangeFiles files) {
      return pipeline.apply(step, Files.read(files.pattern()));
    }
    String topic = ((JobSettings.ChangeTopic) changes).topic();
    String servers = settings.changeServers();
    JobSettings.Source source = settings.source();
    if (settings.bounded()) {
      // A bounded job reads the table's history up to the end of its range, or all of it: every
      // change stamped before --to, from the topic's start to its end offsets at launch, however
      // disordered the Kafka timestamps (a change stamped after --to is skipped, not an end).
      Instant to =
          source instanceof JobSettings.KafkaRange range ? range.to() : settings.launchedAt();
      return pipeline.apply(
          step,
          Kafka.readUntil(servers, List.of(topic), to)
              .withConsumerConfig(settings.kafkaClientConfig())
              .withEventTime(changeTime));
    }
    // No consumer group and no commits: every launch reads the whole history again.
    ReadKafka read =
        Kafka.read(servers, List.of(topic))
            .withConsumerConfig(settings.kafkaClientConfig())
            .withCommitOffsetsInFinalize(false)
            .withEventTime(changeTime)
            .withMaxOutOfOrderness(settings.maxOutOfOrderness());
    if (source instanceof JobSettings.KafkaStream stream
        && (stream.read().stopAtEnd() || !stream.read().stopOffsets().isEmpty())) {
      read = read.withStopAtEndOffsets();
    }
    return pipeline.apply(step, read);
  }

  /**
   * In a bounded job, the change history {@link #readChanges} would read, read by this process: the
   * files whole (if they can be seen from here), or the topic from its start to its end offsets at
   * launch, keeping the changes stamped before {@code --to}.
   */
  @Override
  public @Nullable List<SourceRecord> readChangesNow(
      Table<?, ?> table, JobSettings.ChangeStream changes, JobSettings settings, long maxRecords)
      throws IOException {
    if (!settings.bounded()) {
      return null;
    }
    if (changes instanceof JobSettings.ChangeFiles files) {
      return Files.read(files.pattern()).readNow(maxRecords);
    }
    String topic = ((JobSettings.ChangeTopic) changes).topic();
    JobSettings.Source source = settings.source();
    Instant to =
        source instanceof JobSettings.KafkaRange range ? range.to() : settings.launchedAt();
    return Kafka.readUntil(settings.changeServers(), List.of(topic), to)
        .withConsumerConfig(settings.kafkaClientConfig())
        .readNow(maxRecords);
  }

  @Override
  public <T extends SpecificRecordBase> void write(
      PCollection<T> records, Output<?, T> output, Target target, JobSettings settings) {
    Outputs.write(records, output, target, settings.kafkaWrite());
  }

  @Override
  public <T extends SpecificRecordBase> PCollection<DeadLetter> upsert(
      PCollection<T> rows, ResultTable<?, T> table, String tableName, JobSettings settings) {
    UpsertRows<T> upsert =
        Jdbc.upsert(table.recordClass())
            .into(settings.database(), tableName)
            .keyedBy(table.keyColumns().toArray(String[]::new))
            .withStepName(table.stepName());
    if (!table.versionColumns().isEmpty()) {
      upsert = upsert.versionedBy(table.versionColumns().toArray(String[]::new));
    }
    if (table.tombstoneColumn() != null) {
      upsert = upsert.withTombstones(table.tombstoneColumn());
    }
    return rows.apply(table.stepName(), upsert);
  }

  @Override
  public <T extends SpecificRecordBase> PCollection<DeadLetter> delete(
      PCollection<T> keys, ResultTable<?, T> table, String tableName, JobSettings settings) {
    UpsertRows<T> delete =
        Jdbc.delete(table.recordClass())
            .into(settings.database(), tableName)
            .withStepName(table.stepName());
    if (table.tombstoneColumn() != null) {
      delete = delete.withTombstones(table.tombstoneColumn());
    }
    return keys.apply(table.stepName(), delete);
  }
}
