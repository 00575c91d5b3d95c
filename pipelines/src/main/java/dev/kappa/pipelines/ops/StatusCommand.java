package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kappa.pipelines.Secrets;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.OutputVersion;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * {@code kappa status [<job id | job name>] [--flinkMaster=localhost:8081] [--bootstrapServers=...]
 * [--consumerGroup=...] [--inputTopics=...] [--json]}: what a Flink session cluster runs, from its
 * REST API.
 *
 * <ul>
 *   <li>Without a job: the cluster (version, TaskManagers, free slots) and its jobs with their
 *       state and how long they have run.
 *   <li>For a job: its state, uptime and restarts; checkpoints (the last completed one: its age,
 *       size and duration; what the job was restored from); per vertex (operator chain) the records
 *       in and out over the network, their rates and the lowest input watermark; the pipeline's
 *       Beam metrics summed over subtasks (records decoded and dead-lettered, late and too-late
 *       records, records out and event-time latency per output); and, for a job reading Kafka, the
 *       lag of its consumer group per partition.
 * </ul>
 *
 * <p>Exit codes: 0 shown, 1 the cluster or the job cannot be found, 2 a usage error.
 */
public final class StatusCommand {
  private StatusCommand() {}

  private static final Set<String> FLAGS = Set.of("json");
  private static final Set<String> OPTIONS =
      Set.of(
          "flinkMaster", "bootstrapServers", "consumerGroup", "inputTopics", Secrets.KAFKA_OPTION);
  private static final int NAME_WIDTH = 72;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static final String USAGE =
      "kappa status [<job id | job name>] [--flinkMaster=localhost:8081]"
          + " [--bootstrapServers=localhost:9092] [--consumerGroup=kappa-<pipeline>]"
          + " [--inputTopics=<topic,...>] [--kafkaClientProperties=<file>] [--json]";

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    OpsArguments arguments;
    FlinkRestClient flink;
    try {
      arguments = OpsArguments.parse(args, FLAGS, OPTIONS);
      if (arguments.positional().size() > 1) {
        throw new OpsArguments.UsageException(
            "name at most one job, got " + arguments.positional());
      }
      flink =
          FlinkRestClient.at(
              arguments.option("flinkMaster", "localhost:" + FlinkRestClient.DEFAULT_PORT));
    } catch (OpsArguments.UsageException | IllegalArgumentException e) {
      err.println("kappa status: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try (flink) {
      if (arguments.positional().isEmpty()) {
        ClusterReport report = clusterReport(flink);
        out.print(arguments.flag("json") ? json(report) : render(report));
      } else {
        JobReport report = jobReport(flink, arguments.positional().get(0), arguments);
        out.print(arguments.flag("json") ? json(report) : render(report));
      }
      return 0;
    } catch (FlinkRestClient.UnreachableException
        | FlinkRestClient.RestException
        | JobLookup.NotFoundException e) {
      err.println("kappa status: " + e.getMessage());
      return 1;
    }
  }

  // ---- Gathering ----------------------------------------------------------------------------

  /** The cluster and its jobs. */
  record ClusterReport(
      String restUrl, FlinkRestClient.ClusterOverview cluster, List<FlinkRestClient.Job> jobs) {}

  /** Everything {@code kappa status <job>} shows. */
  record JobReport(
      String restUrl,
      long nowMillis,
      FlinkRestClient.Job job,
      @Nullable Long restarts,
      @Nullable FlinkRestClient.JobFailure lastFailure,
      FlinkRestClient.Checkpoints checkpoints,
      List<VertexReport> vertices,
      List<BeamMetrics.StepMetric> metrics,
      KafkaReport kafka) {}

  /** A vertex with its rates (records per second, summed over subtasks) and input watermark. */
  record VertexReport(
      String id,
      String name,
      int parallelism,
      String status,
      long recordsIn,
      long recordsOut,
      @Nullable Double recordsInPerSecond,
      @Nullable Double recordsOutPerSecond,
      @Nullable Long inputWatermarkMillis) {}

  /** The Kafka lag of a job's consumer group, or why there is none to show. */
  record KafkaReport(@Nullable KafkaLag.Report lag, @Nullable String note) {}

  static ClusterReport clusterReport(FlinkRestClient flink) {
    return new ClusterReport(flink.url().toString(), flink.overview(), flink.jobs());
  }

