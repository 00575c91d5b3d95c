package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A classpath file that a module's build writes (one line, the entries separated by the path
 * separator), from which a server's JVMs start; and how such repository files are found.
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

  /**
   * A file or directory of the repository: the path the system property names if it exists, else
   * the first {@code inRepository} in {@code workingDir} or one of its ancestors (so that a test
   * started from an IDE in any module finds it too).
   *
   * @param what what is looked for, in the message: "Kafka broker classpath file"
   * @param howToBuild appended to the message, "; build it with ..." or empty
   */
  public static Path locate(
      String property,
      String propertyName,
      Path inRepository,
      Path workingDir,
      String what,
      String howToBuild) {
    String fromProperty;
    if (property != null && !property.isBlank()) {
      Path path = Path.of(property);
      if (Files.exists(path)) {
        return path.toAbsolutePath();
      }
      fromProperty = path + " (system property " + propertyName + ") does not exist, and ";
    } else {
      fromProperty = "the system property " + propertyName + " is not set, and ";
    }
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path path = dir.resolve(inRepository);
      if (Files.exists(path)) {
        return path;
      }
    }
    throw new IllegalStateException(
        "No "
            + what
            + ": "
            + fromProperty
            + "there is no "
            + inRepository
            + " in "
            + workingDir.toAbsolutePath()
            + " or a parent directory"
            + howToBuild
            + ".");
  }
}
