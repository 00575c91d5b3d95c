package dev.kappa.testing.flink;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.Directories;
import dev.kappa.testing.process.LocalServer;
import dev.kappa.testing.process.PidFile;
import dev.kappa.testing.process.Ports;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import org.apache.flink.runtime.rest.messages.EmptyMessageParameters;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobsOverviewHeaders;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagerInfo;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagersHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink {@value #FLINK_LINE} standalone session cluster: one JobManager and any number of
 * TaskManagers, each a JVM of its own, on the loopback interface. It is what production runs (a
 * session cluster), not the mini cluster the embedded runner starts inside the launcher's JVM, so
 * jobs are submitted over REST, staged as jars, and survive the loss of a TaskManager.
 *
 * <p>The JVMs run from the classpath the {@code cluster} module's build writes ({@code
 * cluster/target/flink-cluster.classpath}: no flink-dist needed) with the configuration in {@code
 * runners-config/flink/cluster} and the Java 17 flags of {@code
 * runners-config/jvm/java17-opens.args}. Each JVM is sized as Flink's own scripts size it (from
 * {@code jobmanager.memory.process.size} and {@code taskmanager.memory.process.size}). What depends
 * on where the cluster runs is set per JVM as a dynamic property, under the work directory:
 *
 * <ul>
 *   <li>{@code log/}: {@code jobmanager.log}, {@code taskmanager-<n>.log} (and their {@code .out}
 *       files for stdout), shown by the web UI too; an earlier start's are renamed {@code .1}, and
 *       so on up to {@code .5};
 *   <li>{@code checkpoints/}, {@code savepoints/}: {@code state.checkpoints.dir}, {@code
 *       state.savepoints.dir}; kept across restarts;
 *   <li>{@code tmp/}: {@code io.tmp.dirs} (blob caches of staged jars), emptied at each start;
 *   <li>{@code *.pid}, {@code cluster.properties}: how {@code scripts/flink-cluster.sh} finds a
 *       cluster it started earlier.
 * </ul>
 *
 * <pre>{@code
 * try (FlinkCluster cluster = FlinkCluster.start(workDir, 2)) {   // free ports
 *   // submit with --runner=FlinkRunner --flinkMaster=<cluster.flinkMaster()>
 *   cluster.killTaskManager(1);                 // SIGKILL: a crash
 *   cluster.awaitTaskManagers(1, Duration.ofSeconds(30));
 *   cluster.startTaskManager();                 // a replacement, taskmanager-3
 * }
 * }</pre>
 *
 * <p>The cluster's processes run in the caller's working directory, so relative paths in jobs
 * resolve as they would for the caller. A cluster started by tests is stopped when the test JVM
 * exits; one started by {@code scripts/flink-cluster.sh} runs on until stopped.
 */
public final class FlinkCluster extends LocalServer {

