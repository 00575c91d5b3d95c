package dev.kappa.pipelines.ops;

import dev.kappa.pipelines.job.KappaJob;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code kappa stop <job id | job name> --savepoint [--savepointDir=<dir>] [--drain]} or {@code
 * --cancel}, with {@code [--flinkMaster=localhost:8081] [--timeout=PT10M]}: stops a job running on
 * a Flink session cluster through its REST API.
 *
 * <ul>
 *   <li>{@code --savepoint}: {@code POST /jobs/:id/stop}, then polls the savepoint until it is
 *       complete and the job has finished; prints the savepoint's path and the command that starts
 *       the job again from it, with the options the job ran with. Without {@code --savepointDir}
 *       the savepoint goes to the cluster's {@code state.savepoints.dir}. {@code --drain} first
 *       advances the watermark to the end, firing every window and timer: for ending a job for
 *       good, since a job resumed after a drain has already emitted its windows as final.
 *   <li>{@code --cancel}: {@code PATCH /jobs/:id?mode=cancel}, without a savepoint; prints the last
 *       retained checkpoint, which a new job can start from the same way.
 * </ul>
 *
 * <p>One of the two must be given: stopping a stream is not undone by running it again without its
 * state. Exit codes: 0 stopped, 1 the cluster, the job or the savepoint failed (the message says
 * which, with Flink's reason), 2 a usage error.
 */
public final class StopCommand {
  private StopCommand() {}

  private static final Set<String> FLAGS = Set.of("savepoint", "cancel", "drain");
  private static final Set<String> OPTIONS = Set.of("savepointDir", "flinkMaster", "timeout");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration POLL = Duration.ofMillis(200);

  static final String USAGE =
      "kappa stop <job id | job name> --savepoint [--savepointDir=<absolute path or URI>]"
          + " [--drain] [--flinkMaster=localhost:8081] [--timeout=PT10M]\n"
          + "       kappa stop <job id | job name> --cancel [--flinkMaster=localhost:8081]";

  /**
   * Runs the command; returns the exit code.
   *
   * @param expandArgumentFiles expands {@code @file} arguments as the launcher does, for reading
   *     {@value ResumeCommand#CLUSTER_ARGS} when it is at hand
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      UnaryOperator<String[]> expandArgumentFiles) {
    OpsArguments arguments;
    FlinkRestClient flink;
    Duration timeout;
    try {
      arguments = OpsArguments.parse(args, FLAGS, OPTIONS);
      checkUsage(arguments);
      timeout = arguments.duration("timeout", DEFAULT_TIMEOUT);
      flink =
          FlinkRestClient.at(
              arguments.option("flinkMaster", "localhost:" + FlinkRestClient.DEFAULT_PORT));
    } catch (OpsArguments.UsageException | IllegalArgumentException e) {
      err.println("kappa stop: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try (flink) {
      FlinkRestClient.Job job =
          JobLookup.running(flink.jobs(), arguments.positional().get(0), flink.url().toString());
      // Read before stopping: the options are what the resume command repeats.
      Map<String, String> jobOptions = flink.pipelineOptions(job.id());
      Optional<List<String>> clusterArgs = clusterArgs(expandArgumentFiles);
      if (arguments.flag("cancel")) {
        return cancel(flink, job, jobOptions, clusterArgs, timeout, out, err);
      }
      return stopWithSavepoint(flink, job, jobOptions, clusterArgs, arguments, timeout, out, err);
    } catch (FlinkRestClient.UnreachableException | JobLookup.NotFoundException e) {
      err.println("kappa stop: " + e.getMessage());
      return 1;
    } catch (FlinkRestClient.RestException e) {
      err.println("kappa stop: Flink refused: " + e.reason() + " (" + e.getMessage() + ")");
      return 1;
    }
  }

  private static void checkUsage(OpsArguments arguments) {
    if (arguments.positional().size() != 1) {
      throw new OpsArguments.UsageException(
          arguments.positional().isEmpty()
              ? "name the job: its id or its name (kappa status lists them)"
              : "name one job, got " + arguments.positional());
    }
    boolean savepoint = arguments.flag("savepoint");
    boolean cancel = arguments.flag("cancel");
    if (savepoint == cancel) {
      throw new OpsArguments.UsageException(
          savepoint
              ? "--savepoint and --cancel exclude each other"
              : "say how to stop it: --savepoint stops the job with a savepoint that a new job"
                  + " resumes from (state, windows, source positions); --cancel cancels it without"
                  + " one, leaving only its last retained checkpoint");
    }
    if (cancel && (arguments.flag("drain") || arguments.option("savepointDir").isPresent())) {
      throw new OpsArguments.UsageException("--drain and --savepointDir go with --savepoint");
    }
    Optional<String> dir = arguments.option("savepointDir");
    if (dir.isPresent() && !dir.get().contains(":") && !Path.of(dir.get()).isAbsolute()) {
      throw new OpsArguments.UsageException(
          "--savepointDir must be an absolute path or a URI (the JobManager resolves it, not this"
              + " command), was '"
              + dir.get()
              + "'");
    }
  }

  private static int stopWithSavepoint(
      FlinkRestClient flink,
      FlinkRestClient.Job job,
      Map<String, String> jobOptions,
      Optional<List<String>> clusterArgs,
      OpsArguments arguments,
      Duration timeout,
      PrintStream out,
      PrintStream err) {
    boolean drain = arguments.flag("drain");
    long start = System.nanoTime();
    err.println(
        "kappa stop: stopping "
            + JobLookup.describe(job)
            + " with a savepoint"
            + (drain ? ", draining it first" : "")
            + " ...");
    String location;
    try {
      location =
          flink.stopWithSavepoint(
              job.id(), arguments.option("savepointDir").orElse(null), drain, timeout);
    } catch (FlinkRestClient.SavepointTimeoutException e) {
      err.println(
          "kappa stop: the savepoint of "
              + JobLookup.describe(job)
              + " is still in progress after "
              + Formats.duration(timeout.toMillis())
              + "; follow it in the web UI at "
              + flink.url()
              + " (the job's Checkpoints tab)");
      return 1;
    } catch (FlinkRestClient.SavepointFailedException e) {
      String state = flink.job(job.id()).map(d -> d.job().state()).orElse("unknown");
      err.println(
          "kappa stop: the savepoint of "
              + JobLookup.describe(job)
              + " failed; the job is "
              + state
              + (state.equals("RUNNING") ? " (it keeps running)" : ""));
      List<String> causes = e.causes();
      if (!causes.isEmpty()) {
        err.println("Flink's reason: " + causes.get(0));
        for (String cause : causes.subList(1, causes.size())) {
          err.println("  caused by: " + cause);
        }
      }
      return 1;
    }
    long savepointMillis = elapsed(start).toMillis();
    String state = awaitEnd(flink, job, timeout);
    out.println(
        "kappa stop: "
            + JobLookup.describe(job)
            + " stopped with a savepoint in "
            + Formats.duration(savepointMillis)
            + "; the job is "
            + state);
    out.println("savepoint: " + location);
    printResume(job, jobOptions, clusterArgs, location, drain, out);
    return 0;
  }

  private static int cancel(
      FlinkRestClient flink,
      FlinkRestClient.Job job,
      Map<String, String> jobOptions,
      Optional<List<String>> clusterArgs,
      Duration timeout,
      PrintStream out,
      PrintStream err) {
    err.println("kappa stop: cancelling " + JobLookup.describe(job) + " without a savepoint ...");
    flink.cancel(job.id());
    String state = awaitEnd(flink, job, timeout);
    out.println("kappa stop: " + JobLookup.describe(job) + " cancelled; the job is " + state);
    FlinkRestClient.Checkpoint last = flink.checkpoints(job.id()).lastCompleted();
    boolean retained = "true".equals(jobOptions.get("retainExternalizedCheckpointsOnCancellation"));
    if (last == null || last.path() == null) {
      out.println("no completed checkpoint to resume from: a new job starts without state");
    } else if (!retained) {
      out.println(
          "its checkpoints were not retained (--retainExternalizedCheckpointsOnCancellation):"
              + " a new job starts without state");
    } else {
      out.println("last retained checkpoint: " + last.path());
      printResume(job, jobOptions, clusterArgs, last.path(), false, out);
    }
    return 0;
  }

  private static void printResume(
      FlinkRestClient.Job job,
      Map<String, String> jobOptions,
      Optional<List<String>> clusterArgs,
      String path,
      boolean drained,
      PrintStream out) {
    Optional<KappaJob<?>> pipeline = ResumeCommand.pipeline(jobOptions);
    if (pipeline.isEmpty()) {
      out.println(
          "resume it with: scripts/kappa run <pipeline> <the options it ran with>"
              + " --savepointPath="
              + ResumeCommand.quote(path)
              + " (job "
              + job.name()
              + " is not one of kappa's pipelines)");
      return;
    }
    ResumeCommand.Command command =
        ResumeCommand.build(pipeline.get(), jobOptions, clusterArgs, path);
    out.println(
        drained
            ? "it was drained (every window fired as final); to start it again from there anyway:"
            : "resume it with the options it ran with:");
    out.println(command.render("  "));
    if (!command.unrecordedListOptions().isEmpty()) {
      out.println(
          "Flink records no values of list options: add --"
              + String.join(", --", command.unrecordedListOptions())
              + " as you gave them, if you did.");
    }
  }

  /** Waits for the job to reach a terminal state (at most {@code timeout}); returns the state. */
  private static String awaitEnd(FlinkRestClient flink, FlinkRestClient.Job job, Duration timeout) {
    long start = System.nanoTime();
    while (true) {
      Optional<FlinkRestClient.JobDetails> details = flink.job(job.id());
      if (details.isEmpty()) {
        return "gone";
      }
      FlinkRestClient.Job current = details.get().job();
      if (!current.isActive() || elapsed(start).compareTo(timeout) > 0) {
        return current.state();
      }
      pause();
    }
  }

  /** The options of the cluster's argument file, if it is where the resume command will run. */
  private static Optional<List<String>> clusterArgs(UnaryOperator<String[]> expandArgumentFiles) {
    if (!Files.isRegularFile(Path.of(ResumeCommand.CLUSTER_ARGS))) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          List.of(expandArgumentFiles.apply(new String[] {"@" + ResumeCommand.CLUSTER_ARGS})));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Flink", e);
    }
  }
}
