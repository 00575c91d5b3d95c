package dev.kappa.testing.kafka;

import dev.kappa.testing.process.ClasspathFile;
import java.nio.file.Path;

/**
 * Finds the broker JVM's classpath: the file {@code testing/target/kafka-broker.classpath} that
 * this module's build writes with the Kafka broker and its runtime dependencies.
 *
 * <p>The system property {@value #PROPERTY} names the file (the parent pom sets it for Surefire and
 * Failsafe); without it the file is searched for from the working directory upwards, so that a test
 * started from an IDE in any module finds it too.
 */
final class BrokerClasspath {

  /** System property holding the path of the classpath file. */
  static final String PROPERTY = "kappa.kafka.classpath";

  /** Where the file is, relative to the repository root. */
  static final Path FILE_IN_REPOSITORY = Path.of("testing", "target", "kafka-broker.classpath");

  private static final String HOW_TO_BUILD =
      "build it with 'mvn -pl testing package' in the repository root";

  private BrokerClasspath() {}

  /** The broker JVM's classpath, as found from this JVM's system properties and directory. */
  static String resolve() {
    return read(locate(System.getProperty(PROPERTY), Path.of("").toAbsolutePath()));
  }

  /**
   * The classpath file named by {@code property} if it exists, else the first {@link
   * #FILE_IN_REPOSITORY} in {@code workingDir} or one of its ancestors. (The parent pom derives the
   * property from the directory Maven runs in, which is wrong when Maven runs inside a module.)
   */
  static Path locate(String property, Path workingDir) {
    return ClasspathFile.locate(
        property,
        PROPERTY,
        FILE_IN_REPOSITORY,
        workingDir,
        "Kafka broker classpath file",
        "; " + HOW_TO_BUILD);
  }

  /** The file's classpath, checked not to be empty. */
  static String read(Path file) {
    return ClasspathFile.read(file, "Kafka broker", HOW_TO_BUILD);
  }
}
