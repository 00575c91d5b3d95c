package dev.kappa.pipelines.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A job submitted the way a user submits one: {@code java @runners-config/jvm/java17-opens.args
 * -jar kappa-pipelines-bundled.jar run order-revenue @runners-config/flink-cluster.args
 * --flinkMaster=... <options>}, in a JVM of its own. The launcher translates the pipeline, stages
 * the jar to the cluster over REST and then waits for the job (the FlinkRunner's attached mode), so
 * for a stream it keeps running until the job ends: 0 after a stop with savepoint, 1 when the job
 * failed or was cancelled. Its output goes to a file, for assertions and for reading after a
 * failure.
 */
final class LaunchedJob implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private LaunchedJob(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the launcher for job {@code name} ({@code --jobName}) with {@code options} after the
   * cluster argument file, in {@code workDir} (the repository root, as {@code scripts/kappa} runs).
   */
  static LaunchedJob start(
      String name,
      Path bundledJar,
      Path runnersConfig,
      String flinkMaster,
      List<String> options,
      Map<String, String> environment,
      Path workDir,
      Path logDir) {
    return start(
        List.of("run", "order-revenue"),
        name,
        bundledJar,
        runnersConfig,
        flinkMaster,
        options,
        environment,
        workDir,
        logDir);
  }

  /**
   * Starts the launcher as above with another command than {@code run order-revenue}, such as
   * {@code reprocess order-revenue --from=earliest}.
   */
  static LaunchedJob start(
      List<String> words,
      String name,
      Path bundledJar,
      Path runnersConfig,
      String flinkMaster,
      List<String> options,
      Map<String, String> environment,
      Path workDir,
      Path logDir) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@" + runnersConfig.resolve("jvm/java17-opens.args"));
    command.add("-jar");
    command.add(bundledJar.toString());
    command.addAll(words);
    command.add("@" + runnersConfig.resolve("flink-cluster.args"));
    command.add("--flinkMaster=" + flinkMaster);
    command.add("--jobName=" + name);
    command.addAll(options);
    Path log = logDir.resolve("launcher-" + name + ".log");
    try {
      Files.createDirectories(logDir);
      Files.writeString(log, String.join(" ", command) + "\n", StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      return new LaunchedJob(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the launcher of " + name, e);
    }
  }

  /** The launcher's output so far. */
  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Waits for the launcher to exit and returns its exit code. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "the launcher of " + name + " did not exit within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return process.exitValue();
  }

  /** Fails with the launcher's output if it has exited: the job never ran or ended early. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(
          "the launcher of " + name + " exited with " + process.exitValue() + ":\n" + output());
    }
  }

  /** Ends the launcher if it still runs (the job itself is cancelled over REST). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
