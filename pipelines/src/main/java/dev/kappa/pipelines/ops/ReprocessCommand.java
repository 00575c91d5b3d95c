package dev.kappa.pipelines.ops;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.JobSettings;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.OutputVersion;
import dev.kappa.pipelines.job.OutputVersions;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * {@code kappa reprocess <job> --from=<instant>|earliest --outputVersion=v2 [the new version's
 * options]}: starts a new version of a job as a stream beside the live one (docs/reprocessing.md),
 * reading its input topics from {@code --from} with its own consumer group and versioned outputs,
 * and shows its progress until it has caught up with the end of the topics at launch.
 *
 * <p>Before the launch the version's consumer group ({@code kappa-<job>-v2}) is given committed
 * offsets at {@code --from} on every partition (the first record at or after that time, by Kafka
 * timestamp; the earliest offset for {@code earliest}), which a Kappa stream starts from. A group
 * that has committed other offsets already is refused: that version ran before, and is resumed from
 * its savepoint, not restarted (the same start offsets again, after a launch that failed its
 * checks, are accepted). The launcher then runs the job as a stream while a progress line shows,
 * every two seconds, the records read out of the backlog per partition (from the offsets the job
 * commits at each checkpoint, so {@code --checkpointingInterval} is required on every runner), its
 * watermark against the live version's, and an estimate of the time left: a bar on a terminal, a
 * plain line every ten seconds otherwise ({@link CatchUp.Display}). Once caught up it says so and
 * names the cutover; the job keeps running.
 *
 * <ul>
 *   <li>On a Flink cluster ({@code --flinkMaster=<host:port>}) the job is submitted detached; both
 *       watermarks come from the cluster's REST API, and the launcher returns once caught up (exit
 *       0), leaving the job running on the cluster; a job that ends first makes it exit 1.
 *   <li>On the embedded runner ({@code --flinkMaster=[local]} or {@code [auto]}, or none) the job
 *       runs in the launcher's JVM as with {@code kappa run}, and the launcher keeps running it
 *       once caught up, until stopped (SIGTERM, Ctrl-C: {@code StopOnExit} cancels it) or the job
 *       ends: its exit code is the run's. The embedded mini cluster's REST API is not asked, so its
 *       watermark shows as {@code n/a (embedded)}; the live version's is asked at {@code
 *       --liveFlinkMaster} if given. The caught-up line names {@code kappa cutover --force}: a
 *       cutover cannot check an embedded job nor stop it with a savepoint.
 * </ul>
 *
 * <p>The Direct runner is refused, naming {@code --runner}: it takes no checkpoints, so the version
 * would commit no offsets to measure its progress by, and it is meant for tests, not a backlog.
 */
public final class ReprocessCommand {
  private ReprocessCommand() {}

  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration PLAIN_EVERY = Duration.ofSeconds(10);

  public static final String USAGE =
      "kappa reprocess <job> --from=<instant>|earliest --outputVersion=<version>"
          + " --checkpointingInterval=<ms> [--liveFlinkMaster=<host:port>]"
          + " [--kafkaClientProperties=<file>] [--jdbcPasswordFile=<file>]"
          + " [the new version's options, as for kappa run, on a Flink cluster or embedded]";

  /**
   * The option, taken out of the job's, naming the Flink cluster where the live version runs, for
   * its watermark: by default the new version's cluster ({@code --flinkMaster}); none to ask for a
   * new version on the embedded runner unless given.
   */
  public static final String LIVE_FLINK_MASTER = "--liveFlinkMaster=";

  /** A wrong command line: the launcher prints the message and the usage, and exits with 2. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * The job's options without {@code --from} and {@code --liveFlinkMaster}, where its reading
   * starts, and where the live version runs if given.
   */
  public record Start(String[] options, @Nullable Instant from, @Nullable String liveFlinkMaster) {}