  private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);

  /** The Flink minor version the configuration and the classpath are for. */
  static final String FLINK_LINE = "1.19";

  /** The host every endpoint binds to and is reached at. */
  static final String HOST = "localhost";

  /** How long the JVMs get until the REST API reports every TaskManager registered. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** How long {@link #cancelJobs} waits for the jobs it cancelled to end. */
  static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(60);

  /** How long a stopping JVM gets after SIGTERM before it is killed. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  static final String JOB_MANAGER_CLASS =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_CLASS =
      "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  /** Flink's own scripts size the JVMs with this class; so does this one. */
  static final String MEMORY_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

  private static final String MEMORY_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final String STATE_FILE = "cluster.properties";
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration REST_TIMEOUT = Duration.ofSeconds(5);
  private static final int LOG_TAIL_BYTES = 6 * 1024;
  private static final int LOG_GENERATIONS = 5;

  private final Path workDir;
  private final ClusterFiles files;
  private final int restPort;
  private final int rpcPort;
  private final boolean detached;
  private final RestClusterClient<String> rest;
  // The live JVMs this object knows; guarded by this object's lock, read by the shutdown hook.
  private volatile ProcessHandle jobManager;
  private final Map<Integer, TaskManager> taskManagers = new ConcurrentSkipListMap<>();
  private JvmSizing taskManagerSizing;

  private FlinkCluster(
      Path workDir, ClusterFiles files, int restPort, int rpcPort, boolean detached) {
    super(HOST, restPort, workDir, detached);
    this.workDir = workDir;
    this.files = files;
    this.restPort = restPort;
    this.rpcPort = rpcPort;
    this.detached = detached;
    this.rest = restClient(restPort);
  }

  /**
   * Starts a cluster of one JobManager and {@code taskManagers} TaskManagers on free loopback ports
   * chosen by the operating system, with its logs, checkpoints and savepoints in {@code workDir}
   * (created if missing), and returns once the REST API reports every TaskManager with its slots.
   *
   * @throws IllegalStateException if a JVM exits or the cluster is not complete within 90 s; the
   *     message holds the end of the logs
   */
  public static FlinkCluster start(Path workDir, int taskManagers) {
    return Ports.startOnFreePorts(
        HOST, 2, ports -> start(workDir, taskManagers, ports[0], ports[1]));
  }

  /**
   * Starts a cluster as {@link #start(Path, int)} does, with the REST API and web UI on {@code
   * restPort} and the JobManager's RPC on {@code rpcPort} ({@code runners-config}'s 8081 and 6123
   * for a cluster to submit to by hand).
   */
  public static FlinkCluster start(Path workDir, int taskManagers, int restPort, int rpcPort) {
    return start(workDir, taskManagers, restPort, rpcPort, false);
  }

  /**
   * Starts a cluster; a {@code detached} one is left running when this JVM exits, its JVMs in a
   * session of their own (setsid) so that the terminal's signals do not reach them.
   */
  static FlinkCluster start(
      Path workDir, int taskManagers, int restPort, int rpcPort, boolean detached) {
    if (taskManagers < 1) {
      throw new IllegalArgumentException("taskManagers must be at least 1, got " + taskManagers);
    }
    Ports.requireTwoFree("the Flink cluster", HOST, "restPort", restPort, "rpcPort", rpcPort);
    if (livePid(workDir.toAbsolutePath(), "jobmanager").isPresent()) {
      throw new IllegalStateException(
          "A Flink cluster is running in " + workDir.toAbsolutePath() + " already");
    }
    Instant begin = Instant.now();
    FlinkCluster cluster =
        new FlinkCluster(
            workDir.toAbsolutePath(), ClusterFiles.resolve(), restPort, rpcPort, detached);
    cluster.prepareWorkDir();
    cluster.addShutdownHook();
    try {
      cluster.launchAll(taskManagers);
    } catch (RuntimeException e) {
      cluster.destroyAll();
      cluster.removeShutdownHook();
      throw e;
    }
    LOG.info(
        "Flink cluster at {} started in {} ms: 1 JobManager, {} TaskManagers with {} slots each"
            + " (work directory {})",
        cluster.restUrl(),
        Duration.between(begin, Instant.now()).toMillis(),
        taskManagers,
        cluster.taskManagerSizing.slots(),
        cluster.workDir);
    return cluster;
  }

  /**
   * The cluster whose JobManager, started earlier (by another JVM) with this work directory, is
   * still running; empty if there is none. For {@code scripts/flink-cluster.sh}: its JVMs are not
   * stopped when this JVM exits.
   */
  static Optional<FlinkCluster> attach(Path workDir) {
    Path dir = workDir.toAbsolutePath();
    Path stateFile = dir.resolve(STATE_FILE);
    Optional<ProcessHandle> jobManager = livePid(dir, "jobmanager");
    if (jobManager.isEmpty() || !Files.isRegularFile(stateFile)) {
      return Optional.empty();
    }
    Properties state = new Properties();
    try (InputStream in = Files.newInputStream(stateFile)) {
      state.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + stateFile, e);
    }
    FlinkCluster cluster =
        new FlinkCluster(
            dir,
            ClusterFiles.resolve(),
            Integer.parseInt(state.getProperty("rest.port")),
            Integer.parseInt(state.getProperty("jobmanager.rpc.port")),
            true);
    cluster.jobManager = jobManager.get();
    for (int number : pidFileNumbers(dir)) {
      livePid(dir, taskManagerName(number))
          .ifPresent(
              handle ->
                  cluster.taskManagers.put(
                      number,
                      new TaskManager(number, handle.pid(), cluster.taskManagerLog(number))));
    }
    return Optional.of(cluster);
  }

  /** The REST API and web UI: {@code http://localhost:<rest port>}. */
  public URI restUrl() {
    return URI.create("http://" + HOST + ":" + restPort);
  }

  /** The port of the REST API and web UI. */
  public int restPort() {
    return restPort;
  }

  /** The JobManager's RPC port ({@code jobmanager.rpc.port}). */
  public int rpcPort() {
    return rpcPort;
  }

  /** The FlinkRunner's {@code --flinkMaster} for this cluster: {@code localhost:<rest port>}. */
  public String flinkMaster() {
    return HOST + ":" + restPort;
  }

  /** The directory holding the cluster's logs, checkpoints, savepoints and temporary files. */
  public Path workDir() {
    return workDir;
  }

  /** The JVMs' logs: {@code jobmanager.log}, {@code taskmanager-<n>.log} and their .out files. */
  public Path logDir() {
    return workDir.resolve("log");
  }

  /** {@code state.checkpoints.dir}: one directory per job id. */
  public Path checkpointsDir() {
    return workDir.resolve("checkpoints");
  }

  /** {@code state.savepoints.dir}: where savepoints go unless a target is given. */
  public Path savepointsDir() {
    return workDir.resolve("savepoints");
  }

  /** The JobManager's log file. */
  public Path jobManagerLog() {
    return logDir().resolve("jobmanager.log");
  }

  /** The JobManager JVM's process id. */
  public long jobManagerPid() {
    ProcessHandle handle = jobManager;
    if (handle == null) {
      throw new IllegalStateException("The cluster is stopped");
    }
    return handle.pid();
  }

  /** Whether the JobManager JVM is running. */
  public boolean isRunning() {
    ProcessHandle handle = jobManager;
    return handle != null && handle.isAlive();
  }

  /**
   * The TaskManagers this cluster started that are still running, by number: {@code 1..n} for the
   * first {@code n}, then one more for each {@link #startTaskManager()}.
   */
  public synchronized List<TaskManager> taskManagers() {
    return taskManagers.values().stream().filter(TaskManager::isAlive).toList();
  }

  /** Task slots per TaskManager ({@code taskmanager.numberOfTaskSlots}). */
  public synchronized int slotsPerTaskManager() {
    return taskManagerSizing().slots();
  }

  /**
   * Kills TaskManager {@code number} with SIGKILL, as a crash would, and returns once its JVM has
   * exited. The JobManager notices the loss after a few failed heartbeats (about 4 s with the
   * configuration's 2 s heartbeat interval); {@link #awaitTaskManagers} waits for that.
   *
   * @throws IllegalArgumentException if no running TaskManager has that number
   */
  public synchronized void killTaskManager(int number) {
    TaskManager taskManager = taskManagers.get(number);
    if (taskManager == null || !taskManager.isAlive()) {
      throw new IllegalArgumentException(
          "No running TaskManager number " + number + "; running: " + taskManagers());
    }
    ProcessHandle.of(taskManager.pid())
        .ifPresent(process -> ChildProcesses.kill(List.of(process), STOP_TIMEOUT));
    taskManagers.remove(number);
    deletePidFile(taskManagerName(number));
    LOG.info("Killed {} (pid {})", taskManager.resourceId(), taskManager.pid());
  }

  /**
   * Starts one more TaskManager, numbered after every earlier one, and returns once the REST API
   * lists it with its slots.
   *
   * @throws IllegalStateException if its JVM exits or it does not register within 90 s
   */
  public synchronized TaskManager startTaskManager() {
    int number = taskManagers.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    for (int used : pidFileNumbers(workDir)) {
      number = Math.max(number, used + 1);
    }
    TaskManager taskManager = launchTaskManager(number);
    awaitRegistered(taskManager, Instant.now().plus(START_TIMEOUT));
    LOG.info("Started {} (pid {})", taskManager.resourceId(), taskManager.pid());
    return taskManager;
  }

  /** The REST API's {@code /overview}: registered TaskManagers, slots and job counts. */
  public Overview overview() {
    ClusterOverviewWithVersion overview = restCall(rest.getClusterOverview());
    return new Overview(
        overview.getNumTaskManagersConnected(),
        overview.getNumSlotsTotal(),
        overview.getNumSlotsAvailable(),
        overview.getNumJobsRunningOrPending(),
        overview.getNumJobsFinished(),
        overview.getNumJobsCancelled(),
        overview.getNumJobsFailed(),
        overview.getVersion());
  }

  /**
   * The REST API's {@code /jobs/overview}: every job the cluster knows, newest first, as Flink's
   * client reads them.
   */
  public List<JobDetails> jobs() {
    return restCall(
            rest.sendRequest(
                JobsOverviewHeaders.getInstance(),
                EmptyMessageParameters.getInstance(),
                EmptyRequestBody.getInstance()))
        .getJobs()
        .stream()
        .sorted(Comparator.comparingLong(JobDetails::getStartTime).reversed())
        .toList();
  }

  /**
   * Cancels every job that has not reached a terminal state and whose name {@code byName} accepts,
   * and returns their ids once each has ended (a cancelled job holds its slots until its tasks have
   * stopped). For tests on a shared cluster, which cancel the jobs they started, and only those,
   * before they return, whether they passed or failed.
   *
   * @throws IllegalStateException if one has not ended within 60 s
   */
  public List<String> cancelJobs(Predicate<String> byName) {
    List<JobID> cancelled = new ArrayList<>();
    for (JobDetails job : jobs()) {
      if (!job.getStatus().isGloballyTerminalState() && byName.test(job.getJobName())) {
        cancelled.add(job.getJobId());
        if (job.getStatus() != JobStatus.CANCELLING) {
          try {
            restCall(rest.cancel(job.getJobId()));
          } catch (IllegalStateException e) {
            // It may have ended meanwhile; the wait below fails if it has not.
            LOG.info("Cancelling job {} failed: {}", job.getJobId(), e.getMessage());
          }
        }
      }
    }
    Instant deadline = Instant.now().plus(CANCEL_TIMEOUT);
    while (true) {
      List<String> active =
          jobs().stream()
              .filter(j -> cancelled.contains(j.getJobId()))
              .filter(j -> !j.getStatus().isGloballyTerminalState())
              .map(j -> j.getJobName() + " (" + j.getJobId() + ", " + j.getStatus() + ")")
              .toList();
      if (active.isEmpty()) {
        return cancelled.stream().map(JobID::toString).toList();
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure(
            "Cancelled jobs did not end within " + CANCEL_TIMEOUT.toSeconds() + " s: " + active,
            null);
      }
      pause();
    }
  }

  /**
   * The registered TaskManagers' resource ids ({@code taskmanager-<n>}) and their slot counts, as
   * the REST API's {@code /taskmanagers} lists them.
   */
  public Map<String, Integer> registeredTaskManagers() {
    Map<String, Integer> slots = new TreeMap<>();
    for (TaskManagerInfo taskManager :
        restCall(
                rest.sendRequest(
                    TaskManagersHeaders.getInstance(),
                    EmptyMessageParameters.getInstance(),
                    EmptyRequestBody.getInstance()))
            .getTaskManagerInfos()) {
      slots.put(taskManager.getResourceId().getResourceIdString(), taskManager.getNumberSlots());
    }
    return slots;
  }

  /**
   * Waits until the REST API reports exactly {@code count} TaskManagers and their slots, for
   * example after {@link #killTaskManager}, and returns that overview.
   *
   * @throws IllegalStateException if the JobManager exits or {@code timeout} passes first
   */
  public Overview awaitTaskManagers(int count, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    int slots = slotsPerTaskManager() * count;
    while (true) {
      Overview overview = null;
      RuntimeException error = null;
      try {
        overview = overview();
        if (overview.taskManagers() == count && overview.slotsTotal() == slots) {
          return overview;
        }
      } catch (RuntimeException e) {
        error = e;
      }
      ProcessHandle handle = jobManager;
      if (handle == null || !handle.isAlive()) {
        throw failure("The JobManager exited while waiting for " + count + " TaskManagers", error);
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure(
            "The cluster did not report "
                + count
                + " TaskManagers with "
                + slots
                + " slots within "
                + timeout.toSeconds()
                + " s; last overview: "
                + overview,
            error);
      }
      pause();
    }
  }

  /**
   * Stops the cluster as {@code stop-cluster.sh} does: SIGTERM to the TaskManagers, then to the
   * JobManager, each killed if it has not exited within 30 s. Returns once every JVM has exited.
   * Does nothing if the cluster is stopped. Checkpoints, savepoints and logs stay.
   */
  @Override
  public synchronized void stop() {
    List<ProcessHandle> running = new ArrayList<>();
    for (TaskManager taskManager : taskManagers.values()) {
      ProcessHandle.of(taskManager.pid()).ifPresent(running::add);
    }
    ChildProcesses.terminate(running, STOP_TIMEOUT);
    for (int number : new ArrayList<>(taskManagers.keySet())) {
      deletePidFile(taskManagerName(number));
    }
    taskManagers.clear();
    if (jobManager != null) {
      ChildProcesses.terminate(List.of(jobManager), STOP_TIMEOUT);
      deletePidFile("jobmanager");
      jobManager = null;
    }
  }

  /** Stops the cluster (see {@link #stop()}) and closes its REST client. */
  @Override
  public synchronized void close() {
    super.close();
    rest.close();
  }

  /** The end of the JobManager's log and of every TaskManager's, for failure messages. */
  public String logTails() {
    StringBuilder tails = new StringBuilder();
    try (Stream<Path> logs = Files.list(logDir())) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        tails.append("--- end of ").append(log).append(" ---\n").append(tail(log));
      }
    } catch (IOException e) {
      tails.append("(cannot list ").append(logDir()).append(": ").append(e).append(")");
    }
    return tails.toString();
  }

  // ---- Starting -----------------------------------------------------------------------------

  private void prepareWorkDir() {
    try {
      for (Path dir : new Path[] {logDir(), checkpointsDir(), savepointsDir(), pluginsDir()}) {
        Files.createDirectories(dir);
      }
      rotateLogs();
      // Blob caches and spill files of JVMs that were killed: nobody reads them any more.
      Directories.deleteRecursively(tmpDir());
      Files.createDirectories(tmpDir());
      Properties state = new Properties();
      state.setProperty("rest.port", Integer.toString(restPort));
      state.setProperty("jobmanager.rpc.port", Integer.toString(rpcPort));
      state.setProperty("config.dir", files.configDir().toString());
      try (var out = Files.newOutputStream(workDir.resolve(STATE_FILE))) {
        state.store(out, "Written by " + FlinkCluster.class.getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the work directory " + workDir, e);
    }
  }

  /**
   * As Flink's scripts do: {@code x.log} becomes {@code x.log.1}, {@code x.log.1} {@code
   * x.log.2}...
   */
  private void rotateLogs() throws IOException {
    List<Path> current;
    try (Stream<Path> files = Files.list(logDir())) {
      current =
          files
              .filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out"))
              .toList();
    }
    for (Path file : current) {
      for (int generation = LOG_GENERATIONS - 1; generation >= 1; generation--) {
        Path older = Path.of(file + "." + generation);
        if (Files.exists(older)) {
          Files.move(older, Path.of(file + "." + (generation + 1)), REPLACE_EXISTING);
        }
      }
      Files.move(file, Path.of(file + ".1"), REPLACE_EXISTING);
    }
  }

  private void launchAll(int count) {
    // Size both kinds of JVM at once: each sizing is a short JVM run of its own.
    Process jobManagerSizing = startSizing("GET_JM_RESOURCE_PARAMS");
    taskManagerSizing = JvmSizing.read(startSizing("GET_TM_RESOURCE_PARAMS"), "TaskManager");
    JvmSizing jobManagerJvm = JvmSizing.read(jobManagerSizing, "JobManager");
    List<String> command = daemonCommand(jobManagerJvm, logDir().resolve("jobmanager.log"));
    command.add(JOB_MANAGER_CLASS);
    command.addAll(flinkArguments(jobManagerJvm, List.of("web.tmpdir=" + tmpDir())));
    jobManager = launch(command, "jobmanager");
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    // TaskManagers started before the JobManager answers retry their registration only after
    // cluster.registration.error-delay (10 s): start them once it does.
    awaitJobManager(deadline);
    List<TaskManager> started = new ArrayList<>();
    for (int number = 1; number <= count; number++) {
      started.add(launchTaskManager(number));
    }
    for (TaskManager taskManager : started) {
      awaitRegistered(taskManager, deadline);
    }
    Duration remaining = Duration.between(Instant.now(), deadline);
    awaitTaskManagers(count, remaining.isNegative() ? Duration.ZERO : remaining);
  }

  private synchronized TaskManager launchTaskManager(int number) {
    JvmSizing sizing = taskManagerSizing();
    Path log = taskManagerLog(number);
    List<String> command = daemonCommand(sizing, log);
    command.add(TASK_MANAGER_CLASS);
    command.addAll(
        flinkArguments(sizing, List.of("taskmanager.resource-id=" + taskManagerName(number))));
    ProcessHandle handle = launch(command, taskManagerName(number));
    TaskManager taskManager = new TaskManager(number, handle.pid(), log);
    taskManagers.put(number, taskManager);
    return taskManager;
  }

  private synchronized JvmSizing taskManagerSizing() {
    if (taskManagerSizing == null) {
      taskManagerSizing = JvmSizing.read(startSizing("GET_TM_RESOURCE_PARAMS"), "TaskManager");
    }
    return taskManagerSizing;
  }

  /** {@code java <heap and metaspace flags> @java17-opens.args -Dlog.file=... -cp ...}. */
  private List<String> daemonCommand(JvmSizing sizing, Path logFile) {
    List<String> command = new ArrayList<>();
    if (detached) {
      ChildProcesses.setsid().ifPresent(command::add);
    }
    command.add(ChildProcesses.javaExecutable());
    command.addAll(sizing.jvmArguments());
    command.add("@" + files.jvmArgsFile());
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog.file=" + logFile);
    command.add(
        "-Dlog4j.configurationFile=" + files.configDir().resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(files.classpath());
    return command;
  }

  /** {@code --configDir <dir> -D key=value ...}: the sizing's and the work directory's settings. */
  private List<String> flinkArguments(JvmSizing sizing, List<String> extra) {
    List<String> arguments = new ArrayList<>(List.of("--configDir", files.configDir().toString()));
    List<String> dynamic = new ArrayList<>(commonDynamicProperties());
    dynamic.addAll(sizing.dynamicProperties());
    dynamic.addAll(extra);
    for (String property : dynamic) {
      arguments.add("-D");
      arguments.add(property);
    }
    return arguments;
  }

  /** What every JVM of this cluster must agree on, and what lives in the work directory. */
  private List<String> commonDynamicProperties() {
    return List.of(
        "rest.port=" + restPort,
        "jobmanager.rpc.port=" + rpcPort,
        "state.checkpoints.dir=" + checkpointsDir().toUri(),
        "state.savepoints.dir=" + savepointsDir().toUri(),
        "io.tmp.dirs=" + tmpDir());
  }

  private Process startSizing(String command) {
    List<String> arguments = new ArrayList<>();
    arguments.add(ChildProcesses.javaExecutable());
    arguments.add("-cp");
    arguments.add(files.classpath());
    arguments.add(MEMORY_CLASS);
    arguments.add(command);
    arguments.add("--configDir");
    arguments.add(files.configDir().toString());
    for (String property : commonDynamicProperties()) {
      arguments.add("-D");
      arguments.add(property);
    }
    try {
      return new ProcessBuilder(arguments)
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + MEMORY_CLASS + " " + command, e);
    }
  }

  private ProcessHandle launch(List<String> command, String name) {
    Path out = logDir().resolve(name + ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    builder.environment().put("FLINK_CONF_DIR", files.configDir().toString());
    builder.environment().put("FLINK_PLUGINS_DIR", pluginsDir().toString());
    ProcessHandle handle;
    try {
      handle = builder.start().toHandle();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the Flink " + name + " JVM", e);
    }
    PidFile.write(pidFile(workDir, name), handle.pid());
    return handle;
  }

  /** Waits until the JobManager's REST API answers. */
  private void awaitJobManager(Instant deadline) {
    RuntimeException error = null;
    while (true) {
      try {
        overview();
        return;
      } catch (RuntimeException e) {
        error = e;
      }
      ProcessHandle handle = jobManager;
      if (handle == null || !handle.isAlive()) {
        throw failure("The JobManager JVM exited before its REST API answered", error);
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure(
            "The JobManager's REST API at "
                + restUrl()
                + " did not answer within "
                + START_TIMEOUT.toSeconds()
                + " s",
            error);
      }
      pause();
    }
  }

  /** Waits until the REST API lists this TaskManager with all its slots. */
  private void awaitRegistered(TaskManager taskManager, Instant deadline) {
    RuntimeException error = null;
    while (true) {
      try {
        Integer slots = registeredTaskManagers().get(taskManager.resourceId());
        if (slots != null && slots == slotsPerTaskManager()) {
          return;
        }
      } catch (RuntimeException e) {
        error = e;
      }
      ProcessHandle handle = jobManager;
      if (handle == null || !handle.isAlive()) {
        throw failure("The JobManager JVM exited before the cluster was complete", error);
      }
      if (!taskManager.isAlive()) {
        throw failure(
            taskManager.resourceId() + "'s JVM exited before it registered with the JobManager",
            error);
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure(
            taskManager.resourceId()
                + " did not register with the JobManager at "
                + restUrl()
                + " within "
                + START_TIMEOUT.toSeconds()
                + " s",
            error);
      }
      pause();
    }
  }

  // ---- Stopping -----------------------------------------------------------------------------

  private synchronized void destroyAll() {
    List<ProcessHandle> all = new ArrayList<>();
    taskManagers.values().forEach(t -> ProcessHandle.of(t.pid()).ifPresent(all::add));
    if (jobManager != null) {
      all.add(jobManager);
    }
    ChildProcesses.kill(all, STOP_TIMEOUT);
    taskManagers.keySet().forEach(number -> deletePidFile(taskManagerName(number)));
    taskManagers.clear();
    deletePidFile("jobmanager");
    jobManager = null;
  }

  @Override
  protected void terminateOnExit() {
    // No lock: the JVM is exiting, and a test thread may hold it.
    ProcessHandle handle = jobManager;
    for (TaskManager taskManager : List.copyOf(taskManagers.values())) {
      ProcessHandle.of(taskManager.pid()).ifPresent(ProcessHandle::destroy);
    }
    if (handle != null) {
      handle.destroy();
    }
  }

  // ---- Files --------------------------------------------------------------------------------

  private Path tmpDir() {
    return workDir.resolve("tmp");
  }

  private Path pluginsDir() {
    return workDir.resolve("plugins");
  }

  private Path taskManagerLog(int number) {
    return logDir().resolve(taskManagerName(number) + ".log");
  }

  static String taskManagerName(int number) {
    return "taskmanager-" + number;
  }

  /** The pid file of the JVM {@code name} ({@code jobmanager}, {@code taskmanager-<n>}). */
  static Path pidFile(Path workDir, String name) {
    return workDir.resolve(name + ".pid");
  }

  /**
   * What the command line of the JVM {@code name} of {@code workDir} holds: the option naming its
   * log file there (so that a recycled pid is not taken for it). It comes before the long
   * classpath, within the 4 KiB of command line that {@link ProcessHandle.Info} shows.
   */
  static String commandLineMark(Path workDir, String name) {
    return "-Dlog.file=" + workDir.resolve("log").resolve(name + ".log");
  }

  private void deletePidFile(String name) {
    PidFile.delete(pidFile(workDir, name));
  }

  /** The numbers of the TaskManagers with pid files in {@code workDir}, ascending. */
  static List<Integer> pidFileNumbers(Path workDir) {
    if (!Files.isDirectory(workDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(workDir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("taskmanager-[0-9]+\\.pid"))
          .map(n -> Integer.parseInt(n.substring("taskmanager-".length(), n.length() - 4)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + workDir, e);
    }
  }

  /** The live JVM {@code name} of {@code workDir}, from its pid file. */
  static Optional<ProcessHandle> livePid(Path workDir, String name) {
    String mark = commandLineMark(workDir, name);
    return PidFile.live(pidFile(workDir, name), line -> line.contains(mark));
  }

  // ---- Helpers ------------------------------------------------------------------------------

  /**
   * Flink's own REST client for the cluster's JobManager, failing fast: a call that cannot connect
   * fails at once (the waits above poll), where the client would retry for a minute.
   */
  private static RestClusterClient<String> restClient(int restPort) {
    Configuration config = new Configuration();
    config.set(RestOptions.ADDRESS, HOST);
    config.set(RestOptions.PORT, restPort);
    config.set(RestOptions.RETRY_MAX_ATTEMPTS, 0);
    config.set(RestOptions.CONNECTION_TIMEOUT, REST_TIMEOUT.toMillis());
    config.set(RestOptions.IDLENESS_TIMEOUT, REST_TIMEOUT.toMillis());
    config.set(RestOptions.AWAIT_LEADER_TIMEOUT, REST_TIMEOUT.toMillis());
    try {
      return new RestClusterClient<>(config, "kappa-flink-cluster");
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot create a REST client for " + HOST + ":" + restPort, e);
    }
  }

  /** The answer of a REST call, or an unchecked exception with Flink's reason. */
  private static <T> T restCall(CompletableFuture<T> call) {
    try {
      return call.get(REST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during a call of Flink's REST API", e);
    } catch (ExecutionException | TimeoutException e) {
      call.cancel(true);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("Flink's REST API failed: " + cause, cause);
    }
  }

  private IllegalStateException failure(String message, Throwable cause) {
    return new IllegalStateException(message + ".\n" + logTails(), cause);
  }

  private static String tail(Path log) {
    try {
      return ChildProcesses.logTail(log, LOG_TAIL_BYTES);
    } catch (IOException e) {
      return "(cannot read it: " + e + ")\n";
    }
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Flink cluster", e);
    }
  }

  /** {@code count} distinct free loopback ports, as the operating system hands them out. */
  static int[] freePorts(int count) {
    return Ports.freePorts(HOST, count);
  }

  // ---- Values -------------------------------------------------------------------------------

  /**
   * A TaskManager JVM: its number ({@code 1..n}), process id and log file. Its resource id, the
   * name the JobManager and the web UI know it by, is {@code taskmanager-<number>}.
   */
  public record TaskManager(int number, long pid, Path logFile) {

    /** The id it registers with: {@code taskmanager-<number>}. */
    public String resourceId() {
      return taskManagerName(number);
    }

    /** Whether its JVM is running. */
    public boolean isAlive() {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  /** The REST API's {@code /overview}. */
  public record Overview(
      int taskManagers,
      int slotsTotal,
      int slotsAvailable,
      int jobsRunning,
      int jobsFinished,
      int jobsCancelled,
      int jobsFailed,
      String flinkVersion) {}

  /**
   * How Flink's scripts size a JVM: heap, direct and metaspace flags, and the memory settings they
   * imply, passed as dynamic properties (a TaskManager refuses to start without them).
   */
  record JvmSizing(List<String> jvmArguments, List<String> dynamicProperties) {

    /** {@code taskmanager.numberOfTaskSlots} as the sizing resolved it. */
    int slots() {
      return dynamicProperties.stream()
          .filter(p -> p.startsWith("taskmanager.numberOfTaskSlots="))
          .map(p -> Integer.parseInt(p.substring(p.indexOf('=') + 1)))
          .findFirst()
          .orElse(1);
    }

    /** Reads the sizing {@link #MEMORY_CLASS} printed, once the process has exited. */
    static JvmSizing read(Process process, String what) {
      String output;
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("Sizing the " + what + " JVM took over 60 s");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the sizing of the " + what + " JVM", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while sizing the " + what + " JVM", e);
      }
      return parse(output, process.exitValue(), what);
    }

    /** The sizing in {@link #MEMORY_CLASS}'s output; fails with that output if it has none. */
    static JvmSizing parse(String output, int exitCode, String what) {
      List<String> results =
          output
              .lines()
              .filter(line -> line.startsWith(MEMORY_RESULT_PREFIX))
              .map(line -> line.substring(MEMORY_RESULT_PREFIX.length()).strip())
              .toList();
      if (exitCode != 0 || results.size() < 2) {
        throw new IllegalStateException(
            "Cannot size the "
                + what
                + " JVM from the Flink configuration (exit code "
                + exitCode
                + "; is its memory configuration valid?):\n"
                + output);
      }
      List<String> dynamic = new ArrayList<>();
      List<String> tokens = Arrays.asList(results.get(1).split("\\s+"));
      for (int i = 0; i < tokens.size(); i++) {
        if (tokens.get(i).equals("-D") && i + 1 < tokens.size()) {
          dynamic.add(tokens.get(++i));
        }
      }
      return new JvmSizing(List.of(results.get(0).split("\\s+")), dynamic);
    }
  }
}
