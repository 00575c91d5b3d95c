package dev.kappa.testing.flink;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.Subcommands;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;

/**
 * The Java half of {@code scripts/flink-cluster.sh}: starts a {@link FlinkCluster} that outlives
 * this JVM, reports on it, and stops it, finding it again through the pid files in its work
 * directory.
 *
 * <pre>
 * FlinkClusterCli start &lt;work-dir&gt; [--taskmanagers N] [--rest-port P] [--rpc-port P]
 * FlinkClusterCli stop &lt;work-dir&gt;
 * FlinkClusterCli status &lt;work-dir&gt;
 * </pre>
 *
 * <p>{@code start} is idempotent: with a cluster running there, it only starts TaskManagers to make
 * up the number asked for. Exit codes: 0 done (or running, for {@code status}), 1 failed, 2 usage
 * error, 3 not running ({@code status}).
 */
public final class FlinkClusterCli {

  static final int DEFAULT_TASK_MANAGERS = 2;
  static final int DEFAULT_REST_PORT = 8081;
  static final int DEFAULT_RPC_PORT = 6123;
  private static final int JOBS_SHOWN = 10;

  private FlinkClusterCli() {}

  /** Runs a subcommand and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a subcommand, printing to {@code out} and errors to {@code err}; the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Subcommands.of("FlinkClusterCli", err)
        .withErrorPrefix("flink-cluster: ")
        .add(
            "start <work-dir> [--taskmanagers N] [--rest-port P] [--rpc-port P]",
            rest -> start(rest, out, err))
        .add("stop <work-dir>", rest -> rest.size() == 1 ? stop(workDir(rest), out) : 2)
        .add("status <work-dir>", rest -> rest.size() == 1 ? status(workDir(rest), out) : 2)
        .run(args);
  }

  private static Path workDir(List<String> args) {
    return Path.of(args.get(0)).toAbsolutePath().normalize();
  }

  private static int start(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      return 2;
    }
    Optional<StartOptions> options = StartOptions.parse(args.subList(1, args.size()), err);
    return options.isEmpty() ? 2 : start(workDir(args), options.get(), out);
  }

  private static int start(Path workDir, StartOptions options, PrintStream out) {
    Optional<FlinkCluster> running = FlinkCluster.attach(workDir);
    if (running.isPresent()) {
      FlinkCluster cluster = running.get();
      int missing = options.taskManagers() - cluster.taskManagers().size();
      for (int i = 0; i < missing; i++) {
        FlinkCluster.TaskManager started = cluster.startTaskManager();
        out.println(
            "flink-cluster: started " + started.resourceId() + " (pid " + started.pid() + ")");
      }
      if (missing <= 0) {
        out.println("flink-cluster: already running");
      }
      printStatus(cluster, out);
      return 0;
    }
    stopStrays(workDir, out);
    out.println(
        "flink-cluster: starting 1 JobManager and "
            + options.taskManagers()
            + " TaskManagers (Flink "
            + FlinkCluster.FLINK_LINE
            + ") ...");
    Instant begin = Instant.now();
    FlinkCluster cluster =
        FlinkCluster.start(
            workDir, options.taskManagers(), options.restPort(), options.rpcPort(), true);
    out.printf(
        "flink-cluster: started in %.1f s%n",
        Duration.between(begin, Instant.now()).toMillis() / 1000.0);
    printStatus(cluster, out);
    return 0;
  }

  private static int stop(Path workDir, PrintStream out) {
    Optional<FlinkCluster> running = FlinkCluster.attach(workDir);
    if (running.isEmpty()) {
      if (!stopStrays(workDir, out)) {
        out.println("flink-cluster: not running");
      }
      return 0;
    }
    FlinkCluster cluster = running.get();
    List<String> stopped = new ArrayList<>();
    stopped.add("jobmanager pid " + cluster.jobManagerPid());
    cluster.taskManagers().forEach(t -> stopped.add(t.resourceId() + " pid " + t.pid()));
    cluster.stop();
    out.println("flink-cluster: stopped (" + String.join(", ", stopped) + ")");
    return 0;
  }

  private static int status(Path workDir, PrintStream out) {
    Optional<FlinkCluster> running = FlinkCluster.attach(workDir);
    if (running.isEmpty()) {
      out.println("flink-cluster: stopped");
      return 3;
    }
    printStatus(running.get(), out);
    return 0;
  }

  /** Kills TaskManagers left running without their JobManager; whether there were any. */
  private static boolean stopStrays(Path workDir, PrintStream out) {
    boolean any = false;
    for (int number : FlinkCluster.pidFileNumbers(workDir)) {
      String name = FlinkCluster.taskManagerName(number);
      Optional<Long> stray =
          ChildProcesses.terminate(
              FlinkCluster.pidFile(workDir, name),
              FlinkCluster.commandLineMark(workDir, name),
              FlinkCluster.STOP_TIMEOUT);
      if (stray.isPresent()) {
        out.println(
            "flink-cluster: stopped "
                + name
                + " (pid "
                + stray.get()
                + "), left running without its JobManager");
        any = true;
      }
    }
    return any;
  }

