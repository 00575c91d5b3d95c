package dev.kappa.pipelines.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools some tests run (Prometheus, Chromium), installed by the project's own
 * {@code scripts/install-tools.sh} when missing from PATH, as a user would.
 */
public final class InstalledTools {
  private InstalledTools() {}

  /**
   * Runs {@code scripts/install-tools.sh <tool>} of {@code repository} when {@code tool} is not on
   * PATH, its output logged under {@code workDir}.
   *
   * @throws IllegalStateException if the install fails or takes over 10 minutes
   */
  public static void ensure(Path repository, Path workDir, String tool)
      throws IOException, InterruptedException {
    if (onPath(tool)) {
      return;
    }
    Files.createDirectories(workDir);
    Path log = workDir.resolve("install-tools.log");
    Process install =
        new ProcessBuilder(repository.resolve("scripts/install-tools.sh").toString(), tool)
            .directory(repository.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!install.waitFor(10, TimeUnit.MINUTES)) {
      install.destroyForcibly();
      throw new IllegalStateException("scripts/install-tools.sh " + tool + " took over 10 minutes");
    }
    if (install.exitValue() != 0 || !onPath(tool)) {
      throw new IllegalStateException(
          "scripts/install-tools.sh " + tool + " failed:\n" + Files.readString(log));
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String directory : path.split(java.io.File.pathSeparator)) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, command))) {
        return true;
      }
    }
    return false;
  }
}