  /**
   * Takes {@code --from} and {@code --liveFlinkMaster} out of {@code options} and checks the
   * command line.
   *
   * @throws UsageException without {@code --from} or {@code --outputVersion}, with a bad instant,
   *     or with {@code --to} (that is a backfill)
   */
  public static Start start(String[] options) {
    List<String> rest = new ArrayList<>();
    String from = null;
    String liveFlinkMaster = null;
    boolean version = false;
    for (String option : options) {
      if (option.startsWith("--from=")) {
        from = option.substring("--from=".length());
      } else if (option.startsWith(LIVE_FLINK_MASTER)) {
        liveFlinkMaster = option.substring(LIVE_FLINK_MASTER.length());
      } else {
        if (option.startsWith("--to=")) {
          throw new UsageException(
              "--to bounds a backfill (kappa backfill); a reprocessing version streams on");
        }
        version |= option.startsWith("--" + OutputVersion.OPTION + "=");
        rest.add(option);
      }
    }
    if (from == null) {
      throw new UsageException(
          "--from=<instant>|earliest is required: where the new version starts reading");
    }
    if (!version) {
      throw new UsageException(
          "--outputVersion=<version> is required: the new version writes its own outputs beside"
              + " the live one's");
    }
    Instant instant = null;
    if (!from.equals("earliest")) {
      try {
        instant = Instant.parse(from);
      } catch (DateTimeParseException e) {
        throw new UsageException(
            "--from must be 'earliest' or an ISO-8601 instant such as 2026-03-01T00:00:00Z, was '"
                + from
                + "'");
      }
    }
    if (liveFlinkMaster != null && (liveFlinkMaster.isBlank() || liveFlinkMaster.startsWith("["))) {
      throw new UsageException(
          "--liveFlinkMaster must be a Flink cluster's REST address such as localhost:8081, was '"
              + liveFlinkMaster
              + "'");
    }
    return new Start(rest.toArray(String[]::new), instant, liveFlinkMaster);
  }

  /**
   * Gives the version's consumer group its start offsets and returns the watch that shows its
   * progress (not started).
   *
   * @param options the job's options as the launcher will run them ({@code --jobName} included)
   * @throws UsageException if the job does not stream from Kafka or its group has committed offsets
   * @throws IllegalStateException if Kafka cannot be reached
   */
  public static <O extends PipelineOptions> Watch position(
      KappaJob<O> job, Start start, String[] options, PrintStream out) {
    O parsed = JobRunner.parse(job, options);
    String master = checkRunner(parsed);
    JobSettings settings = JobSettings.parse(job, parsed);
    if (!(settings.source() instanceof JobSettings.KafkaStream stream)) {
      throw new UsageException("reprocessing reads a Kafka stream: give --source=KAFKA");
    }
    if (settings.outputVersion() == null) {
      throw new UsageException("--outputVersion must name a version, such as v2");
    }
    JobSettings.KafkaRead read = stream.read();
    Map<TopicPartition, long[]> positions =
        commitStart(read, start.from(), settings.kafkaClientConfig());
    List<CatchUp.Partition> partitions = new ArrayList<>();
    positions.forEach(
        (partition, startAndEnd) ->
            partitions.add(
                new CatchUp.Partition(
                    partition.topic(),
                    partition.partition(),
                    startAndEnd[0],
                    startAndEnd[1],
                    null)));
    out.println(
        "kappa reprocess "
            + job.name()
            + ": version "
            + settings.outputVersion()
            + " reads "
            + String.join(",", read.topics())
            + " from "
            + (start.from() == null ? "the earliest offsets" : start.from())
            + " with consumer group "
            + read.consumerGroup()
            + ": a backlog of "
            + partitions.stream().mapToLong(CatchUp.Partition::backlog).sum()
            + " records ("
            + CatchUp.partitions(partitions)
            + ")");
    String liveJobName = null;
    try {
      OutputVersions.State state = OutputVersions.read(settings.database(), job.name());
      if (state.live() != null && !state.live().equals(settings.outputVersion().name())) {
        OutputVersions.Run live = state.runs().get(state.live());
        liveJobName = live == null ? null : live.flinkJobName();
      }
    } catch (SQLException e) {
      out.println("(the live version is unknown: " + e.getMessage() + ")");
    }
    return new Watch(
        job.name(),
        settings.outputVersion().name(),
        read,
        settings.kafkaClientConfig(),
        List.copyOf(partitions),
        master,
        start.liveFlinkMaster() != null ? start.liveFlinkMaster() : master,
        parsed.getJobName(),
        liveJobName,
        System.console() != null,
        out);
  }

  /**
   * Checks where the options run the version: the Flink cluster's address, or null for the embedded
   * runner ({@code [local]}, {@code [auto]} or no {@code --flinkMaster}).
   *
   * @throws UsageException on the Direct runner (or another than Flink's), or without {@code
   *     --checkpointingInterval}
   */
  @Nullable
  public static String checkRunner(PipelineOptions options) {
    if (!FlinkRunner.class.equals(options.getRunner())) {
      throw new UsageException(
          "the new version runs on the Flink runner, was --runner="
              + (options.getRunner() == null ? "DirectRunner" : options.getRunner().getSimpleName())
              + ": give --runner=FlinkRunner, embedded (@runners-config/flink-embedded.args) or on"
              + " a cluster (@runners-config/flink-cluster.args --flinkMaster=<host:port>). The"
              + " Direct runner takes no checkpoints, so the version would commit no offsets to"
              + " show its progress by");
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getCheckpointingInterval() == null || flink.getCheckpointingInterval() <= 0) {
      throw new UsageException(
          "--checkpointingInterval=<ms> is required: the version's progress, and kappa cutover's"
              + " check that it caught up, read the offsets it commits at each checkpoint"
              + " (@runners-config/flink-cluster.args sets 10000; give it with"
              + " @runners-config/flink-embedded.args too)");
    }
    String master = flink.getFlinkMaster();
    if (master == null || master.equals("[local]") || master.equals("[auto]")) {
      return null;
    }
    if (master.startsWith("[")) {
      throw new UsageException(
          "--flinkMaster must be [local] or [auto] (embedded) or a cluster's host:port, was "
              + master);
    }
    return master;
  }

