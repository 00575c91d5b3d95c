package dev.kappa.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watermark policy both contenders of a streaming lap share. */
class StreamingRaceTest {

  private static StreamingRace race(Path root, List<String> kappaOptions) {
    return new StreamingRace(
        root,
        "1g",
        Duration.ofSeconds(10),
        Duration.ofSeconds(1),
        Duration.ofSeconds(20),
        kappaOptions);
  }

  private static Path rootWithEmbeddedArgs(Path dir, String... lines) throws Exception {
    Files.createDirectories(dir.resolve("runners-config"));
    Files.write(dir.resolve("runners-config/flink-embedded.args"), List.of(lines));
    return dir;
  }

  @Test
  void aLapsOwnIntervalForKappaIsTheNativeJobsToo(@TempDir Path dir) throws Exception {
    Path root =
        rootWithEmbeddedArgs(dir, "# comment", "--autoWatermarkInterval=200", "--parallelism=2");

    assertThat(
        race(root, List.of("--autoWatermarkInterval=30", "--maxBundleSize=5"))
            .kappaWatermarkInterval(),
        is(Duration.ofMillis(30)));
    assertThat(race(root, List.of()).kappaWatermarkInterval(), is(Duration.ofMillis(200)));
  }

  @Test
  void argumentsWithoutAnIntervalAreAnError(@TempDir Path dir) throws Exception {
    Path root = rootWithEmbeddedArgs(dir, "--parallelism=2");

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> race(root, List.of()).kappaWatermarkInterval());
    assertThat(e.getMessage(), containsString("--autoWatermarkInterval="));
  }
}
