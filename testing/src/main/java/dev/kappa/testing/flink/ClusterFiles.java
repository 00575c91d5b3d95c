package dev.kappa.testing.flink;

import dev.kappa.testing.process.ClasspathFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a Flink cluster's JVMs start from, all in the repository: the classpath that the {@code
 * cluster} module's build writes, the Flink configuration directory {@code
 * runners-config/flink/cluster} (config.yaml, log4j.properties), and the JVM flags for Java 17
 * {@code runners-config/jvm/java17-opens.args}.
 *
 * <p>System properties name them ({@value #CLASSPATH_PROPERTY} the classpath file, {@value
 * #RUNNERS_CONFIG_PROPERTY} the runners-config directory; the testing pom sets both for Failsafe);
 * without them they are searched for from the working directory upwards, so that a test started
 * from an IDE in any module finds them too.
 */
record ClusterFiles(String classpath, Path configDir, Path jvmArgsFile) {

  /** System property holding the path of the cluster's classpath file. */
  static final String CLASSPATH_PROPERTY = "kappa.flink.classpath";

  /** System property holding the path of the runners-config directory. */
  static final String RUNNERS_CONFIG_PROPERTY = "kappa.runnersConfig";

  /** Where the classpath file is, relative to the repository root. */
  static final Path CLASSPATH_IN_REPOSITORY =
      Path.of("cluster", "target", "flink-cluster.classpath");

  /** Where runners-config is, relative to the repository root. */
  static final Path RUNNERS_CONFIG_IN_REPOSITORY = Path.of("runners-config");

  /** The Flink configuration directory, relative to runners-config. */
  static final Path CONFIG_DIR = Path.of("flink", "cluster");

  /** The JVM flags file, relative to runners-config. */
  static final Path JVM_ARGS = Path.of("jvm", "java17-opens.args");

  private static final String HOW_TO_BUILD =
      "build it with 'mvn -pl cluster package' in the repository root";

  /** The files, as found from this JVM's system properties and working directory. */
  static ClusterFiles resolve() {
    Path workingDir = Path.of("").toAbsolutePath();
    Path classpathFile =
        ClasspathFile.locate(
            System.getProperty(CLASSPATH_PROPERTY),
            CLASSPATH_PROPERTY,
            CLASSPATH_IN_REPOSITORY,
            workingDir,
            "Flink cluster classpath file",
            "; " + HOW_TO_BUILD);
    Path runnersConfig =
        ClasspathFile.locate(
            System.getProperty(RUNNERS_CONFIG_PROPERTY),
            RUNNERS_CONFIG_PROPERTY,
            RUNNERS_CONFIG_IN_REPOSITORY.resolve(CONFIG_DIR).resolve("config.yaml"),
            workingDir,
            "runners-config directory with flink/cluster/config.yaml",
            "");
    if (Files.isRegularFile(runnersConfig)) {
      // Found by searching for the configuration file: go back up to runners-config.
      runnersConfig = runnersConfig.getParent().getParent().getParent();
    }
    return of(classpathFile, runnersConfig);
  }

  /** The files for this classpath file and runners-config directory, checked to exist. */
  static ClusterFiles of(Path classpathFile, Path runnersConfig) {
    Path configDir = runnersConfig.resolve(CONFIG_DIR).toAbsolutePath();
    Path jvmArgs = runnersConfig.resolve(JVM_ARGS).toAbsolutePath();
    for (Path required :
        new Path[] {
          configDir.resolve("config.yaml"), configDir.resolve("log4j.properties"), jvmArgs
        }) {
      if (!Files.isRegularFile(required)) {
        throw new IllegalStateException("Missing " + required + " (the Flink cluster needs it)");
      }
    }
    return new ClusterFiles(read(classpathFile), configDir, jvmArgs);
  }

  /** The file's classpath, checked not to be empty. */
  static String read(Path file) {
    return ClasspathFile.read(file, "Flink cluster", HOW_TO_BUILD);
  }
}
