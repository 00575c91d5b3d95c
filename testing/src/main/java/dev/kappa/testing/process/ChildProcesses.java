package dev.kappa.testing.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Child processes of a test JVM, as the local servers supervise them: starting them, waiting until
 * they are ready, stopping them gracefully or killing them, and reading their logs.
 */
public final class ChildProcesses {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcesses.class);

  private ChildProcesses() {}

  /** Whether a server is ready; an exception means not yet, and is reported if it stays so. */
  @FunctionalInterface
  public interface Probe {
    boolean ready() throws Exception;
  }

  /**
   * Polls {@code probe} every {@code interval} until it answers ready, and fails as soon as {@code
   * alive} turns false or once {@code timeout} has passed: a server that dies while starting fails
   * at once, one that hangs within a bound.
   *
   * @param what the server, in messages: "The Kafka broker at 127.0.0.1:9092"
   * @param failure the exception to throw, from a message and the probe's last error (or null); a
   *     server adds the end of its log
   */
  public static void awaitReady(
      String what,
      Probe probe,
      BooleanSupplier alive,
      Duration timeout,
      Duration interval,
      BiFunction<String, Throwable, RuntimeException> failure) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      Throwable lastError = null;
      try {
        if (probe.ready()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + what, e);
      } catch (Exception e) {
        lastError = e;
      }
      if (!alive.getAsBoolean()) {
        throw failure.apply(what + " exited before it was ready", lastError);
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure.apply(
            what + " was not ready within " + timeout.toSeconds() + " s", lastError);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Stops {@code processes} as an operator would: SIGTERM to each, then SIGKILL to any that has not
   * exited within {@code grace} of it. Returns once all have exited.
   */
  public static void terminate(List<ProcessHandle> processes, Duration grace) {
    processes.forEach(ProcessHandle::destroy);
    for (ProcessHandle process : processes) {
      if (!awaitExit(process, grace)) {
        LOG.warn(
            "pid {} did not exit within {} s of SIGTERM; killing it",
            process.pid(),
            grace.toSeconds());
        kill(List.of(process), grace);
      }
    }
  }

  /**
   * Kills {@code processes} with SIGKILL, as a crash would, and returns once all have exited (each
   * waited for at most {@code timeout}).
   */
  public static void kill(List<ProcessHandle> processes, Duration timeout) {
    processes.forEach(ProcessHandle::destroyForcibly);
    processes.forEach(process -> awaitExit(process, timeout));
  }

  /** {@link #kill} of {@code root} and every process it started. */
  public static void killTree(ProcessHandle root, Duration timeout) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(0, root);
    kill(all, timeout);
  }

  /** The {@code java} launcher of the JVM running this code, for starting JVMs of the same Java. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The {@code setsid} program, if there is one: a server started behind it gets a session of its
   * own, so that it outlives this JVM out of reach of the terminal's signals (Ctrl-C).
   */
  public static Optional<String> setsid() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Stops the process {@code pidFile} names, if it is alive and its command line contains {@code
   * commandLineMark}, as {@link #terminate} does, and deletes the pid file: how a command line
   * stops a server that an earlier JVM started. The pid it stopped, if any.
   */
  public static Optional<Long> terminate(Path pidFile, String commandLineMark, Duration grace) {
    Optional<ProcessHandle> running = PidFile.live(pidFile, line -> line.contains(commandLineMark));
    running.ifPresent(process -> terminate(List.of(process), grace));
    PidFile.delete(pidFile);
    return running.map(ProcessHandle::pid);
  }

  /** Starts {@code command} in {@code dir}, its output and errors appended to {@code log}. */
  public static Process startLogged(List<String> command, Path dir, Path log) throws IOException {
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Waits until {@code process} has exited, at most {@code timeout}; whether it has. */
  public static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for pid " + process.pid(), e);
    }
  }

  /**
   * Removes a shutdown hook added to stop a child process, unless the JVM is already shutting down
   * (then the hook runs, or ran, anyway).
   */
  public static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs (or ran) anyway.
    }
  }

  /**
   * The last {@code maxBytes} of {@code log} at most, from its first whole line there, for failure
   * messages.
   */
  public static String logTail(Path log, int maxBytes) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(log)) {
      long start = Math.max(0, channel.size() - maxBytes);
      ByteBuffer buffer = ByteBuffer.allocate((int) (channel.size() - start));
      channel.position(start);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read to the end
      }
      String tail = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      return start == 0 ? tail : tail.substring(tail.indexOf('\n') + 1);
    }
  }

  /** {@link #logTail}, or why the log cannot be read. */
  public static String logTailOrReason(Path log, int maxBytes) {
    try {
      return logTail(log, maxBytes);
    } catch (IOException e) {
      return "(cannot read it: " + e + ")";
    }
  }
}
