package dev.kappa.pipelines.job;

import dev.kappa.io.file.Files;
import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.UpsertRows;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.io.kafka.ReadKafka;
import dev.kappa.options.EnrichmentOptions.Enrichment;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of a launched job: events and change streams from Kafka or files as the source mode
 * says, outputs to their {@link Target}, upserts into the database. Connects to nothing while the
 * job is built, except to read the change histories a bounded run loads at launch ({@link
 * #readChangesNow}).
 *
 * <p>{@link #readingAhead} starts those reads as soon as the options are parsed, each on a thread
 * of its own, so that they run beside the launch checks and one another instead of one after the
 * other while the job is built; {@link #readChangesNow} then waits for the read already under way.
 * {@link #close} stops and waits for the reads the build did not take (a launch that failed).
 */
public final class LaunchIo implements JobIo, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchIo.class);

  /** How long {@link #close} waits for an interrupted read to end (its consumer to close). */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** The reads started by {@link #readingAhead}, by what they read; taken once each. */
  private final Map<ChangeRead, Future<List<SourceRecord>>> started;

  @Nullable private final ExecutorService executor;

  /** The executor's threads, so that {@link #close} can wait until each has ended. */
  private final List<Thread> threads;

  /** What {@link #readChangesNow} was, or will be, asked to read. */
  private record ChangeRead(
      String table, JobSettings.ChangeStream changes, JobSettings settings, long maxRecords) {}

  /** Reads nothing before it is asked to. */
  public LaunchIo() {
    this(Map.of(), null, List.of());
  }

  private LaunchIo(
      Map<ChangeRead, Future<List<SourceRecord>>> started,
      @Nullable ExecutorService executor,
      List<Thread> threads) {
    this.started = new ConcurrentHashMap<>(started);
    this.executor = executor;
    this.threads = threads;
  }

  /**
   * Starts reading, each on a daemon thread of its own, the change history of every table that
   * {@code job} joins and whose history its run loads at launch ({@link
   * JobSettings#loadsChangesAtLaunch}): exactly the reads its build will ask {@link
   * #readChangesNow} for, none in a stream, a lookup or a join that keeps its side input. Close it
   * when the job is built, or when the launch fails.
   */
  public static <O extends PipelineOptions> LaunchIo readingAhead(
      KappaJob<O> job, JobSettings settings) {
    List<Table<O, ?>> tables = new ArrayList<>();
    for (JobPart<O> part : job.parts()) {
      if (part instanceof Table<O, ?> table
          && table.joined()
          && settings.join(table).enrichment() == Enrichment.TEMPORAL
          && settings.loadsChangesAtLaunch(settings.join(table))) {
        tables.add(table);
      }
    }
    if (tables.isEmpty()) {
      return new LaunchIo();
    }
    List<Thread> threads = new CopyOnWriteArrayList<>();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            tables.size(),
            runnable -> {
              Thread thread = new Thread(runnable, "kappa-launch-read-" + (threads.size() + 1));
              thread.setDaemon(true);
              threads.add(thread);
              return thread;
            });
    Map<ChangeRead, Future<List<SourceRecord>>> started = new LinkedHashMap<>();
    for (Table<O, ?> table : tables) {
      JobSettings.Join join = settings.join(table);
      ChangeRead read =
          new ChangeRead(table.name(), join.changes(), settings, join.preloadChangesUpTo());
      started.put(
          read, executor.submit(() -> readNow(read.changes(), settings, read.maxRecords())));
    }
    return new LaunchIo(started, executor, threads);
  }

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

  /** The tables whose change histories were started by {@link #readingAhead} and not yet taken. */
  List<String> readingAheadFor() {
    return started.keySet().stream().map(ChangeRead::table).sorted().toList();
  }

  /**
   * In a bounded job, the change history {@link #readChanges} would read, read by this process: the
   * files whole (if they can be seen from here), or the topic from its start to its end offsets at
   * launch, keeping the changes stamped before {@code --to}. Waits for the read {@link
   * #readingAhead} started for the same table, if there is one, and fails as it failed.
   */
  @Override
  public @Nullable List<SourceRecord> readChangesNow(
      Table<?, ?> table, JobSettings.ChangeStream changes, JobSettings settings, long maxRecords)
      throws IOException {
    if (!settings.bounded()) {
      return null;
    }
    Future<List<SourceRecord>> read =
        started.remove(new ChangeRead(table.name(), changes, settings, maxRecords));
    if (read == null) {
      return readNow(changes, settings, maxRecords);
    }
    try {
      return read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      read.cancel(true);
      throw new InterruptedIOException("interrupted while reading the changes of " + table);
    } catch (ExecutionException e) {
      // The read's own exception, as if this thread had read: the caller names the table.
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause.getMessage(), cause);
    }
  }

  private static @Nullable List<SourceRecord> readNow(
      JobSettings.ChangeStream changes, JobSettings settings, long maxRecords) throws IOException {
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

  /**
   * Stops the reads {@link #readingAhead} started that were not taken (interrupting their Kafka
   * consumers) and waits until their threads have ended.
   */
  @Override
  public void close() {
    if (executor == null) {
      return;
    }
    started.values().forEach(read -> read.cancel(true));
    started.clear();
    executor.shutdownNow();
    // The threads themselves, not only the executor's termination, which a worker signals just
    // before its thread ends.
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    try {
      for (Thread thread : threads) {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (thread.isAlive()) {
          LOG.warn("a read of the launch did not stop within {}", STOP_TIMEOUT);
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
