package dev.kappa.pipelines.job;

import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.io.kafka.DeliveryGuarantee;
import dev.kappa.options.BackfillOptions;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.EnrichmentOptions;
import dev.kappa.options.EnrichmentOptions.BoundedTemporalJoin;
import dev.kappa.options.EnrichmentOptions.Enrichment;
import dev.kappa.options.EnrichmentOptions.MissingKey;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.KafkaReadOptions;
import dev.kappa.options.KafkaWriteOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.options.OutputVersionOptions;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.KafkaSafety;
import dev.kappa.pipelines.LaunchChecks;
import dev.kappa.pipelines.Secrets;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.windowing.EventTimeBounds;
import dev.kappa.transforms.windowing.Windowing;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A job's options parsed once, before any step is added: the source and its mode, the event-time
 * bounds, the windowing, the Kafka read and write settings, the database, and per {@link JobPart}
 * its target, join or table. A bad option fails here with an {@link InvalidOptionException} naming
 * it, without contacting any server; {@link #launchChecks} then says what to check against the
 * servers at launch.
 */
public final class JobSettings {

  /** Where a job's events come from: the one choice every reading job makes by its options. */
  public sealed interface Source extends Serializable
      permits FilesSource, ReplaySource, KafkaStream, KafkaRange {}

  /** Files read once: a bounded run. */
  public record FilesSource(String pattern) implements Source {}

  /** One file replayed as an unbounded stream, paced in event time. */
  public record ReplaySource(String pattern, double speedUp, Duration maxOutOfOrderness)
      implements Source {}

  /** Kafka topics as an unbounded stream. */
  public record KafkaStream(KafkaRead read) implements Source {}

  /** The records of Kafka topics between two Kafka timestamps: a bounded backfill. */
  public record KafkaRange(String bootstrapServers, List<String> topics, Instant from, Instant to)
      implements Source {}

  /** How a live Kafka read consumes its topics. */
  public record KafkaRead(
      String bootstrapServers,
      List<String> topics,
      String consumerGroup,
      boolean autoCommit,
      boolean stopAtEnd,
      Map<TopicPartition, Long> stopOffsets,
      @Nullable Duration maxOutOfOrderness)
      implements Serializable {}

  /**
   * How a job's Kafka outputs are written; {@code clientConfig} holds the settings of {@code
   * --kafkaClientProperties}, never shown by {@code toString}.
   */
  public record KafkaWrite(
      String bootstrapServers,
      DeliveryGuarantee delivery,
      String sinkGroupId,
      Map<String, Object> clientConfig)
      implements Serializable {
    @Override
    public String toString() {
      return "KafkaWrite[bootstrapServers="
          + bootstrapServers
          + ", delivery="
          + delivery
          + ", sinkGroupId="
          + sinkGroupId
          + ", clientConfig="
          + Secrets.masked(clientConfig)
          + "]";
    }
  }

  /** A reference table's change stream. */
  public sealed interface ChangeStream extends Serializable permits ChangeFiles, ChangeTopic {}

  /** JSON-lines files of change events, read whole. */
  public record ChangeFiles(String pattern) implements ChangeStream {}

  /** A Kafka topic of change events, read from its start. */
  public record ChangeTopic(String topic) implements ChangeStream {}

  /** How one reference table is joined. */
  public record Join(
      Enrichment enrichment,
      @Nullable ChangeStream changes,
      MissingKeyPolicy missingKeys,
      int lookupCacheSize,
      Duration lookupCacheTtl,
      Duration snapshotRefresh,
      BoundedTemporalJoin boundedTemporalJoin,
      long preloadChangesUpTo) {}

  private final String jobName;
  @Nullable private final Source source;
  private final EventTimeBounds bounds;
  @Nullable private final Windowing windowing;
  @Nullable private final String kafkaServers;
  private final Map<String, Object> kafkaClientConfig;
  @Nullable private final KafkaWrite kafkaWrite;
  @Nullable private final JdbcConfig database;
  @Nullable private final Target deadLetters;
  private final boolean freshStart;
  private final java.time.Duration connectTimeout;
  private final Duration maxOutOfOrderness;
  private final Instant launchedAt = Instant.now();
  private final Map<JobPart<?>, Object> parts;
  @Nullable private final OutputVersion outputVersion;
  private final List<OutputVersions.VersionedOutput> versionedOutputs;

  private JobSettings(
      String jobName,
      @Nullable Source source,
      EventTimeBounds bounds,
      @Nullable Windowing windowing,
      @Nullable String kafkaServers,
      Map<String, Object> kafkaClientConfig,
      @Nullable KafkaWrite kafkaWrite,
      @Nullable JdbcConfig database,
      @Nullable Target deadLetters,
      boolean freshStart,
      java.time.Duration connectTimeout,
      Duration maxOutOfOrderness,
      Map<JobPart<?>, Object> parts,
      @Nullable OutputVersion outputVersion,
      List<OutputVersions.VersionedOutput> versionedOutputs) {
    this.outputVersion = outputVersion;
    this.versionedOutputs = List.copyOf(versionedOutputs);
    this.jobName = jobName;
    this.source = source;
    this.bounds = bounds;
    this.windowing = windowing;
    this.kafkaServers = kafkaServers;
    this.kafkaClientConfig = kafkaClientConfig;
    this.kafkaWrite = kafkaWrite;
    this.database = database;
    this.deadLetters = deadLetters;
    this.freshStart = freshStart;
    this.connectTimeout = connectTimeout;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.parts = parts;
  }

  /**
   * Parses every option of {@code job} in {@code options}.
   *
   * @throws InvalidOptionException naming the first bad option
   */
  public static <O extends PipelineOptions> JobSettings parse(KappaJob<O> job, O options) {
    Class<O> type = job.optionsClass();
    if (SourceOptions.class.isAssignableFrom(type)
        && BackfillOptions.class.isAssignableFrom(type)) {
      KafkaSafety.check(options);
    } else if (KafkaOptions.class.isAssignableFrom(type)) {
      KafkaSafety.checkKafka(options);
    }
    // Read first: a launch with an unreadable file fails before anything else is looked at.
    Map<String, Object> kafkaClientConfig =
        KafkaOptions.class.isAssignableFrom(type) ? Secrets.kafkaClientConfig(options) : Map.of();
    Windowing windowing = null;
    if (WindowingOptions.class.isAssignableFrom(type)
        && LatenessOptions.class.isAssignableFrom(type)) {
      windowing = OptionValues.windowing((WindowingOptions & LatenessOptions) options);
    }
    java.time.Duration connectTimeout =
        OptionValues.connectTimeout(
            "connectTimeout",
            ConnectionOptions.class.isAssignableFrom(type)
                ? ((ConnectionOptions) options).getConnectTimeout()
                : ConnectionOptions.DEFAULT_CONNECT_TIMEOUT);
    EventTimeBounds bounds =
        SourceOptions.class.isAssignableFrom(type)
            ? OptionValues.eventTimeBounds((SourceOptions) options)
            : EventTimeBounds.create();

    checkTombstones(job);
    OutputVersion version =
        OutputVersion.parse(options.as(OutputVersionOptions.class).getOutputVersion());
    List<OutputVersions.VersionedOutput> versioned = new ArrayList<>();
    String group = version == null ? job.defaultGroup() : version.group(job.defaultGroup());
    Source source = null;
    Map<JobPart<?>, Object> parsed = new LinkedHashMap<>();
    for (JobPart<O> part : job.parts()) {
      if (part instanceof Events<O> events) {
        if (source != null) {
          throw new IllegalStateException(job.name() + " reads events twice: " + events);
        }
        source = source(options, type, events, group, version);
        parsed.put(events, source);
      }
    }
    boolean bounded = source instanceof FilesSource || source instanceof KafkaRange;
    if (windowing != null && bounded) {
      // A backfill gives each window's final answer once; a speculative pane on a slow run would
      // only be a second, partial row for the same window.
      windowing = windowing.withoutEarlyFirings();
    }
    KafkaWrite kafkaWrite = null;
    if (KafkaWriteOptions.class.isAssignableFrom(type)) {
      KafkaWriteOptions write = (KafkaWriteOptions) options;
      kafkaWrite =
          new KafkaWrite(
              write.getBootstrapServers(),
              write.getKafkaDelivery() == KafkaWriteOptions.Delivery.EXACTLY_ONCE
                  ? DeliveryGuarantee.EXACTLY_ONCE
                  : DeliveryGuarantee.AT_LEAST_ONCE,
              write.getSinkGroupId() == null
                  ? group
                  : version == null
                      ? write.getSinkGroupId()
                      : version.group(write.getSinkGroupId()),
              kafkaClientConfig);
    }
    Target deadLetters = null;
    if (DeadLetterOptions.class.isAssignableFrom(type)) {
      deadLetters =
          versioned(
              version,
              "deadLetterOutput",
              target(
                  "deadLetterOutput",
                  ((DeadLetterOptions) options).getDeadLetterOutput(),
                  kafkaWrite),
              versioned);
    }
    boolean needsDatabase = false;
    for (JobPart<O> part : job.parts()) {
      if (part instanceof Output<O, ?> output) {
        String text = output.option().read(options);
        boolean unset = output.optional() && (text == null || text.isBlank());
        parsed.put(
            output,
            unset
                ? null
                : versioned(
                    version,
                    output.option().name(),
                    target(output.option().name(), text, kafkaWrite),
                    versioned));
      } else if (part instanceof Table<O, ?> table) {
        Join join = join(table, options, source);
        needsDatabase |= join.enrichment() != Enrichment.TEMPORAL;
        parsed.put(table, join);
      } else if (part instanceof ResultTable<O, ?> results) {
        String name = results.option().read(options);
        boolean set = name != null && !name.isBlank();
        String table = set ? name.trim() : null;
        if (set && version != null) {
          OutputVersions.checkTableName(results.option().name(), table);
          versioned.add(
              new OutputVersions.VersionedOutput(
                  results.option().name(), OutputVersions.Kind.TABLE, table, version.table(table)));
          table = version.table(table);
        }
        parsed.put(results, table);
        needsDatabase |= set;
      }
    }
    if (version != null && options.as(JdbcOptions.class).getJdbcUrl() == null) {
      throw new InvalidOptionException(
          "jdbcUrl",
          "is required with --outputVersion: PostgreSQL records which version of each job is"
              + " live (table kappa_live_versions), and holds the views of its result tables");
    }
    JdbcConfig database =
        needsDatabase || version != null ? database(options, connectTimeout) : null;
    job.checkOptions(options);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    // Jobs in a Flink application cluster restore through Flink's own configuration, which the
    // job cannot see: they count as restored.
    boolean freshStart =
        flink.getSavepointPath() == null && !"[auto]".equals(flink.getFlinkMaster());
    return new JobSettings(
        job.name(),
        source,
        bounds,
        windowing,
        KafkaOptions.class.isAssignableFrom(type)
            ? options.as(KafkaOptions.class).getBootstrapServers()
            : null,
        kafkaClientConfig,
        kafkaWrite,
        database,
        deadLetters,
        freshStart,
        connectTimeout,
        SourceOptions.class.isAssignableFrom(type)
            ? OptionValues.duration(
                "maxOutOfOrderness", ((SourceOptions) options).getMaxOutOfOrderness())
            : Duration.ZERO,
        parsed,
        version,
        versioned);
  }

  /**
   * {@code target} under {@code version}'s name (as it is without a version), noting a renamed
   * Kafka topic or file prefix in {@code versioned}.
   */
  private static Target versioned(
      @Nullable OutputVersion version,
      String option,
      Target target,
      List<OutputVersions.VersionedOutput> versioned) {
    if (version == null) {
      return target;
    }
    Target renamed = version.target(target);
    if (target instanceof Target.KafkaTopic topic) {
      versioned.add(
          new OutputVersions.VersionedOutput(
              option,
              OutputVersions.Kind.TOPIC,
              topic.topic(),
              ((Target.KafkaTopic) renamed).topic()));
    } else if (target instanceof Target.Files files) {
      versioned.add(
          new OutputVersions.VersionedOutput(
              option,
              OutputVersions.Kind.FILES,
              files.prefix(),
              ((Target.Files) renamed).prefix()));
    }
    return renamed;
  }

  private static Source source(
      PipelineOptions options,
      Class<?> type,
      Events<?> events,
      String defaultGroup,
      @Nullable OutputVersion version) {
    if (!SourceOptions.class.isAssignableFrom(type)) {
      // No source options: the reader's own watermark (a job that archives, not windows).
      return new KafkaStream(kafkaRead(options, events, defaultGroup, version, null));
    }
    SourceOptions source = (SourceOptions) options;
    Duration maxOutOfOrderness =
        OptionValues.duration("maxOutOfOrderness", source.getMaxOutOfOrderness());
    switch (source.getSource()) {
      case FILES:
        return new FilesSource(OptionValues.required("input", source.getInput()));
      case REPLAY:
        return new ReplaySource(
            OptionValues.required("input", source.getInput()),
            OptionValues.speedUp("replaySpeedUp", source.getReplaySpeedUp()),
            maxOutOfOrderness);
      case KAFKA:
        BackfillOptions backfill = options.as(BackfillOptions.class);
        if (backfill.getFrom() != null) {
          return new KafkaRange(
              options.as(KafkaOptions.class).getBootstrapServers(),
              topics(options.as(KafkaReadOptions.class), events),
              OptionValues.instant("from", backfill.getFrom()),
              OptionValues.instant("to", backfill.getTo()));
        }
        return new KafkaStream(
            kafkaRead(options, events, defaultGroup, version, maxOutOfOrderness));
    }
    throw new IllegalStateException("unhandled source " + source.getSource());
  }

  private static List<String> topics(KafkaReadOptions options, Events<?> events) {
    List<String> topics =
        options.getInputTopics() != null ? options.getInputTopics() : events.defaultTopics();
    if (topics.isEmpty()) {
      throw new InvalidOptionException("inputTopics", "is required: the topics to read");
    }
    return List.copyOf(topics);
  }

  private static KafkaRead kafkaRead(
      PipelineOptions options,
      Events<?> events,
      String defaultGroup,
      @Nullable OutputVersion version,
      @Nullable Duration maxOutOfOrderness) {
    KafkaReadOptions read = options.as(KafkaReadOptions.class);
    List<String> topics = topics(read, events);
    String group =
        read.getConsumerGroup() == null
            ? defaultGroup
            : version == null ? read.getConsumerGroup() : version.group(read.getConsumerGroup());
    return new KafkaRead(
        read.getBootstrapServers(),
        topics,
        group,
        read.getKafkaAutoCommit(),
        read.getStopAtEnd(),
        read.getStopAtOffsets() == null ? Map.of() : stopOffsets(read.getStopAtOffsets(), topics),
        maxOutOfOrderness);
  }

  /** {@code --stopAtOffsets=0=134,1=133} for the single input topic. */
  static Map<TopicPartition, Long> stopOffsets(List<String> pairs, List<String> topics) {
    if (topics.size() != 1) {
      throw new InvalidOptionException(
          "stopAtOffsets", "needs exactly one --inputTopics, was " + topics);
    }
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (String pair : pairs) {
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
    return Map.copyOf(offsets);
  }

  private static Target target(String option, @Nullable String text, @Nullable KafkaWrite kafka) {
    Target target = Target.parse(option, text);
    if (target instanceof Target.KafkaTopic && kafka == null) {
      throw new InvalidOptionException(option, "this job does not write to Kafka");
    }
    return target;
  }

  private static <O extends PipelineOptions> Join join(
      Table<O, ?> table, O options, @Nullable Source source) {
    EnrichmentOptions enrichment = options.as(EnrichmentOptions.class);
    if (!table.joined()) {
      // A change stream the job reads as input (JobContext.changes), not a table it joins.
      return new Join(
          Enrichment.TEMPORAL,
          changeStream(table, options, null),
          MissingKeyPolicy.passThrough(),
          enrichment.getLookupCacheSize(),
          OptionValues.duration("lookupCacheTtl", enrichment.getLookupCacheTtl()),
          OptionValues.duration("snapshotRefresh", enrichment.getSnapshotRefresh()),
          boundedTemporalJoin(enrichment.getBoundedTemporalJoin()),
          preloadChangesUpTo(enrichment));
    }
    String enrichmentOption = table.enrichment().name();
    Enrichment kind = table.enrichment().read(options);
    MissingKey missing = table.missingKeysOption().read(options);
    MissingKeyPolicy missingKeys =
        switch (missing) {
          case PASS_THROUGH -> MissingKeyPolicy.passThrough();
          case DEAD_LETTER -> MissingKeyPolicy.deadLetter();
          case WAIT ->
              MissingKeyPolicy.waitUpTo(
                  OptionValues.duration("missingKeyTimeout", enrichment.getMissingKeyTimeout()));
        };
    ChangeStream changes = null;
    if (kind == Enrichment.TEMPORAL) {
      changes = changeStream(table, options, enrichmentOption);
    }
    if (kind == Enrichment.SNAPSHOT && missingKeys.waits()) {
      throw new InvalidOptionException(
          table.missingKeysOption().name(),
          "WAIT does not work with SNAPSHOT enrichment (a held order cannot see a newer"
              + " snapshot in Beam Java); use PASS_THROUGH or DEAD_LETTER, or --"
              + enrichmentOption
              + "=LOOKUP or TEMPORAL");
    }
    return new Join(
        kind,
        changes,
        missingKeys,
        enrichment.getLookupCacheSize(),
        OptionValues.duration("lookupCacheTtl", enrichment.getLookupCacheTtl()),
        OptionValues.duration("snapshotRefresh", enrichment.getSnapshotRefresh()),
        boundedTemporalJoin(enrichment.getBoundedTemporalJoin()),
        preloadChangesUpTo(enrichment));
  }

  /** {@code --preloadChangesUpTo}: not negative. */
  private static long preloadChangesUpTo(EnrichmentOptions enrichment) {
    long limit = enrichment.getPreloadChangesUpTo();
    if (limit < 0) {
      throw new InvalidOptionException(
          "preloadChangesUpTo",
          "must be a number of change records, 0 or more (0: the job reads every history), was "
              + limit);
    }
    return limit;
  }

  /**
   * The change stream the table's {@code changesIn} option names: {@code kafka:<topic>} or files.
   *
   * @param enrichmentOption the option that chose a temporal join, or null for a change stream the
   *     job reads as input
   */
  private static <O extends PipelineOptions> ChangeStream changeStream(
      Table<O, ?> table, O options, @Nullable String enrichmentOption) {
    String spec = table.changes().read(options);
    String changesOption = table.changes().name();
    if (spec == null || spec.isBlank()) {
      String what =
          "'kafka:<topic>' or JSON-lines files of the " + table.name() + " table's change events";
      throw new InvalidOptionException(
          changesOption,
          enrichmentOption == null
              ? "is required: " + what
              : "is required with --"
                  + enrichmentOption
                  + "=TEMPORAL (the default): "
                  + what
                  + "; or choose --"
                  + enrichmentOption
                  + "=LOOKUP or SNAPSHOT with --jdbcUrl");
    }
    String value = spec.trim();
    if (value.startsWith(Target.KAFKA_PREFIX)) {
      String topic = value.substring(Target.KAFKA_PREFIX.length()).trim();
      if (topic.isEmpty()) {
        throw new InvalidOptionException(changesOption, "names no topic after 'kafka:'");
      }
      return new ChangeTopic(topic);
    }
    return new ChangeFiles(value);
  }

  /** {@code --boundedTemporalJoin}: {@code broadcast} or {@code keyed}, in any case. */
  static BoundedTemporalJoin boundedTemporalJoin(@Nullable String text) {
    String value = text == null ? "" : text.trim();
    for (BoundedTemporalJoin choice : BoundedTemporalJoin.values()) {
      if (choice.name().equalsIgnoreCase(value)) {
        return choice;
      }
    }
    throw new InvalidOptionException(
        "boundedTemporalJoin",
        "'"
            + text
            + "' is not 'broadcast' (the table's whole history in memory on every task) or"
            + " 'keyed' (the streaming job's keyed join, for a table too large for memory)");
  }

  /** The database connection settings; {@code --jdbcUrl} is required once anything uses it. */
  private static JdbcConfig database(PipelineOptions options, java.time.Duration connectTimeout) {
    JdbcOptions jdbc = options.as(JdbcOptions.class);
    String url = OptionValues.required("jdbcUrl", jdbc.getJdbcUrl());
    String password = Secrets.jdbcPassword(jdbc);
    try {
      return JdbcConfig.of(url, jdbc.getJdbcUser(), password)
          .withConnectTimeout(connectTimeout)
          .withBatchSize(jdbc.getJdbcBatchSize())
          .withRetryBudget(
              Integer.MAX_VALUE,
              java.time.Duration.ofMillis(
                  OptionValues.duration("jdbcRetryTimeout", jdbc.getJdbcRetryTimeout())
                      .getMillis()));
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException("jdbcUrl", e.getMessage(), e);
    }
  }

  /**
   * What must be checked against the servers before the job starts, in the order {@link
   * LaunchChecks#run} runs them: input files and change files match; each Kafka cluster answers and
   * has the topics read, and no exactly-once output of a fresh start has earlier progress; the
   * database answers and each table has the record's columns.
   */
  public <O extends PipelineOptions> LaunchChecks launchChecks(KappaJob<O> job) {
    LaunchChecks checks =
        LaunchChecks.within(connectTimeout).withKafkaClientConfig(kafkaClientConfig);
    if (source instanceof FilesSource files) {
      checks.files("input", files.pattern());
    } else if (source instanceof ReplaySource replay) {
      checks.files("input", replay.pattern());
    } else if (source instanceof KafkaStream stream) {
      checks.kafkaTopics(stream.read().bootstrapServers(), "inputTopics", stream.read().topics());
    } else if (source instanceof KafkaRange range) {
      checks.kafkaTopics(range.bootstrapServers(), "inputTopics", range.topics());
    }
    for (JobPart<O> part : job.parts()) {
      if (part instanceof Table<O, ?> table) {
        Join join = join(table);
        if (join.changes() instanceof ChangeFiles files) {
          checks.files(table.changes().name(), files.pattern());
        } else if (join.changes() instanceof ChangeTopic topic) {
          checks.kafkaTopics(changeServers(), table.changes().name(), List.of(topic.topic()));
        } else {
          checks.table(table.enrichment().name(), database(), table.name(), table.rowClass());
        }
      } else if (part instanceof Output<O, ?> output) {
        checkTarget(checks, output.option().name(), target(output));
      } else if (part instanceof ResultTable<O, ?> results) {
        String name = resultTable(results);
        if (name != null) {
          String tombstone = results.tombstoneColumn();
          if (tombstone == null) {
            checks.table(results.option().name(), database(), name, results.recordClass());
          } else {
            checks.tombstonedTable(
                results.option().name(),
                database(),
                name,
                results.recordClass(),
                results.keyColumns(),
                tombstone);
          }
        }
      }
    }
    if (deadLetters != null) {
      checkTarget(checks, "deadLetterOutput", deadLetters);
    }
    return checks;
  }

  private void checkTarget(LaunchChecks checks, String option, @Nullable Target target) {
    if (target instanceof Target.KafkaTopic topic) {
      checks.kafkaOutput(kafkaWrite.bootstrapServers(), option, topic.topic());
      if (freshStart && kafkaWrite.delivery() == DeliveryGuarantee.EXACTLY_ONCE) {
        checks.unusedSinkGroup(
            kafkaWrite.bootstrapServers(), kafkaWrite.sinkGroupId(), topic.topic());
      }
    }
  }

  /** How long the launch waits for each server to answer ({@code --connectTimeout}). */
  public java.time.Duration connectTimeout() {
    return connectTimeout;
  }

  /** The version of the job's outputs ({@code --outputVersion}); null for unversioned outputs. */
  @Nullable
  public OutputVersion outputVersion() {
    return outputVersion;
  }

  /** The outputs a versioned run renamed, in the order of the job's parts; empty without one. */
  public List<OutputVersions.VersionedOutput> versionedOutputs() {
    return versionedOutputs;
  }

  /** The job's name on the command line. */
  public String jobName() {
    return jobName;
  }

  /** Where the job's events come from; null if it reads none. */
  @Nullable
  public Source source() {
    return source;
  }

  /** Whether the job reads a finite input: files, or a Kafka range. */
  public boolean bounded() {
    return source instanceof FilesSource || source instanceof KafkaRange;
  }

  /** The Kafka bootstrap servers of the job's change topics ({@code --bootstrapServers}). */
  public String changeServers() {
    if (kafkaServers == null) {
      throw new IllegalStateException("the job's options have no Kafka options");
    }
    return kafkaServers;
  }

  /**
   * The Kafka client settings of {@code --kafkaClientProperties} (security settings), for every
   * consumer, producer and admin client of the job; empty if unset.
   */
  public Map<String, Object> kafkaClientConfig() {
    return kafkaClientConfig;
  }

  /** How far out of event-time order streamed records may arrive ({@code --maxOutOfOrderness}). */
  public Duration maxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  /** When the options were parsed: the end of a bounded job's change history. */
  public Instant launchedAt() {
    return launchedAt;
  }

  /**
   * Refuses a job whose result tables on one option disagree on tombstones when one of them deletes
   * rows: an upsert that ignored the delete's tombstones would bring deleted rows back.
   */
  static <O extends PipelineOptions> void checkTombstones(KappaJob<O> job) {
    Map<String, List<ResultTable<O, ?>>> byOption = new LinkedHashMap<>();
    for (JobPart<O> part : job.parts()) {
      if (part instanceof ResultTable<O, ?> results) {
        byOption
            .computeIfAbsent(results.option().name(), name -> new java.util.ArrayList<>())
            .add(results);
      }
    }
    for (List<ResultTable<O, ?>> tables : byOption.values()) {
      if (tables.stream().noneMatch(ResultTable::deletes)) {
        continue;
      }
      for (ResultTable<O, ?> table : tables) {
        if (!java.util.Objects.equals(table.tombstoneColumn(), tables.get(0).tombstoneColumn())
            || table.tombstoneColumn() == null) {
          throw new IllegalStateException(
              job.name()
                  + ": "
                  + tables
                  + " write one table and delete rows of it, so each needs the same"
                  + " withTombstones(...); "
                  + table
                  + " has "
                  + table.tombstoneColumn());
        }
      }
    }
  }

  public EventTimeBounds eventTimeBounds() {
    return bounds;
  }

  /** The windowing, without early firings in a bounded run. */
  public Windowing windowing() {
    if (windowing == null) {
      throw new IllegalStateException("the job's options have no windowing options");
    }
    return windowing;
  }

  @Nullable
  public KafkaWrite kafkaWrite() {
    return kafkaWrite;
  }

  /** The database; only when a part of the job uses it. */
  public JdbcConfig database() {
    if (database == null) {
      throw new IllegalStateException("no part of the job uses the database");
    }
    return database;
  }

  /** Where dead letters go; null if the job has no dead-letter output. */
  @Nullable
  public Target deadLetters() {
    return deadLetters;
  }

  /** The target of {@code output}; null for an optional output whose option is not set. */
  @Nullable
  public Target target(Output<?, ?> output) {
    return (Target) declared(output);
  }

  /** How {@code table} is joined. */
  public Join join(Table<?, ?> table) {
    return (Join) declared(table);
  }

  /**
   * Whether a temporal join {@code join} reads its table's change history at launch ({@link
   * JobContext#join}): in a bounded run, broadcast, with {@code --preloadChangesUpTo} above 0.
   */
  public boolean loadsChangesAtLaunch(Join join) {
    return bounded()
        && join.changes() != null
        && join.boundedTemporalJoin() == BoundedTemporalJoin.BROADCAST
        && join.preloadChangesUpTo() > 0;
  }

  /** The table name {@code results} are upserted into; null when its option is not set. */
  @Nullable
  public String resultTable(ResultTable<?, ?> results) {
    return (String) declared(results);
  }

  /** The output of dead letters, as every job writes them. */
  static final Output<PipelineOptions, DeadLetter> DEAD_LETTERS =
      Output.<PipelineOptions, DeadLetter>of("WriteDeadLetters", DeadLetter.class, "dead-letter")
          .to(
              "deadLetterOutput",
              options -> options.as(DeadLetterOptions.class).getDeadLetterOutput())
          .formattedBy(Outputs::human)
          .keyedBy(Outputs::deadLetterKey);

  /** What {@code part} was parsed into (null: an optional part that is not set). */
  @Nullable
  Object declared(JobPart<?> part) {
    if (!parts.containsKey(part)) {
      throw new IllegalStateException(part + " is not among the job's parts()");
    }
    return parts.get(part);
  }
}