  static JobReport jobReport(FlinkRestClient flink, String idOrName, OpsArguments arguments) {
    FlinkRestClient.Job found = JobLookup.any(flink.jobs(), idOrName, flink.url().toString());
    FlinkRestClient.JobDetails details =
        flink
            .job(found.id())
            .orElseThrow(
                () ->
                    new JobLookup.NotFoundException(
                        "job " + JobLookup.describe(found) + " is gone from " + flink.url()));
    String jobId = found.id();
    boolean running = details.job().state().equals("RUNNING");
    if (running && awaitMetrics(flink, jobId, details.vertices())) {
      // Read again: the first answer came from before the metrics had been fetched.
      details = flink.job(jobId).orElse(details);
      running = details.job().state().equals("RUNNING");
    }
    List<VertexReport> vertices = new ArrayList<>();
    List<BeamMetrics.StepMetric> metrics = new ArrayList<>();
    for (FlinkRestClient.Vertex vertex : details.vertices()) {
      Map<String, Double> rates = Map.of();
      OptionalLong watermark = OptionalLong.empty();
      if (running && vertex.status().equals("RUNNING")) {
        rates =
            flink.summedTaskMetrics(
                jobId, vertex.id(), List.of("numRecordsInPerSecond", "numRecordsOutPerSecond"));
        watermark = flink.inputWatermark(jobId, vertex.id());
        List<String> beamMetricIds =
            flink.metricIds(jobId, vertex.id()).stream()
                .filter(id -> BeamMetrics.parse(id).isPresent())
                .toList();
        metrics.addAll(
            BeamMetrics.aggregate(flink.metricValues(jobId, vertex.id(), beamMetricIds)));
      }
      vertices.add(
          new VertexReport(
              vertex.id(),
              vertex.name(),
              vertex.parallelism(),
              vertex.status(),
              vertex.recordsIn(),
              vertex.recordsOut(),
              rates.get("numRecordsInPerSecond"),
              rates.get("numRecordsOutPerSecond"),
              watermark.isPresent() ? watermark.getAsLong() : null));
    }
    // The accumulator holds the final metrics of tasks that finished: all of an ended job's, and
    // those of a running job's finished parts (such as a bounded read of a change stream).
    for (BeamMetrics.StepMetric metric : BeamMetrics.fromAccumulators(flink.accumulators(jobId))) {
      if (metrics.stream()
          .noneMatch(m -> m.step().equals(metric.step()) && m.metric().equals(metric.metric()))) {
        metrics.add(metric);
      }
    }
    metrics.sort(
        Comparator.comparing(BeamMetrics.StepMetric::step)
            .thenComparing(BeamMetrics.StepMetric::metric));
    OptionalLong restarts = running ? flink.restarts(jobId) : OptionalLong.empty();
    Map<String, String> jobOptions = flink.pipelineOptions(jobId);
    return new JobReport(
        flink.url().toString(),
        System.currentTimeMillis(),
        details.job(),
        restarts.isPresent() ? restarts.getAsLong() : null,
        flink.lastFailure(jobId).orElse(null),
        flink.checkpoints(jobId),
        List.copyOf(vertices),
        List.copyOf(metrics),
        kafka(jobOptions, arguments));
  }

