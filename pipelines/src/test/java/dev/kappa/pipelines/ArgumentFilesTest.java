package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgumentFilesTest {

  @Test
  void expandsFilesSkippingCommentsAndBlankLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("flink.args");
    Files.writeString(file, "# Flink\n\n--runner=FlinkRunner\n  --parallelism=2  \n");

    assertThat(
        ArgumentFiles.expand(new String[] {"run", "job", "@" + file, "--input=x"}),
        arrayContaining("run", "job", "--runner=FlinkRunner", "--parallelism=2", "--input=x"));
  }

  @Test
  void laterOptionReplacesEarlierOneInItsPlace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("demo.args");
    Files.writeString(file, "--replaySpeedUp=600\n--window=fixed:PT5M\n");

    assertThat(
        ArgumentFiles.expand(new String[] {"@" + file, "--replaySpeedUp=max"}),
        arrayContaining("--replaySpeedUp=max", "--window=fixed:PT5M"));
  }

  @Test
  void nestedArgumentFilesAreRejected(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("outer.args");
    Files.writeString(file, "@inner.args\n");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ArgumentFiles.expand(new String[] {"@" + file}));
    assertThat(
        e.getMessage(),
        equalTo(
            "argument file " + file + " names another argument file (@inner.args); not nested"));
  }
}
