package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file naming a server's process id on its first line ({@code postmaster.pid}, {@code
 * broker.pid}, {@code jobmanager.pid}), by which a later JVM or a script finds the process again.
 */
public final class PidFile {
  private static final Logger LOG = LoggerFactory.getLogger(PidFile.class);

  private PidFile() {}

  /** Writes {@code pid} into {@code file}. */
  public static void write(Path file, long pid) {
    try {
      Files.writeString(file, pid + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the pid file " + file, e);
    }
  }

  /**
   * Deletes {@code file} if it exists; a file that cannot be deleted is only logged, as {@link
   * #live} does not take a stale one for a live server.
   */
  public static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete the pid file {}", file, e);
    }
  }

  /**
   * The live process whose id {@code file} holds, if its command line passes {@code isOurs} (so
   * that a recycled pid is not taken for the server); a command line the system does not show
   * passes. Empty if there is no such file or process.
   */
  public static Optional<ProcessHandle> live(Path file, Predicate<String> isOurs) {
    return number(file, 0)
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().commandLine().map(isOurs::test).orElse(true));
  }

  /** The number on line {@code index} (from 0) of {@code file}, if there is one. */
  public static Optional<Long> number(Path file, int index) {
    Optional<String> line = line(file, index);
    try {
      return line.map(Long::parseLong);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Line {@code index} (from 0) of {@code file}, stripped, if there is a non-empty one. */
  private static Optional<String> line(Path file, int index) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.skip(index).findFirst().map(String::strip).filter(line -> !line.isEmpty());
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }
}