  /**
   * Waits up to 3 s for the REST API's metrics of a running vertex. The JobManager fetches the
   * TaskManagers' metrics when asked and then at most every {@code metrics.fetcher.update-interval}
   * (10 s), so the first request after a while finds none yet, and values are up to 10 s old.
   */
  private static boolean awaitMetrics(
      FlinkRestClient flink, String jobId, List<FlinkRestClient.Vertex> vertices) {
    Optional<FlinkRestClient.Vertex> running =
        vertices.stream().filter(v -> v.status().equals("RUNNING")).findFirst();
    if (running.isEmpty()) {
      return false;
    }
    List<String> probe = List.of("numRecordsOutPerSecond");
    for (int attempt = 0; attempt < 10; attempt++) {
      if (!flink.summedTaskMetrics(jobId, running.get().id(), probe).isEmpty()) {
        return true;
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** The lag of the job's consumer group, if it reads Kafka with one (or the options name one). */
  static KafkaReport kafka(Map<String, String> jobOptions, OpsArguments arguments) {
    Optional<KappaJob<?>> pipeline = ResumeCommand.pipeline(jobOptions);
    String source = jobOptions.get("source");
    boolean asked =
        arguments.option("consumerGroup").isPresent()
            || arguments.option("bootstrapServers").isPresent();
    boolean readsKafka =
        "KAFKA".equals(source)
            || (source == null
                && pipeline.map(KappaJob::name).equals(Optional.of("archive-topics")));
    if (!asked && !readsKafka) {
      return new KafkaReport(
          null,
          "the job reads no Kafka topic"
              + (source == null ? "" : " (--source=" + source + ")")
              + ": no consumer lag");
    }
    if (!asked && jobOptions.get("from") != null) {
      return new KafkaReport(
          null, "a backfill (--from/--to) reads a fixed range without a consumer group: no lag");
    }
    Optional<String> group = consumerGroup(jobOptions, arguments);
    if (group.isEmpty()) {
      return new KafkaReport(
          null, "the job's consumer group is unknown: name it with --consumerGroup=<group>");
    }
    String servers =
        arguments
            .option("bootstrapServers")
            .or(() -> Optional.ofNullable(emptyToNull(jobOptions.get("bootstrapServers"))))
            .orElse("localhost:9092");
    List<String> topics =
        arguments
            .option("inputTopics")
            .map(text -> Arrays.stream(text.split(",")).map(String::trim).toList())
            .orElse(List.of());
    try {
      // The job's own file (its option holds only the path), unless this command names one.
      Map<String, Object> client =
          Secrets.kafkaClientConfig(
              arguments
                  .option(Secrets.KAFKA_OPTION)
                  .orElse(emptyToNull(jobOptions.get(Secrets.KAFKA_OPTION))));
      KafkaLag.Report lag = KafkaLag.read(servers, group.get(), topics, client);
      return new KafkaReport(
          lag, client.isEmpty() ? null : "Kafka client settings: " + Secrets.masked(client));
    } catch (IllegalStateException | IllegalArgumentException e) {
      return new KafkaReport(null, e.getMessage());
    }
  }

  /**
   * The job's consumer group: {@code --consumerGroup} given to this command, else the job's or the
   * pipeline's default, {@code kappa-<pipeline>}, with the suffix {@code -v2} of a versioned run.
   */
  static Optional<String> consumerGroup(Map<String, String> jobOptions, OpsArguments arguments) {
    Optional<String> given = arguments.option("consumerGroup");
    if (given.isPresent()) {
      return given;
    }
    // A versioned run (--outputVersion=v2) reads with the group's name plus -v2.
    OutputVersion version = OutputVersion.parse(emptyToNull(jobOptions.get(OutputVersion.OPTION)));
    return Optional.ofNullable(emptyToNull(jobOptions.get("consumerGroup")))
        .or(() -> ResumeCommand.pipeline(jobOptions).map(KappaJob::defaultGroup))
        .map(group -> version == null ? group : version.group(group));
  }

  private static @Nullable String emptyToNull(@Nullable String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  // ---- Rendering ----------------------------------------------------------------------------

  static String render(ClusterReport report) {
    FlinkRestClient.ClusterOverview cluster = report.cluster();
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            "Flink %s at %s: %d TaskManager%s, %d slots (%d free)%n",
            cluster.flinkVersion(),
            report.restUrl(),
            cluster.taskManagers(),
            cluster.taskManagers() == 1 ? "" : "s",
            cluster.slotsTotal(),
            cluster.slotsAvailable()));
    if (report.jobs().isEmpty()) {
      return text.append("  no jobs\n").toString();
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("JOB ID", "NAME", "STATE", "STARTED (UTC)", "DURATION"));
    for (FlinkRestClient.Job job : report.jobs()) {
      rows.add(
          List.of(
              job.id(),
              job.name(),
              job.state(),
              Formats.instant(job.startTimeMillis()),
              Formats.duration(job.durationMillis())));
    }
    Formats.table(rows).forEach(line -> text.append("  ").append(line).append('\n'));
    return text.toString();
  }

  static String render(JobReport report) {
    FlinkRestClient.Job job = report.job();
    StringBuilder text = new StringBuilder();
    text.append("Job ")
        .append(JobLookup.describe(job))
        .append(" at ")
        .append(report.restUrl())
        .append('\n');
    text.append("  state ")
        .append(job.state())
        .append(job.isActive() ? " for " : " after ")
        .append(Formats.duration(job.durationMillis()))
        .append(", started ")
        .append(Formats.instant(job.startTimeMillis()))
        .append(" UTC");
    if (report.restarts() != null) {
      text.append("; restarts: ").append(report.restarts());
    }
    text.append('\n');
    if (report.lastFailure() != null) {
      text.append("  last failure ")
          .append(Formats.instant(report.lastFailure().failedAtMillis()))
          .append(" UTC: ")
          .append(report.lastFailure().describe())
          .append('\n');
    }
    renderCheckpoints(report, text);

    text.append("\nVertices (operator chains; records in and out over the network, rates summed")
        .append(" over subtasks):\n");
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "VERTEX",
            "PAR",
            "STATUS",
            "RECORDS IN",
            "RECORDS OUT",
            "IN/S",
            "OUT/S",
            "INPUT WATERMARK"));
    for (VertexReport vertex : report.vertices()) {
      rows.add(
          List.of(
              vertexName(vertex.name()),
              Integer.toString(vertex.parallelism()),
              vertex.status(),
              Long.toString(vertex.recordsIn()),
              Long.toString(vertex.recordsOut()),
              rate(vertex.recordsInPerSecond()),
              rate(vertex.recordsOutPerSecond()),
              vertex.inputWatermarkMillis() == null
                  ? "-"
                  : Formats.watermark(vertex.inputWatermarkMillis())));
    }
    Formats.table(rows, 1, 3, 4, 5, 6).forEach(line -> text.append("  ").append(line).append('\n'));

    text.append(
        job.state().equals("RUNNING")
            ? "\nBeam metrics (summed over subtasks; a metric shows once first updated; finished"
                + " tasks' final values):\n"
            : "\nBeam metrics (final values):\n");
    if (report.metrics().isEmpty()) {
      text.append("  none yet\n");
    } else {
      List<List<String>> metricRows = new ArrayList<>();
      metricRows.add(List.of("STEP", "METRIC", "VALUE"));
      for (BeamMetrics.StepMetric metric : report.metrics()) {
        metricRows.add(
            List.of(shorten(metric.step(), NAME_WIDTH), metric.metric(), metric.render()));
      }
      Formats.table(metricRows).forEach(line -> text.append("  ").append(line).append('\n'));
    }

    text.append('\n');
    renderKafka(report.kafka(), text);
    return text.toString();
  }

