package dev.kappa.pipelines;

import dev.kappa.options.LauncherOptions;
import dev.kappa.pipelines.ops.FlinkRestClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.core.execution.JobClient;

/**
 * What the launcher does with its job when it is stopped itself (SIGTERM, SIGINT/Ctrl-C: the JVM
 * runs its shutdown hooks; {@code scripts/kappa} {@code exec}s the JVM so the signal reaches it).
 *
 * <ul>
 *   <li>Direct runner: the job is cancelled.
 *   <li>Embedded Flink ({@code --flinkMaster=[local]} or {@code [auto]}): the job is cancelled
 *       through the client {@link EmbeddedFlinkJobs} captured; without that listener configured,
 *       the job ends with the JVM, which holds its mini cluster.
 *   <li>A Flink cluster: the job keeps running, as a submitted job should (stop it with {@code
 *       kappa stop}), and the launcher says so; with {@code --cancelJobOnExit} it is cancelled over
 *       the cluster's REST API, found by its {@code --jobName}.
 * </ul>
 *
 * <p>Each cancellation waits at most {@link #STOP_TIMEOUT}; the JVM then ends anyway.
 */
final class StopOnExit {
  /** The longest a cancellation is waited for before the JVM ends regardless. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Where a job runs, as far as stopping it goes. */
  enum Where {
    DIRECT,
    EMBEDDED_FLINK,
    FLINK_CLUSTER
  }

  private final Where where;
  private final String jobName;
  private final @Nullable String flinkMaster;
  private final boolean cancelClusterJob;
  private final PrintStream err;
  private final Thread hook;
  private volatile @Nullable PipelineResult result;

  private StopOnExit(
      Where where,
      String jobName,
      @Nullable String flinkMaster,
      boolean cancelClusterJob,
      PrintStream err) {
    this.where = where;
    this.jobName = jobName;
    this.flinkMaster = flinkMaster;
    this.cancelClusterJob = cancelClusterJob;
    this.err = err;
    this.hook = new Thread(this::stop, "kappa-stop-on-exit");
  }

  /** The stop the options call for, not yet installed. */
  static StopOnExit forJob(PipelineOptions options, PrintStream err) {
    Where where = where(options);
    String master =
        where == Where.DIRECT ? null : options.as(FlinkPipelineOptions.class).getFlinkMaster();
    boolean cancel = options.as(LauncherOptions.class).getCancelJobOnExit();
    return new StopOnExit(where, options.getJobName(), master, cancel, err);
  }

  /** Where the options run the job. */
  static Where where(PipelineOptions options) {
    if (options.getRunner() == null || !FlinkRunner.class.equals(options.getRunner())) {
      return Where.DIRECT;
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    return master == null || master.equals("[local]") || master.equals("[auto]")
        ? Where.EMBEDDED_FLINK
        : Where.FLINK_CLUSTER;
  }

  /** Whether the options run the job on the Direct runner (whose result the hook cancels). */
  static boolean isDirect(PipelineOptions options) {
    return where(options) == Where.DIRECT
        && (options.getRunner() == null || DirectRunner.class.equals(options.getRunner()));
  }

  Where where() {
    return where;
  }

  /** Stops the job when the JVM is told to end, from now until {@link #uninstall}. */
  StopOnExit install() {
    Runtime.getRuntime().addShutdownHook(hook);
    return this;
  }

  /** The job's result, once {@code run} has returned it: what the hook cancels on Direct. */
  void watch(PipelineResult result) {
    this.result = result;
  }

  /** The job has ended on its own: nothing to stop at exit. */
  void uninstall() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs (or ran) anyway.
    }
  }

  /** What the shutdown hook does: stops the job as {@link StopOnExit} describes. */
  void stop() {
    long start = System.nanoTime();
    try {
      switch (where) {
        case DIRECT:
          stopDirect();
          break;
        case EMBEDDED_FLINK:
          stopEmbedded();
          break;
        case FLINK_CLUSTER:
          stopOnCluster();
          break;
      }
    } catch (Exception e) {
      err.println("kappa: stopping " + jobName + " failed: " + e);
      return;
    }
    err.printf(
        "kappa: stopped in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private void stopDirect() throws Exception {
    PipelineResult running = result;
    if (running == null) {
      err.println("kappa: stopping: " + jobName + " (Direct runner) ends with this JVM");
      return;
    }
    err.println("kappa: stopping: cancelling " + jobName + " (Direct runner)");
    running.cancel();
    running.waitUntilFinish(org.joda.time.Duration.millis(STOP_TIMEOUT.toMillis()));
  }

  private void stopEmbedded() throws Exception {
    List<JobClient> jobs = EmbeddedFlinkJobs.running();
    if (jobs.isEmpty()) {
      err.println("kappa: stopping: " + jobName + " (embedded Flink) ends with this JVM");
      return;
    }
    for (JobClient job : jobs) {
      err.println(
          "kappa: stopping: cancelling " + jobName + " (" + job.getJobID() + ", embedded Flink)");
      job.cancel().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void stopOnCluster() {
    if (!cancelClusterJob) {
      err.println(
          "kappa: the launcher stops; job "
              + jobName
              + " keeps running on the Flink cluster at "
              + flinkMaster
              + ": stop it with 'kappa stop "
              + jobName
              + " --savepoint' (or --cancel), or launch with --cancelJobOnExit to cancel it"
              + " with the launcher");
      return;
    }
    try (FlinkRestClient flink = FlinkRestClient.at(flinkMaster)) {
      cancelOnCluster(flink);
    }
  }

  private void cancelOnCluster(FlinkRestClient flink) {
    List<FlinkRestClient.Job> running =
        flink.jobs().stream().filter(job -> job.isActive() && job.name().equals(jobName)).toList();
    if (running.size() != 1) {
      err.println(
          "kappa: stopping: --cancelJobOnExit, but "
              + running.size()
              + " running jobs are named "
              + jobName
              + " at "
              + flinkMaster
              + "; cancel with 'kappa stop <job id> --cancel'");
      return;
    }
    err.println(
        "kappa: stopping: cancelling "
            + jobName
            + " ("
            + running.get(0).id()
            + ") on the Flink cluster at "
            + flinkMaster
            + " (--cancelJobOnExit)");
    flink.cancel(running.get(0).id());
  }
}
