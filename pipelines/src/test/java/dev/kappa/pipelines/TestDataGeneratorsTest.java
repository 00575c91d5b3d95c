package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every generated test-data folder is current: {@code python3 test-data/<folder>/generate.py
 * --check} exits 0 (each generator rebuilds its files in memory, runs its independent reference,
 * and exits 1 if a file on disk differs). A folder with a generator that has no {@code --check}
 * fails, and so does a machine without {@code python3}: nothing is skipped.
 */
class TestDataGeneratorsTest {
  private static final Path TEST_DATA = Path.of(System.getProperty("kappa.testData"));
  private static final long TIMEOUT_MINUTES = 5;

  @BeforeAll
  static void python3IsInstalled() throws InterruptedException {
    try {
      Process version =
          new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      assertThat("python3 --version", version.waitFor(), is(0));
    } catch (IOException e) {
      fail(
          "python3 is not on the PATH: the test-data checks run each test-data/<job>/generate.py"
              + " --check with it (install Python 3, standard library only): "
              + e.getMessage());
    }
  }

  @TestFactory
  Stream<DynamicTest> everyGeneratorsCheckPasses() throws IOException {
    List<Path> generators;
    try (Stream<Path> folders = Files.list(TEST_DATA)) {
      generators =
          folders
              .map(folder -> folder.resolve("generate.py"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    assertThat("generators under " + TEST_DATA, generators.isEmpty(), is(false));
    return generators.stream()
        .map(
            generator ->
                DynamicTest.dynamicTest(
                    generator.getParent().getFileName() + "/generate.py --check",
                    () -> check(generator)));
  }

  private static void check(Path generator) throws IOException, InterruptedException {
    assertThat(
        generator + " has no --check mode",
        Files.readString(generator, StandardCharsets.UTF_8),
        containsString("--check"));
    Path log = Files.createTempFile("kappa-test-data-check", ".log");
    String printed;
    Process process;
    try {
      ProcessBuilder builder =
          new ProcessBuilder("python3", generator.toAbsolutePath().toString(), "--check")
              .directory(generator.getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      process = builder.start();
      process.getOutputStream().close(); // no input
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        fail(generator + " --check did not finish in " + TIMEOUT_MINUTES + " minutes");
      }
      printed = Files.readString(log, StandardCharsets.UTF_8);
    } finally {
      Files.delete(log);
    }
    assertThat(
        generator
            + " --check exited "
            + process.exitValue()
            + " (a file is stale: regenerate with python3 "
            + generator
            + "):\n"
            + printed,
        process.exitValue(),
        is(0));
    assertThat(printed, not(containsString("Traceback")));
  }
}