  private static void renderCheckpoints(JobReport report, StringBuilder text) {
    FlinkRestClient.Checkpoints checkpoints = report.checkpoints();
    text.append("  checkpoints: ")
        .append(checkpoints.completed())
        .append(" completed, ")
        .append(checkpoints.failed())
        .append(" failed, ")
        .append(checkpoints.inProgress())
        .append(" in progress");
    FlinkRestClient.Checkpoint last = checkpoints.lastCompleted();
    if (last == null) {
      text.append("; none completed yet\n");
    } else {
      text.append("; last: #").append(last.id()).append(", ");
      completion(report, last, text);
    }
    FlinkRestClient.Checkpoint savepoint = checkpoints.lastSavepoint();
    if (savepoint != null) {
      text.append("  last savepoint: #").append(savepoint.id()).append(", ");
      completion(report, savepoint, text);
    }
    FlinkRestClient.Failure failure = checkpoints.lastFailure();
    if (failure != null) {
      text.append("  last failed ")
          .append(failure.savepoint() ? "savepoint" : "checkpoint")
          .append(": #")
          .append(failure.id())
          .append(", ")
          .append(Formats.duration(report.nowMillis() - failure.failedAtMillis()))
          .append(" ago: ")
          .append(failure.message() != null ? failure.message() : "Flink gave no reason")
          .append('\n');
    } else if (checkpoints.failed() > 0) {
      // Counted without statistics: Flink could not start them (declined at the trigger).
      text.append("  ")
          .append(checkpoints.failed())
          .append(
              checkpoints.failed() == 1
                  ? " checkpoint failed before it started, so Flink keeps no reason for it:"
                  : " checkpoints failed before they started, so Flink keeps no reason for them:")
          .append(
              " usually a"
                  + " task was not running yet (just after a start or a restore) or had finished;"
                  + " the JobManager's log names the cause: ")
          .append(report.restUrl().replaceAll("/+$", ""))
          .append(
              "/#/job-manager/logs (scripts/flink-cluster.sh: .kappa/flink/log/jobmanager.log)\n");
    }
    FlinkRestClient.Restore restored = checkpoints.restored();
    if (restored != null) {
      text.append("  restored from ")
          .append(restored.savepoint() ? "savepoint" : "checkpoint #" + restored.id())
          .append(" at ")
          .append(Formats.instant(restored.restoredAtMillis()))
          .append(" UTC")
          .append(restored.path() == null ? "" : ": " + restored.path())
          .append('\n');
    }
  }