  /**
   * Commits the start offsets for the group: per partition {start, end at launch}.
   *
   * @throws UsageException if the group has committed offsets other than these start offsets (a
   *     version that ran); the same start offsets again are accepted (a launch that failed)
   */
  static Map<TopicPartition, long[]> commitStart(
      JobSettings.KafkaRead read, @Nullable Instant from, Map<String, Object> client) {
    Properties config = new Properties();
    config.putAll(client);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, read.bootstrapServers());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(config)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          get(admin.listConsumerGroupOffsets(read.consumerGroup()).partitionsToOffsetAndMetadata());
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicDescription topic :
          get(admin.describeTopics(read.topics()).allTopicNames()).values()) {
        for (TopicPartitionInfo info : topic.partitions()) {
          partitions.add(new TopicPartition(topic.name(), info.partition()));
        }
      }
      Map<TopicPartition, OffsetSpec> startSpec = new HashMap<>();
      Map<TopicPartition, OffsetSpec> endSpec = new HashMap<>();
      for (TopicPartition partition : partitions) {
        startSpec.put(
            partition,
            from == null ? OffsetSpec.earliest() : OffsetSpec.forTimestamp(from.toEpochMilli()));
        endSpec.put(partition, OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
          get(admin.listOffsets(startSpec).all());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          get(admin.listOffsets(endSpec).all());
      Map<TopicPartition, long[]> positions =
          new java.util.TreeMap<>(
              java.util.Comparator.comparing(TopicPartition::topic)
                  .thenComparingInt(TopicPartition::partition));
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (TopicPartition partition : partitions) {
        long end = ends.get(partition).offset();
        long start = starts.get(partition).offset();
        // No record at or after --from: the partition starts at its end.
        start = start < 0 ? end : start;
        positions.put(partition, new long[] {start, end});
        commit.put(partition, new OffsetAndMetadata(start));
      }
      // A group positioned here before whose job never read (a launch that failed its checks)
      // may be positioned again; one that has read elsewhere is a version that ran.
      for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : committed.entrySet()) {
        OffsetAndMetadata start = commit.get(offset.getKey());
        if (offset.getValue() != null
            && (start == null || start.offset() != offset.getValue().offset())) {
          throw new UsageException(
              "consumer group "
                  + read.consumerGroup()
                  + " has committed offsets already: this version ran before. Resume it from its"
                  + " savepoint (kappa run ... --savepointPath=...), or reprocess as another"
                  + " --outputVersion");
        }
      }
      get(admin.alterConsumerGroupOffsets(read.consumerGroup(), commit).all());
      return positions;
    }
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(KAFKA_TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not answer: " + (e.getCause() == null ? e : e.getCause()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Kafka", e);
    }
  }

  /**
   * Shows the progress of a reprocessing version until it has caught up, on a thread of its own,
   * and tells the launcher when it has ({@link #awaitCaughtUp}).
   */
  public static final class Watch {
    private final String job;
    private final String version;
    private final JobSettings.KafkaRead read;
    private final Map<String, Object> client;
    private final List<CatchUp.Partition> partitions;
    @Nullable private final String flinkMaster;
    @Nullable private final String liveFlinkMaster;
    private final String jobName;
    @Nullable private final String liveJobName;
    private final boolean terminal;
    private final PrintStream out;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    /**
     * Counted down by {@link #stop}: the watch waits on it between polls rather than being
     * interrupted, which would also interrupt a REST or Kafka client in the middle of a call or of
     * its close.
     */
    private final CountDownLatch stopping = new CountDownLatch(1);

    Watch(
        String job,
        String version,
        JobSettings.KafkaRead read,
        Map<String, Object> client,
        List<CatchUp.Partition> partitions,
        @Nullable String flinkMaster,
        @Nullable String liveFlinkMaster,
        String jobName,
        @Nullable String liveJobName,
        boolean terminal,
        PrintStream out) {
      this.job = job;
      this.version = version;
      this.read = read;
      this.client = client;
      this.partitions = partitions;
      this.flinkMaster = flinkMaster;
      this.liveFlinkMaster = liveFlinkMaster;
      this.jobName = jobName;
      this.liveJobName = liveJobName;
      this.terminal = terminal;
      this.out = out;
      this.thread = new Thread(this::watch, "kappa-reprocess-progress");
      this.thread.setDaemon(true);
    }

    public void start() {
      thread.start();
    }

    /**
     * Whether the version runs on the embedded runner, in the launcher's JVM (the launcher then
     * keeps running it once caught up), rather than on a cluster (the launcher returns).
     */
    public boolean embedded() {
      return flinkMaster == null;
    }

    /** Stops showing progress (the job ended, or the launcher is stopping). */
    public void stop() {
      stopping.countDown();
    }

    /**
     * Waits up to {@code timeout} for the version to catch up; whether it has (and the caught-up
     * line has been printed).
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
      return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Why the version's job failed, as its cluster's exception history has it (its newest job of
     * that name); empty on the embedded runner, or if the cluster does not answer or knows none.
     */
    public Optional<FlinkRestClient.JobFailure> lastFailure() {
      if (flinkMaster == null) {
        return Optional.empty();
      }
      try (FlinkRestClient flink = FlinkRestClient.at(flinkMaster)) {
        return flink.jobs().stream()
            .filter(j -> j.name().equals(jobName))
            .findFirst()
            .flatMap(j -> flink.lastFailure(j.id()));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }

    private void watch() {
      long started = System.nanoTime();
      CatchUp.Display display = new CatchUp.Display(terminal, PLAIN_EVERY);
      CatchUp.Watermarks watermarks =
          new CatchUp.Watermarks(null, null, embedded(), liveFlinkMaster != null);
      while (true) {
        try {
          if (stopping.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
        List<CatchUp.Partition> now;
        try {
          now = progress();
        } catch (RuntimeException e) {
          out.println("kappa reprocess: progress unknown: " + e.getMessage());
          continue;
        }
        watermarks = watermarks(watermarks);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        out.print(display.show(now, elapsed, watermarks));
        out.flush();
        if (CatchUp.caughtUp(now)) {
          out.println(
              "kappa reprocess: "
                  + version
                  + " has caught up with the backlog in "
                  + Formats.duration(elapsed.toMillis())
                  + "; compare and switch with: kappa cutover "
                  + job
                  + " --to="
                  + version
                  + (embedded()
                      ? " --force (the job keeps running in this launcher until it is stopped:"
                          + " Ctrl-C or SIGTERM)"
                      : " (the job keeps running)"));
          caughtUp.countDown();
          return;
        }
      }
    }

    /**
     * The watermarks now: the version's from its cluster (none asked on the embedded runner), the
     * live version's from its cluster if known; those {@code last} known where a cluster does not
     * answer (the lag alone shows progress).
     */
    private CatchUp.Watermarks watermarks(CatchUp.Watermarks last) {
      Long version = last.version();
      Long live = last.live();
      if (flinkMaster != null) {
        try (FlinkRestClient flink = FlinkRestClient.at(flinkMaster)) {
          List<FlinkRestClient.Job> jobs = flink.jobs();
          version = JobWatermark.of(flink, jobs, jobName);
          if (flinkMaster.equals(liveFlinkMaster)) {
            live = liveJobName == null ? null : JobWatermark.of(flink, jobs, liveJobName);
          }
        } catch (RuntimeException e) {
          // Optional: the watermarks last known.
        }
      }
      if (liveFlinkMaster != null && !liveFlinkMaster.equals(flinkMaster)) {
        try (FlinkRestClient flink = FlinkRestClient.at(liveFlinkMaster)) {
          live = liveJobName == null ? null : JobWatermark.of(flink, flink.jobs(), liveJobName);
        } catch (RuntimeException e) {
          // Optional: the watermark last known.
        }
      }
      return new CatchUp.Watermarks(version, live, embedded(), liveFlinkMaster != null);
    }

    private List<CatchUp.Partition> progress() {
      KafkaLag.Report lag =
          KafkaLag.read(read.bootstrapServers(), read.consumerGroup(), read.topics(), client);
      Map<TopicPartition, Long> committed = new HashMap<>();
      lag.partitions()
          .forEach(p -> committed.put(new TopicPartition(p.topic(), p.partition()), p.committed()));
      List<CatchUp.Partition> now = new ArrayList<>();
      for (CatchUp.Partition p : partitions) {
        now.add(
            new CatchUp.Partition(
                p.topic(),
                p.partition(),
                p.start(),
                p.target(),
                committed.get(new TopicPartition(p.topic(), p.partition()))));
      }
      return now;
    }
  }
}