  private static void printStatus(FlinkCluster cluster, PrintStream out) {
    FlinkCluster.Overview overview;
    Map<String, Integer> registered;
    List<JobDetails> jobs;
    try {
      overview = cluster.overview();
      registered = cluster.registeredTaskManagers();
      jobs = cluster.jobs();
    } catch (RuntimeException e) {
      out.println(
          "flink-cluster: JobManager running (pid "
              + cluster.jobManagerPid()
              + "), but its REST API at "
              + cluster.restUrl()
              + " does not answer: "
              + e.getMessage());
      return;
    }
    out.printf(
        "flink-cluster: running at %s (Flink %s); work dir %s%n",
        cluster.restUrl(), overview.flinkVersion(), shown(cluster.workDir()));
    out.printf(
        "  %-15s pid %-8d %-22s log %s%n",
        "jobmanager", cluster.jobManagerPid(), "", shown(cluster.jobManagerLog()));
    for (FlinkCluster.TaskManager taskManager : cluster.taskManagers()) {
      Integer slots = registered.get(taskManager.resourceId());
      out.printf(
          "  %-15s pid %-8d %-22s log %s%n",
          taskManager.resourceId(),
          taskManager.pid(),
          slots == null ? "(not registered)" : slots + " slots",
          shown(taskManager.logFile()));
    }
    out.printf(
        "  slots: %d total, %d available; jobs: %d running, %d finished, %d cancelled, %d failed%n",
        overview.slotsTotal(),
        overview.slotsAvailable(),
        overview.jobsRunning(),
        overview.jobsFinished(),
        overview.jobsCancelled(),
        overview.jobsFailed());
    for (JobDetails job : jobs.subList(0, Math.min(JOBS_SHOWN, jobs.size()))) {
      out.printf(
          "    %-9s %s  %-45s %s%n",
          job.getStatus(),
          job.getJobId(),
          job.getJobName(),
          duration(Duration.ofMillis(Math.max(0, job.getDuration()))));
    }
  }

  /** A path relative to the working directory when it lies below it. */
  private static String shown(Path path) {
    Path workingDir = Path.of("").toAbsolutePath();
    return path.startsWith(workingDir) ? workingDir.relativize(path).toString() : path.toString();
  }

  private static String duration(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds < 60
        ? String.format("%.1f s", duration.toMillis() / 1000.0)
        : String.format("%dm %02ds", seconds / 60, seconds % 60);
  }

  /** The options of {@code start}. */
  record StartOptions(int taskManagers, int restPort, int rpcPort) {

    static Optional<StartOptions> parse(List<String> options, PrintStream err) {
      int taskManagers = DEFAULT_TASK_MANAGERS;
      int restPort = DEFAULT_REST_PORT;
      int rpcPort = DEFAULT_RPC_PORT;
      for (int i = 0; i < options.size(); i++) {
        String option = options.get(i);
        String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
        String value;
        if (option.contains("=")) {
          value = option.substring(option.indexOf('=') + 1);
        } else if (i + 1 < options.size()) {
          value = options.get(++i);
        } else {
          err.println(option + " needs a value");
          return Optional.empty();
        }
        Optional<Integer> number = Subcommands.positive(name, value, err);
        if (number.isEmpty()) {
          return Optional.empty();
        }
        switch (name) {
          case "--taskmanagers":
            taskManagers = number.get();
            break;
          case "--rest-port":
            restPort = number.get();
            break;
          case "--rpc-port":
            rpcPort = number.get();
            break;
          default:
            err.println("unknown option " + name);
            return Optional.empty();
        }
      }
      return Optional.of(new StartOptions(taskManagers, restPort, rpcPort));
    }
  }
}
