package dev.kappa.testing.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Child processes of a test JVM: starting them, waiting for them, and reading their logs. */
public final class ChildProcesses {
  private ChildProcesses() {}

  /** The {@code java} launcher of the JVM running this code, for starting JVMs of the same Java. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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
