package dev.kappa.pipelines.ops;

import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.pipelines.Secrets;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.OutputVersion;
import dev.kappa.pipelines.job.OutputVersions;
import dev.kappa.pipelines.job.OutputVersions.Kind;
import dev.kappa.pipelines.job.OutputVersions.Run;
import dev.kappa.pipelines.job.OutputVersions.State;
import dev.kappa.pipelines.job.OutputVersions.VersionedOutput;
import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.job.ResultTable;
import dev.kappa.pipelines.reconcile.Comparison;
import dev.kappa.pipelines.reconcile.ReconcileReport;
import dev.kappa.pipelines.reconcile.Reconciler;
import dev.kappa.pipelines.reconcile.ResultSource;
import dev.kappa.schemas.codec.EventCodec;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code kappa cutover <job> --to=<version> [--force]}: makes another version of a job's outputs
 * live (docs/reprocessing.md). In order:
 *
 * <ol>
 *   <li><b>Caught up?</b> The new version's consumer group must have committed offsets on every
 *       partition of its input topics, lagging at most {@code --maxLag} records (default 0) behind
 *       their ends; and its Flink job (found by the name it was launched with, on {@code
 *       --flinkMaster}) must be running, with a watermark at most {@code --watermarkSlack} (default
 *       PT1M) behind the live version's, when that one runs too.
 *   <li><b>Reconciled?</b> The two versions' result tables are compared with {@code kappa
 *       reconcile}'s {@link Reconciler} over the windows that have closed in both (those ending by
 *       the lower of the two watermarks, or {@code --until}) and start at most {@code --recent}
 *       (default PT24H) before the live table's last window ends (or at {@code --since}); the two
 *       versions' too-late outputs explain differences, whichever diverted what the other counted
 *       (or {@code --tooLate=<path prefix | kafka:topic | none>}). The report is printed.
 *   <li><b>Switch.</b> Unless a check refused (and {@code --force} was not given), every stable
 *       view is replaced by a view of the new version's table, and {@code kappa_live_versions}
 *       updated, in one PostgreSQL transaction.
 *   <li><b>Stop the old version</b> with a savepoint ({@code --savepointDir}, else the cluster's),
 *       kept as a fallback: printed, with the command that resumes it, and recorded in {@code
 *       kappa_live_versions}. Rolling back is a cutover to the old version, after resuming it.
 * </ol>
 *
 * <p>The database password is the content of {@code --jdbcPasswordFile}, else {@code
 * KAPPA_JDBC_PASSWORD}; the Kafka clients that measure the lag and read too-late topics take the
 * settings of {@code --kafkaClientProperties} (docs/security.md).
 *
 * <p>Exit codes: 0 switched (or the version was already live); 1 refused: not caught up or
 * differences unexplained, nothing changed; 2 a usage error; 3 the database, Kafka or Flink could
 * not be read, or the version was never launched, nothing changed; 4 switched, but the old version
 * could not be stopped with a savepoint (the message says why; stop it with {@code kappa stop}).
 */
public final class CutoverCommand {
  private CutoverCommand() {}

  private static final Set<String> FLAGS = Set.of("force");
  private static final Set<String> OPTIONS =
      Set.of(
          "to",
          "jdbcUrl",
          "jdbcUser",
          "flinkMaster",
          "maxLag",
          "watermarkSlack",
          "since",
          "until",
          "recent",
          "tooLate",
          "savepointDir",
          "timeout",
          "jdbcPasswordFile",
          Secrets.KAFKA_OPTION);

  static final String USAGE =
      "kappa cutover <job> --to=<version> [--force] [--jdbcUrl=jdbc:postgresql://...]"
          + " [--jdbcUser=kappa] [--flinkMaster=localhost:8081] [--maxLag=0]"
          + " [--watermarkSlack=PT1M] [--since=<instant>] [--until=<instant>] [--recent=PT24H]"
          + " [--tooLate=<path prefix|kafka:topic|none>] [--savepointDir=<dir>] [--timeout=PT10M]"
          + " [--kafkaClientProperties=<file>] [--jdbcPasswordFile=<file>]";

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  /** Runs the command with {@code environment} for the environment variables. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
    OpsArguments arguments;
    KappaJob<?> job;
    OutputVersion to;
    JdbcConfig database;
    Map<String, Object> kafkaClient;
    try {
      arguments = OpsArguments.parse(args, FLAGS, OPTIONS);
      if (arguments.positional().size() != 1) {
        throw new OpsArguments.UsageException(
            "name one job (kappa list shows them), got " + arguments.positional());
      }
      String name = arguments.positional().get(0);
      job =
          KappaJobs.named(name)
              .orElseThrow(
                  () ->
                      new OpsArguments.UsageException(
                          "no job '" + name + "' (kappa list shows the jobs)"));
      to =
          OutputVersion.parse(
              arguments
                  .option("to")
                  .orElseThrow(
                      () ->
                          new OpsArguments.UsageException(
                              "--to=<version> is required: the version to make live, e.g. v2")));
      database = database(arguments, environment);
      kafkaClient = Secrets.kafkaClientConfig(arguments.option(Secrets.KAFKA_OPTION).orElse(null));
    } catch (OpsArguments.UsageException | IllegalArgumentException e) {
      err.println("kappa cutover: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try {
      return new Cutover(job, to.name(), database, kafkaClient, arguments, out, err).run();
    } catch (OpsArguments.UsageException e) {
      err.println("kappa cutover: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    } catch (SQLException e) {
      err.println(
          "kappa cutover: cannot read or switch the versions in "
              + database.redactedUrl()
              + ": "
              + e.getMessage());
      return 3;
    } catch (IllegalStateException
        | FlinkRestClient.UnreachableException
        | FlinkRestClient.RestException e) {
      err.println("kappa cutover: " + e.getMessage());
      return 3;
    }
  }

  /**
   * The database of {@code --jdbcUrl} (default the local server's) and {@code --jdbcUser}, with the
   * password as every command reads it ({@link Secrets#jdbcPassword}): the content of {@code
   * --jdbcPasswordFile}, else {@value Secrets#JDBC_PASSWORD_VARIABLE} in {@code environment}.
   *
   * @throws IllegalArgumentException naming the option when the file cannot be read or the URL is
   *     not PostgreSQL's
   */
  static JdbcConfig database(OpsArguments arguments, Map<String, String> environment) {
    return JdbcConfig.of(
        arguments.option("jdbcUrl").orElse("jdbc:postgresql://localhost:55432/kappa"),
        arguments.option("jdbcUser", "kappa"),
        Secrets.jdbcPassword(null, arguments.option("jdbcPasswordFile").orElse(null), environment));
  }

  /** One cutover, its steps as methods. */
  private static final class Cutover {
    private final KappaJob<?> job;
    private final String to;
    private final JdbcConfig database;
    private final OpsArguments arguments;
    private final Map<String, Object> kafkaClient;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean force;

    Cutover(
        KappaJob<?> job,
        String to,
        JdbcConfig database,
        Map<String, Object> kafkaClient,
        OpsArguments arguments,
        PrintStream out,
        PrintStream err) {
      this.job = job;
      this.to = to;
      this.database = database;
      this.arguments = arguments;
      this.kafkaClient = kafkaClient;
      this.out = out;
      this.err = err;
      this.force = arguments.flag("force");
    }

    int run() throws SQLException {
      State state = OutputVersions.read(database, job.name());
      if (state.live() == null) {
        throw new IllegalStateException(
            "no version of "
                + job.name()
                + " is recorded in "
                + OutputVersions.LIVE
                + ": launch it with --outputVersion=v1 first (docs/reprocessing.md)");
      }
      String from = state.live();
      if (from.equals(to)) {
        out.println("kappa cutover: " + to + " of " + job.name() + " is already live");
        return 0;
      }
      Run next = state.runs().get(to);
      if (next == null) {
        throw new IllegalStateException(
            "version "
                + to
                + " of "
                + job.name()
                + " was never launched (launched: "
                + String.join(", ", state.runs().keySet())
                + ")");
      }
      Run live = state.runs().get(from);
      Duration slack = arguments.duration("watermarkSlack", Duration.ofMinutes(1));
      long maxLag = maxLag();
      out.println("Cutover of " + job.name() + " from " + from + " to " + to);

      // 1. Caught up?
      List<String> behind = new ArrayList<>();
      behind.addAll(lag(next, maxLag));
      Watermarks watermarks;
      String master = flinkMaster();
      boolean unchecked = false;
      try (FlinkRestClient flink = FlinkRestClient.at(master)) {
        watermarks = watermarks(flink, live, next);
      } catch (FlinkRestClient.UnreachableException e) {
        if (!force) {
          throw e;
        }
        // Forced: versions on the embedded runner, or a cluster that is down. Nothing to check.
        out.println("  watermarks: unknown (" + e.getMessage() + ")");
        watermarks = new Watermarks(null, null);
        behind.add("no Flink cluster answers at " + master + ": " + to + "'s job not checked");
        unchecked = true;
      }
      if (unchecked) {
        // Said above.
      } else if (watermarks.next() == null) {
        behind.add(
            to + "'s Flink job " + next.flinkJobName() + " is not running or has no watermark yet");
      } else if (watermarks.live() != null
          && watermarks.next() < watermarks.live() - slack.toMillis()) {
        behind.add(
            to
                + "'s watermark "
                + Formats.watermark(watermarks.next())
                + " is more than "
                + slack
                + " behind "
                + from
                + "'s "
                + Formats.watermark(watermarks.live()));
      }
      if (behind.isEmpty()) {
        out.println("caught up: yes");
      } else {
        out.println("caught up: NO");
        behind.forEach(reason -> out.println("  " + reason));
      }

      // 2. Reconciled?
      boolean explained = reconcile(state, from, watermarks);

      if (!force && (!behind.isEmpty() || !explained)) {
        out.println(
            "kappa cutover: refused, nothing changed ("
                + (behind.isEmpty() ? "" : "not caught up")
                + (!behind.isEmpty() && !explained ? "; " : "")
                + (explained ? "" : "differences unexplained")
                + "); --force switches anyway");
        return 1;
      }

      // 3. Switch.
      OutputVersions.switchTo(database, job.name(), from, to);
      for (VersionedOutput output : state.outputs(to)) {
        if (output.kind() == Kind.TABLE) {
          out.println("switched: view " + output.stable() + " -> " + output.versioned());
        } else if (output.kind() == Kind.TOPIC) {
          out.println("switched: topic alias " + output.stable() + " -> " + output.versioned());
        }
      }
      out.println(to + " of " + job.name() + " is live (" + OutputVersions.LIVE + ")");

      // 4. Stop the old version with a savepoint, kept as a fallback. The switch is done: whatever
      // fails now is exit 4 (switched), never 3 (nothing changed).
      try {
        return stopOld(from, live);
      } catch (RuntimeException | SQLException e) {
        err.println(
            "kappa cutover: switched, but stopping "
                + from
                + (live == null || live.flinkJobName() == null
                    ? ""
                    : " (" + live.flinkJobName() + ")")
                + " with a savepoint failed: "
                + e.getMessage()
                + "; stop it with: kappa stop <its Flink job name> --savepoint (see kappa status)");
        return 4;
      }
    }

    private String flinkMaster() {
      return arguments.option("flinkMaster", "localhost:" + FlinkRestClient.DEFAULT_PORT);
    }

    private long maxLag() {
      String text = arguments.option("maxLag", "0");
      try {
        long value = Long.parseLong(text);
        if (value < 0) {
          throw new NumberFormatException();
        }
        return value;
      } catch (NumberFormatException e) {
        throw new OpsArguments.UsageException(
            "--maxLag must be a number of records >= 0, was '" + text + "'");
      }
    }

    /** Why the version's consumer group is behind its input topics; empty if it is not. */
    private List<String> lag(Run run, long maxLag) {
      if (run.consumerGroup() == null || run.bootstrapServers() == null) {
        return List.of(
            run.version() + " reads no Kafka stream with a consumer group: lag not measured");
      }
      KafkaLag.Report report =
          KafkaLag.read(
              run.bootstrapServers(), run.consumerGroup(), run.inputTopics(), kafkaClient);
      List<String> behind = new ArrayList<>();
      for (KafkaLag.PartitionLag partition : report.partitions()) {
        out.println(
            "  "
                + run.version()
                + " lag "
                + partition.topic()
                + "["
                + partition.partition()
                + "]: "
                + (partition.lag() == null
                    ? "no committed offset"
                    : partition.lag()
                        + " (committed "
                        + partition.committed()
                        + " of "
                        + partition.end()
                        + ")"));
        if (partition.committed() == null) {
          behind.add(
              run.consumerGroup()
                  + " has committed no offset of "
                  + partition.topic()
                  + "["
                  + partition.partition()
                  + "]");
        }
      }
      if (report.totalLag() > maxLag) {
        behind.add(
            run.consumerGroup()
                + " lags "
                + report.totalLag()
                + " records behind its input (--maxLag="
                + maxLag
                + ")");
      }
      return behind;
    }

    /** The two versions' watermarks, each null when its job is not running or has none. */
    private record Watermarks(@Nullable Long live, @Nullable Long next) {}

    private Watermarks watermarks(FlinkRestClient flink, @Nullable Run live, Run next) {
      List<FlinkRestClient.Job> jobs = flink.jobs();
      Long liveMark = live == null ? null : watermark(flink, jobs, live);
      Long nextMark = watermark(flink, jobs, next);
      out.println(
          "  watermarks: "
              + (live == null ? "?" : live.version())
              + " "
              + (liveMark == null ? "none (not running)" : Formats.watermark(liveMark))
              + ", "
              + next.version()
              + " "
              + (nextMark == null ? "none (not running)" : Formats.watermark(nextMark)));
      return new Watermarks(liveMark, nextMark);
    }

    /** The lowest input watermark of the run's running job; null if it has none or no job. */
    @Nullable
    private static Long watermark(FlinkRestClient flink, List<FlinkRestClient.Job> jobs, Run run) {
      return run.flinkJobName() == null ? null : JobWatermark.of(flink, jobs, run.flinkJobName());
    }

    /** Reconciles the two versions' tables and prints the report; whether all is explained. */
    private boolean reconcile(State state, String from, Watermarks watermarks) {
      Optional<Reconciliation<?, ?>> spec = job.reconciliation();
      if (spec.isEmpty()) {
        out.println("reconciled: no (" + job.name() + " declares no reconciliation)");
        return true;
      }
      return reconcile(spec.get(), state, from, watermarks);
    }

    private <R extends SpecificRecordBase, L extends SpecificRecordBase> boolean reconcile(
        Reconciliation<R, L> spec, State state, String from, Watermarks watermarks) {
      Optional<String> option = option(ResultTable.class, spec.resultClass());
      Optional<VersionedOutput> left = option.flatMap(o -> state.output(from, o));
      Optional<VersionedOutput> right = option.flatMap(o -> state.output(to, o));
      if (left.isEmpty() || right.isEmpty()) {
        out.println(
            "reconciled: no (the two versions do not both upsert their results into a table)");
        return true;
      }
      ResultSource leftSource = new ResultSource.Table(left.get().versioned());
      ResultSource rightSource = new ResultSource.Table(right.get().versioned());
      List<Row> leftRows =
          leftSource.read(spec.resultClass(), database, Reconciliation.TABLE_ORDER).stream()
              .map(spec::row)
              .toList();
      List<Row> rightRows =
          rightSource.read(spec.resultClass(), database, Reconciliation.TABLE_ORDER).stream()
              .map(spec::row)
              .toList();
      Instant until = instant("until");
      if (until == null && watermarks.next() != null) {
        long lower =
            watermarks.live() == null
                ? watermarks.next()
                : Math.min(watermarks.live(), watermarks.next());
        until = Instant.ofEpochMilli(lower);
      }
      Instant since = instant("since");
      if (since == null) {
        Duration recent = arguments.duration("recent", Duration.ofHours(24));
        Instant closed = until;
        Optional<Instant> last =
            leftRows.stream()
                .map(Row::windowEnd)
                .filter(end -> closed == null || !end.isAfter(closed))
                .max(Instant::compareTo);
        if (last.isPresent()) {
          since = last.get().minus(recent);
        }
      }
      String tooLateText = null;
      List<TooLate> tooLate = List.of();
      if (spec.tooLateClass() != null) {
        Optional<String> given = arguments.option("tooLate");
        if (given.isPresent()) {
          tooLateText = given.get().equals("none") ? null : given.get();
          if (tooLateText != null) {
            tooLate =
                readTooLate(spec.tooLateClass(), tooLateText, state.runs().get(from)).stream()
                    .map(spec::tooLate)
                    .toList();
          }
        } else {
          // Both versions' too-late records: what one diverted and the other counted explains a
          // difference either way (a group where both diverted stays unexplained).
          List<String> sources = new ArrayList<>();
          List<TooLate> records = new ArrayList<>();
          for (String version : List.of(from, to)) {
            Optional<VersionedOutput> output =
                option(Output.class, spec.tooLateClass()).flatMap(o -> state.output(version, o));
            if (output.isPresent() && output.get().kind() != Kind.TABLE) {
              String source =
                  (output.get().kind() == Kind.TOPIC ? "kafka:" : "") + output.get().versioned();
              sources.add(source);
              readTooLate(spec.tooLateClass(), source, state.runs().get(version)).stream()
                  .map(spec::tooLate)
                  .forEach(records::add);
            }
          }
          tooLateText = sources.isEmpty() ? null : String.join(" + ", sources);
          tooLate = List.copyOf(records);
        }
      }
      Comparison comparison =
          Reconciler.compare(
              leftRows, rightRows, tooLate, spec.measureNames(), spec::group, since, until);
      ReconcileReport.Sources sources =
          new ReconcileReport.Sources(
              job.name(),
              leftSource + " (" + from + ")",
              leftRows.size(),
              rightSource + " (" + to + ")",
              rightRows.size(),
              tooLateText,
              tooLate.size(),
              since,
              until);
      out.print(ReconcileReport.text(sources, comparison, spec.keyNames(), spec.groupNames()));
      return comparison.allExplained();
    }

    /** The option of the job's part of {@code type} writing records of {@code recordClass}. */
    private Optional<String> option(Class<?> type, Class<?> recordClass) {
      for (JobPart<?> part : job.parts()) {
        if (type == ResultTable.class
            && part instanceof ResultTable<?, ?> table
            && table.recordClass() == recordClass) {
          return Optional.of(table.optionName());
        }
        if (type == Output.class
            && part instanceof Output<?, ?> output
            && output.recordClass() == recordClass) {
          return Optional.of(output.optionName());
        }
      }
      return Optional.empty();
    }

    private <L extends SpecificRecordBase> List<L> readTooLate(
        Class<L> recordClass, String source, @Nullable Run run) {
      if (!source.startsWith("kafka:")) {
        return ResultSource.parse(source).read(recordClass, database, "");
      }
      if (run == null || run.bootstrapServers() == null) {
        throw new IllegalStateException(
            "too-late records " + source + ": the version's Kafka servers are not recorded");
      }
      return readTopic(run.bootstrapServers(), source.substring("kafka:".length()), recordClass);
    }

    /** Every record of {@code topic}, from its start to its end offsets now. */
    private <L extends SpecificRecordBase> List<L> readTopic(
        String servers, String topic, Class<L> recordClass) {
      Properties config = new Properties();
      config.putAll(kafkaClient);
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      EventCodec<L> codec = EventCodec.of(recordClass);
      List<L> records = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
          throw new IllegalStateException("too-late records: no topic " + topic + " at " + servers);
        }
        infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "too-late records: reading " + topic + " took over 60 s");
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            records.add(codec.decode(record.value()));
          }
        }
      }
      return records;
    }

    @Nullable
    private Instant instant(String option) {
      Optional<String> text = arguments.option(option);
      if (text.isEmpty()) {
        return null;
      }
      try {
        return Instant.parse(text.get());
      } catch (DateTimeParseException e) {
        throw new OpsArguments.UsageException(
            "--" + option + " must be an ISO-8601 instant, was '" + text.get() + "'");
      }
    }

    /** Stops the old version's Flink job with a savepoint; the exit code. */
    private int stopOld(String from, @Nullable Run live) throws SQLException {
      if (live == null || live.flinkJobName() == null) {
        out.println("no Flink job is recorded for " + from + ": nothing to stop");
        return 0;
      }
      try (FlinkRestClient flink = FlinkRestClient.at(flinkMaster())) {
        Optional<FlinkRestClient.Job> running;
        try {
          running =
              flink.jobs().stream()
                  .filter(j -> j.isActive() && j.name().equals(live.flinkJobName()))
                  .findFirst();
        } catch (FlinkRestClient.UnreachableException e) {
          // Only a forced cutover gets here without a cluster (the check above would have ended).
          err.println(
              "kappa cutover: switched, but "
                  + from
                  + "'s job "
                  + live.flinkJobName()
                  + " could not be stopped with a savepoint: "
                  + e.getMessage()
                  + ". On a cluster, stop it with: kappa stop "
                  + live.flinkJobName()
                  + " --savepoint; on the embedded runner, stop its launcher (Ctrl-C)");
          return 4;
        }
        if (running.isEmpty()) {
          out.println(
              from
                  + "'s Flink job "
                  + live.flinkJobName()
                  + " is not running at "
                  + flink.url()
                  + ": nothing to stop");
          return 0;
        }
        Map<String, String> jobOptions = flink.pipelineOptions(running.get().id());
        err.println(
            "kappa cutover: stopping "
                + JobLookup.describe(running.get())
                + " with a savepoint (the fallback) ...");
        String savepoint;
        try {
          savepoint =
              flink.stopWithSavepoint(
                  running.get().id(),
                  arguments.option("savepointDir").orElse(null),
                  false,
                  arguments.duration("timeout", Duration.ofMinutes(10)));
        } catch (FlinkRestClient.SavepointFailedException
            | FlinkRestClient.SavepointTimeoutException
            | FlinkRestClient.RestException e) {
          err.println(
              "kappa cutover: switched, but "
                  + JobLookup.describe(running.get())
                  + " could not be stopped with a savepoint ("
                  + e.getMessage()
                  + "); stop it with: kappa stop "
                  + live.flinkJobName()
                  + " --savepoint");
          return 4;
        }
        OutputVersions.recordFallback(database, job.name(), savepoint);
        out.println(
            "stopped " + from + " (" + live.flinkJobName() + "); fallback savepoint: " + savepoint);
        Optional<KappaJob<?>> pipeline = ResumeCommand.pipeline(jobOptions);
        if (pipeline.isPresent()) {
          out.println("to roll back, resume " + from + " with");
          out.println(
              ResumeCommand.build(pipeline.get(), jobOptions, Optional.empty(), savepoint)
                  .render("  "));
          out.println(
              "then: kappa cutover " + job.name() + " --to=" + from + " (or --force at once)");
        }
        return 0;
      }
    }
  }
}
