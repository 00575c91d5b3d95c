package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A classpath file that a module's build writes (one line, the entries separated by the path
 * separator), from which a server's JVMs start.
 */
public final class ClasspathFile {
  private ClasspathFile() {}

  /**
   * The classpath in {@code file}, checked not to be empty.
   *
   * @param what what the classpath is for, in messages: "Flink cluster", "Kafka broker"
   * @param howToBuild how to build the file, in messages
   */
  public static String read(Path file, String what, String howToBuild) {
    String classpath;
    try {
      classpath = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the " + what + " classpath file " + file, e);
    }
    if (classpath.isEmpty()) {
      throw new IllegalStateException(
          "The " + what + " classpath file " + file + " is empty: " + howToBuild + ".");
    }
    return classpath;
  }
}
