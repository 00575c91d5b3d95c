package dev.kappa.pipelines.report;

import dev.kappa.pipelines.ops.InstalledTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium}, installed by {@code scripts/install-tools.sh} when
 * missing) rendering a local page once its scripts have run: the DOM as it then is, or a PNG. Used
 * by the report's and the dashboard's page tests.
 */
public final class Chromium {
  private final Path workDir;

  private Chromium(Path workDir) {
    this.workDir = workDir;
  }

  /** Installs Chromium if it is missing; its profile and logs go under {@code workDir}. */
  public static Chromium install(Path repository, Path workDir)
      throws IOException, InterruptedException {
    InstalledTools.ensure(repository, workDir, "chromium");
    Files.createDirectories(workDir);
    return new Chromium(workDir);
  }

  /** The DOM of {@code page} after its scripts and timers ran (up to 5 s of virtual time). */
  public String dumpDom(Path page) throws IOException, InterruptedException {
    return run(List.of("--dump-dom", page.toUri().toString()));
  }

  /** A {@code width} x {@code height} PNG of {@code page} once its scripts ran. */
  public Path screenshot(Path page, Path png, int width, int height)
      throws IOException, InterruptedException {
    run(
        List.of(
            "--screenshot=" + png.toAbsolutePath(),
            "--window-size=" + width + "," + height,
            "--hide-scrollbars",
            page.toUri().toString()));
    return png;
  }

  private String run(List<String> arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("chromium");
    command.add("--headless");
    // Tests run as root in CI, where Chromium's sandbox refuses to start.
    command.add("--no-sandbox");
    command.add("--disable-gpu");
    command.add("--disable-dev-shm-usage");
    command.add("--no-first-run");
    command.add("--user-data-dir=" + workDir.resolve("profile"));
    command.add("--virtual-time-budget=5000");
    command.addAll(arguments);
    Path stdout = workDir.resolve("chromium.out");
    Path stderr = workDir.resolve("chromium.err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "chromium did not finish in 60 s: " + Files.readString(stderr, StandardCharsets.UTF_8));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "chromium exited with "
              + process.exitValue()
              + ": "
              + Files.readString(stderr, StandardCharsets.UTF_8));
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }
}
