package dev.kappa.pipelines;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.LauncherOptions;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.pipelines.job.OutputVersion;
import dev.kappa.pipelines.ops.CutoverCommand;
import dev.kappa.pipelines.ops.DashboardCommand;
import dev.kappa.pipelines.ops.ReconcileCommand;
import dev.kappa.pipelines.ops.ReprocessCommand;
import dev.kappa.pipelines.ops.ResetSinkCommand;
import dev.kappa.pipelines.ops.ResumeCommand;
import dev.kappa.pipelines.ops.StatusCommand;
import dev.kappa.pipelines.ops.StopCommand;
import dev.kappa.pipelines.report.ReportCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.runtime.client.JobCancellationException;

/**
 * The command line behind {@code scripts/kappa}: lists the pipelines ({@link KappaJobs}), shows a
 * pipeline's options, and runs one ({@link JobRunner}).
 *
 * <pre>
 * kappa list
 * kappa run order-revenue --runner=FlinkRunner --source=REPLAY --input=orders.jsonl
 * kappa run order-revenue @runners-config/flink-embedded.args --input=orders.jsonl
 * kappa backfill order-revenue --from=2026-03-01T10:00:00Z --to=2026-03-01T13:00:00Z
 * kappa produce-orders test-data/orders/orders.jsonl --topic=orders
 * kappa status order-revenue --flinkMaster=localhost:8081
 * kappa stop order-revenue --savepoint
 * kappa report order-revenue --output=out/results --tooLateOutput=out/too-late --report=r.html
 * kappa dashboard order-revenue --prometheus=localhost:9090 --range=PT15M --out=dashboard.html
 * kappa reprocess order-revenue --from=earliest --outputVersion=v2 --allowedLateness=PT2H ...
 * kappa cutover order-revenue --to=v2 --jdbcUrl=jdbc:postgresql://localhost:55432/kappa
 * kappa order-revenue --help
 * </pre>
 *
 * <p>An argument {@code @file} is replaced by the options in that file (see {@link ArgumentFiles}).
 *
 * <p>Exit codes: 0 done, 1 the job failed, 2 a usage or option error (the message names it),
 * including a Kafka broker or database that does not answer within {@code --connectTimeout}
 * (default 30 s) and an input path or glob that matches no file ({@link LaunchChecks}). {@code
 * kappa reprocess} on a Flink cluster submits its job and exits 0 once the job has caught up with
 * its backlog (the job keeps running), 1 if the job ended before that; on the embedded runner it
 * runs the job as {@code kappa run} does, and exits as the run does.
 *
 * <p>Stopped by SIGTERM or SIGINT while a job runs, the launcher cancels the job on the Direct and
 * the embedded Flink runner, and leaves a Flink cluster's job running unless {@code
 * --cancelJobOnExit} ({@link StopOnExit}).
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    System.exit(launch(args, System.out, System.err));
  }

  /** Runs the command in {@code args}; returns the process exit code. */
  static int launch(String[] rawArgs, PrintStream out, PrintStream err) {
    if (ClassArchiveTraining.training()) {
      try {
        ClassArchiveTraining.loadKafkaClientClasses();
      } catch (IOException e) {
        err.println("kappa: the class archive will lack Kafka's classes: " + e.getMessage());
      }
    }
    String[] args;
    try {
      args = ArgumentFiles.expand(rawArgs);
    } catch (IllegalArgumentException e) {
      err.println("kappa: " + e.getMessage());
      return 2;
    }
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      usage(out);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    if (command.equals("list")) {
      for (KappaJob<?> job : KappaJobs.all()) {
        out.printf("%-16s %s%n", job.name(), job.description());
      }
      return 0;
    }
    if (command.equals("run")) {
      if (args.length < 2) {
        err.println("kappa run: name a pipeline; 'kappa list' shows them");
        return 2;
      }
      return run(args[1], Arrays.copyOfRange(args, 2, args.length), typed(rawArgs, args), out, err);
    }
    if (command.equals("backfill")) {
      if (args.length < 2) {
        err.println("kappa backfill: name a pipeline; 'kappa list' shows them");
        return 2;
      }
      String[] options = Arrays.copyOfRange(args, 2, args.length);
      String[] typed = typed(rawArgs, args);
      if (!has(options, "--from") || !has(options, "--to")) {
        err.println(
            "kappa backfill "
                + args[1]
                + ": give the range as --from=<ISO-8601 instant> --to=<ISO-8601 instant>");
        return 2;
      }
      if (!has(options, "--source")) {
        options = ArgumentFiles.expand(append(options, "--source=KAFKA"));
        typed = append(typed, "--source=KAFKA");
      }
      return run(args[1], options, typed, out, err);
    }
    if (command.equals("reprocess")) {
      if (args.length < 2) {
        err.println("kappa reprocess: name a pipeline; 'kappa list' shows them");
        return 2;
      }
      return reprocess(
          args[1], Arrays.copyOfRange(args, 2, args.length), typed(rawArgs, args), out, err);
    }
    if (command.equals("produce-orders")) {
      return ProduceCommands.produceOrders(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("produce-changes")) {
      return ProduceCommands.produceChanges(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("status")) {
      return StatusCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("reconcile")) {
      return ReconcileCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("cutover")) {
      return CutoverCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("report")) {
      return ReportCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("dashboard")) {
      return DashboardCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("reset-sink")) {
      return ResetSinkCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (command.equals("stop")) {
      return StopCommand.run(
          Arrays.copyOfRange(args, 1, args.length), out, err, ArgumentFiles::expand);
    }
    Optional<KappaJob<?>> job = KappaJobs.named(command);
    if (job.isPresent() && args.length == 2 && args[1].equals("--help")) {
      JobHelp.print(job.get(), out);
      return 0;
    }
    if (job.isPresent() && args.length == 2 && args[1].equals("--help=all")) {
      JobHelp.printAll(job.get(), out);
      return 0;
    }
    err.println("kappa: unknown command '" + String.join(" ", args) + "'");
    usage(err);
    return 2;
  }

  /**
   * The options after {@code <command> <pipeline>} as the user typed them ({@code @file}s not
   * expanded), or as expanded if a file also held the command or the pipeline's name.
   */
  private static String[] typed(String[] rawArgs, String[] args) {
    return rawArgs.length >= 2 && rawArgs[0].equals(args[0]) && rawArgs[1].equals(args[1])
        ? Arrays.copyOfRange(rawArgs, 2, rawArgs.length)
        : Arrays.copyOfRange(args, 2, args.length);
  }

  /**
   * Runs pipeline {@code name} with {@code options}, recording {@code typed} (the same options as
   * typed) in the job for {@code kappa stop}'s resume command.
   */
  private static int run(
      String name, String[] options, String[] typed, PrintStream out, PrintStream err) {
    return run(name, options, typed, null, out, err);
  }

  /**
   * Runs pipeline {@code name} as above; with a {@code catchUp} watch ({@code kappa reprocess}),
   * submits it detached and returns once the watch finds it caught up (0) or the job ended first
   * (1), leaving it running on its cluster.
   */
  private static int run(
      String name,
      String[] options,
      String[] typed,
      @Nullable ReprocessCommand.Watch catchUp,
      PrintStream out,
      PrintStream err) {
    Optional<KappaJob<?>> job = KappaJobs.named(name);
    if (job.isEmpty()) {
      err.println(
          "kappa run: no pipeline named '"
              + name
              + "'; known: "
              + KappaJobs.all().stream().map(KappaJob::name).collect(Collectors.joining(", ")));
      return 2;
    }
    if (Arrays.asList(options).contains("--help")) {
      JobHelp.print(job.get(), out);
      return 0;
    }
    if (Arrays.asList(options).contains("--help=all")) {
      JobHelp.printAll(job.get(), out);
      return 0;
    }
    PipelineOptions parsed;
    StopOnExit stop;
    PipelineResult result;
    try {
      options = ClusterOutputs.durableDefaults(job.get(), options, Path.of(""), err);
      parsed = JobRunner.parse(job.get(), withDefaultJobName(job.get(), options));
      parsed.as(LauncherOptions.class).setLaunchArguments(ResumeCommand.record(List.of(typed)));
      if (StopOnExit.isDirect(parsed) && !has(options, "--blockOnRun")) {
        // The Direct runner otherwise returns only once the job has ended: nothing to cancel.
        parsed.as(DirectOptions.class).setBlockOnRun(false);
      }
      if (catchUp != null) {
        // Submitted, not waited for: the launcher waits for the catch-up instead.
        parsed.as(FlinkPipelineOptions.class).setAttachedMode(false);
      }
      stop = StopOnExit.forJob(parsed, err).install();
      try {
        result = start(job.get(), parsed);
      } catch (RuntimeException e) {
        stop.uninstall();
        if (cancelledOnTheCluster(e)) {
          // An attached submission returns only when the job ends; a cancelled one throws.
          out.println("kappa run " + name + ": " + CANCELLED);
          return 0;
        }
        throw e;
      }
    } catch (InvalidOptionException e) {
      err.println("kappa run " + name + ": " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      // PipelineOptionsFactory reports unknown or malformed options this way.
      if (isOptionError(e)) {
        err.println("kappa run " + name + ": " + e.getMessage());
        return 2;
      }
      throw e;
    }
    stop.watch(result);
    if (catchUp != null) {
      try {
        return awaitCatchUp(name, catchUp, result, err);
      } finally {
        stop.uninstall();
      }
    }
    PipelineResult.State state;
    try {
      state = result.waitUntilFinish();
    } finally {
      stop.uninstall();
    }
    if (state == PipelineResult.State.CANCELLED) {
      out.println("kappa run " + name + ": " + CANCELLED);
      return 0;
    }
    out.println("kappa run " + name + ": " + state);
    return state == PipelineResult.State.DONE ? 0 : 1;
  }

  /**
   * {@code kappa reprocess}: positions the new version's consumer group at {@code --from}, then
   * runs the job as {@code kappa run} does while its progress shows ({@link ReprocessCommand}): on
   * a cluster submitted detached, returning once caught up; on the embedded runner in this JVM,
   * running on until stopped.
   */
  private static int reprocess(
      String name, String[] options, String[] typed, PrintStream out, PrintStream err) {
    Optional<KappaJob<?>> job = KappaJobs.named(name);
    if (job.isEmpty()) {
      err.println("kappa reprocess: no pipeline named '" + name + "'; 'kappa list' shows them");
      return 2;
    }
    ReprocessCommand.Start start;
    ReprocessCommand.Watch watch;
    try {
      start = ReprocessCommand.start(options);
      watch =
          ReprocessCommand.position(
              job.get(), start, withDefaultJobName(job.get(), start.options()), out);
    } catch (ReprocessCommand.UsageException e) {
      err.println("kappa reprocess " + name + ": " + e.getMessage());
      err.println("usage: " + ReprocessCommand.USAGE);
      return 2;
    } catch (InvalidOptionException | IllegalStateException e) {
      err.println("kappa reprocess " + name + ": " + e.getMessage());
      return 2;
    }
    String[] typedWithoutFrom =
        Arrays.stream(typed)
            .filter(
                o -> !o.startsWith("--from=") && !o.startsWith(ReprocessCommand.LIVE_FLINK_MASTER))
            .toArray(String[]::new);
    try {
      if (watch.embedded()) {
        // The job runs in this JVM, as kappa run runs it, and keeps running once caught up: the
        // progress shows beside it, and the exit code is the run's.
        watch.start();
        return run(name, start.options(), typedWithoutFrom, out, err);
      }
      return run(name, start.options(), typedWithoutFrom, watch, out, err);
    } finally {
      watch.stop();
    }
  }

  /** How often {@code kappa reprocess} looks whether its detached job is still running. */
  private static final Duration JOB_CHECK = Duration.ofSeconds(2);

  /**
   * How long the cluster may leave the job's state unanswered before {@code kappa reprocess} stops.
   */
  private static final Duration CLUSTER_SILENCE = Duration.ofSeconds(60);

  /**
   * Shows the progress of a detached reprocessing job until it has caught up (0: it keeps running
   * on its cluster) or it ended first (1: failed, cancelled or stopped; also when the cluster has
   * not answered for a minute, or the launcher was interrupted).
   */
  private static int awaitCatchUp(
      String name, ReprocessCommand.Watch catchUp, PipelineResult result, PrintStream err) {
    catchUp.start();
    try {
      Instant unanswered = null;
      while (!catchUp.awaitCaughtUp(JOB_CHECK)) {
        PipelineResult.State state;
        try {
          state = result.getState();
          unanswered = null;
        } catch (RuntimeException e) {
          // The cluster did not answer this time; the progress says whether it reads on. A cluster
          // that stays silent (gone, or the job expired from it) ends the wait.
          Instant now = Instant.now();
          if (unanswered == null) {
            unanswered = now;
          } else if (Duration.between(unanswered, now).compareTo(CLUSTER_SILENCE) >= 0) {
            err.println(
                "kappa reprocess "
                    + name
                    + ": cannot tell whether the job runs: the Flink cluster has not answered for "
                    + CLUSTER_SILENCE.toSeconds()
                    + " s ("
                    + e.getMessage()
                    + "); see kappa status");
            return 1;
          }
          continue;
        }
        if (state.isTerminal()) {
          err.println(
              "kappa reprocess "
                  + name
                  + ": the job ended ("
                  + state
                  + ") before it caught up; its outputs hold what it wrote until then");
          if (state == PipelineResult.State.FAILED) {
            catchUp
                .lastFailure()
                .ifPresent(
                    failure ->
                        err.println(
                            "kappa reprocess "
                                + name
                                + ": the cluster's last exception: "
                                + failure.describe()
                                + " (the whole trace: the Flink web UI's Exceptions tab)"));
          }
          return 1;
        }
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** What the launcher says when its job was cancelled, which someone asked for: exit code 0. */
  static final String CANCELLED =
      "CANCELLED (by kappa stop --cancel, the Flink web UI or its REST API)";

  /**
   * Whether the job ended because it was cancelled: the Flink runner's attached submission throws a
   * {@link JobCancellationException} somewhere in the cause chain of its "Pipeline execution
   * failed" exception.
   */
  static boolean cancelledOnTheCluster(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof JobCancellationException) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code options} with {@code --jobName=<pipeline>} added if they name no job: Beam's default
   * ({@code orderrevenue-<user>-<timestamp>-<random>}) differs at every launch, while Flink's web
   * UI, its metrics ({@code job_name}) and {@code kappa status} and {@code kappa stop} find a job
   * by a name that stays the same. A run with {@code --outputVersion=v2} is named {@code
   * <pipeline>-v2}, the name {@code kappa cutover} finds the version by.
   */
  static String[] withDefaultJobName(KappaJob<?> job, String[] options) {
    if (has(options, "--jobName")) {
      return options;
    }
    OutputVersion version = null;
    for (String option : options) {
      if (option.startsWith("--" + OutputVersion.OPTION + "=")) {
        // The last one counts, as in Beam's parsing; a bad one fails there, naming the option.
        version = OutputVersion.parse(option.substring(option.indexOf('=') + 1));
      }
    }
    return append(
        options, "--jobName=" + (version == null ? job.name() : version.jobName(job.name())));
  }

  private static <O extends PipelineOptions> PipelineResult start(
      KappaJob<O> job, PipelineOptions parsed) {
    return JobRunner.run(job, parsed.as(job.optionsClass()));
  }

  private static boolean has(String[] options, String name) {
    return Arrays.stream(options).anyMatch(o -> o.equals(name) || o.startsWith(name + "="));
  }

  private static String[] append(String[] options, String option) {
    String[] all = Arrays.copyOf(options, options.length + 1);
    all[options.length] = option;
    return all;
  }

  private static boolean isOptionError(IllegalArgumentException e) {
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().startsWith(PipelineOptionsFactory.class.getName())) {
        return true;
      }
    }
    return false;
  }

  private static void usage(PrintStream out) {
    out.println("usage: kappa list");
    out.println("       kappa run <pipeline> [--option=value ...]");
    out.println(
        "       kappa backfill <pipeline> --from=<instant> --to=<instant> [--option=value ...]");
    out.println("       kappa produce-orders <file.jsonl> [--topic=orders] [--partitions=3]");
    out.println(
        "             [--bootstrapServers=localhost:9092] [--speedUp=max] [--connectTimeout=PT30S]");
    out.println(
        "             [--maxEventTimeAhead=PT1H] [--minEventTime=2000-01-01T00:00:00Z]"
            + " [--kafkaClientProperties=<file>]");
    out.println("       kappa produce-changes <changes.jsonl> --topic=<topic> --key=<field>");
    out.println(
        "             [--partitions=1] [--bootstrapServers=localhost:9092]"
            + " [--connectTimeout=PT30S] [--kafkaClientProperties=<file>]");
    out.println(
        "       kappa status [<job id | job name>] [--flinkMaster=localhost:8081]"
            + " [--bootstrapServers=localhost:9092]");
    out.println("             [--consumerGroup=kappa-<pipeline>] [--inputTopics=...] [--json]");
    out.println(
        "       kappa stop <job id | job name> --savepoint [--savepointDir=<dir>] [--drain]"
            + " [--flinkMaster=localhost:8081]");
    out.println("       kappa stop <job id | job name> --cancel [--flinkMaster=localhost:8081]");
    out.println(
        "       kappa report <pipeline> [the run's --output, --resultsTable, --tooLateOutput,"
            + " --deadLetterOutput ...]");
    out.println("             [--report=<file.html>]");
    out.println(
        "       kappa dashboard [<job name>] [--prometheus=http://localhost:9090] [--range=PT30M]"
            + " [--out=kappa-dashboard.html]");
    out.println(
        "       kappa reset-sink <topic> --sinkGroupId=<id> [--bootstrapServers=localhost:9092]");
    out.println(
        "       kappa reconcile <pipeline> --left=<table:name | path prefix> --right=<...>");
    out.println(
        "             [--tooLate=<path prefix>] [--from=<instant>] [--to=<instant>] [--html=<file>]");
    out.println("             [--jdbcUrl=jdbc:postgresql://...] [--jdbcUser=kappa]");
    out.println(
        "       kappa reprocess <pipeline> --from=<instant>|earliest --outputVersion=<version>"
            + " --checkpointingInterval=<ms>");
    out.println(
        "             [--liveFlinkMaster=<host:port>] [--option=value ...]   (on a Flink cluster:"
            + " returns once caught up;");
    out.println("             embedded: shows its progress, then runs on until Ctrl-C or SIGTERM)");
    out.println(
        "       kappa cutover <pipeline> --to=<version> [--force] [--jdbcUrl=...]"
            + " [--flinkMaster=localhost:8081]");
    out.println(
        "             [--maxLag=0] [--watermarkSlack=PT1M] [--since=<instant>] [--until=<instant>]"
            + " [--tooLate=<source>|none]");
    out.println(
        "       kappa <pipeline> --help          (--help=all: Beam's and the runners' too)");
    out.println("An argument @file stands for the options listed in that file, one per line.");
  }
}
