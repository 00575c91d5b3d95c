package dev.kappa.pipelines;

import dev.kappa.testing.process.ChildProcesses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bash scripts/kappa <arguments>} as a user runs it, for the launcher's end-to-end tests.
 */
final class ScriptsKappa {
  private ScriptsKappa() {}

  /** The repository the tests run in: the parent of the build's runners-config directory. */
  static final Path REPOSITORY =
      Path.of(System.getProperty("kappa.runnersConfig")).toAbsolutePath().getParent();

  /**
   * A process running {@code scripts/kappa} with {@code arguments} from the repository, its output
   * and errors to {@code log}; with this JVM's {@code java} first on the path (the script checks
   * for a Java 17) and without the class archive's one-off training launch, whose output and time
   * are not the command's.
   */
  static ProcessBuilder command(Path log, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(REPOSITORY.resolve("scripts/kappa").toString());
    command.addAll(arguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(REPOSITORY.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder
        .environment()
        .put(
            "PATH",
            Path.of(ChildProcesses.javaExecutable()).getParent()
                + ":"
                + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("KAPPA_CLASS_ARCHIVE", "off");
    return builder;
  }
}