  private static void completion(
      JobReport report, FlinkRestClient.Checkpoint checkpoint, StringBuilder text) {
    text.append(Formats.duration(report.nowMillis() - checkpoint.completedAtMillis()))
        .append(" ago, ")
        .append(Formats.bytes(checkpoint.sizeBytes()))
        .append(" in ")
        .append(Formats.duration(checkpoint.durationMillis()))
        .append('\n');
    if (checkpoint.path() != null) {
      text.append("    ").append(checkpoint.path()).append('\n');
    }
  }

  static void renderKafka(KafkaReport kafka, StringBuilder text) {
    KafkaLag.Report lag = kafka.lag();
    if (lag == null) {
      text.append("Kafka: ").append(kafka.note()).append('\n');
      return;
    }
    text.append("Kafka lag of consumer group ")
        .append(lag.group())
        .append(" at ")
        .append(lag.bootstrapServers())
        .append(" (offsets are committed when a checkpoint completes):\n");
    if (kafka.note() != null) {
      text.append("  ").append(kafka.note()).append('\n');
    }
    if (!lag.hasCommits()) {
      text.append("  no committed offsets");
      if (!lag.partitions().isEmpty()) {
        text.append(" (")
            .append(lag.partitions().size())
            .append(" partitions of the topics named)");
      }
      text.append(": the group has not committed yet, or is not this job's\n");
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("TOPIC", "PARTITION", "COMMITTED", "END", "LAG"));
    for (KafkaLag.PartitionLag partition : lag.partitions()) {
      rows.add(
          List.of(
              partition.topic(),
              Integer.toString(partition.partition()),
              partition.committed() == null ? "none" : Long.toString(partition.committed()),
              Long.toString(partition.end()),
              partition.lag() == null ? "-" : Long.toString(partition.lag())));
    }
    Formats.table(rows, 1, 2, 3, 4).forEach(line -> text.append("  ").append(line).append('\n'));
    text.append("  total lag: ").append(lag.totalLag()).append('\n');
  }

  /**
   * The first operator of a chain, as its Beam step, and {@code -> ...} if more are chained to it;
   * a long step keeps its first and last parts: {@code WriteResults/.../GatherTempFileResults/Drop
   * key/Values/Map}.
   */
  static String vertexName(String chain) {
    String[] operators = chain.split(" -> ", 2);
    String suffix = operators.length > 1 ? " -> ..." : "";
    return shorten(BeamMetrics.step(operators[0]), NAME_WIDTH - suffix.length()) + suffix;
  }

  /**
   * {@code step} if it fits in {@code width}, else its first part, {@code ...} and as many of its
   * last parts as fit.
   */
  static String shorten(String step, int width) {
    if (step.length() <= width) {
      return step;
    }
    String[] parts = step.split("/");
    StringBuilder tail = new StringBuilder();
    for (int i = parts.length - 1; i > 0; i--) {
      if (parts[0].length() + 4 + parts[i].length() + 1 + tail.length() > width) {
        break;
      }
      tail.insert(0, "/" + parts[i]);
    }
    return tail.length() == 0 ? step.substring(0, width - 3) + "..." : parts[0] + "/..." + tail;
  }

  private static String rate(@Nullable Double perSecond) {
    return perSecond == null ? "-" : Formats.decimal(perSecond);
  }

  private static String json(Object report) {
    try {
      return JSON.writeValueAsString(report) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the status as JSON", e);
    }
  }
}
