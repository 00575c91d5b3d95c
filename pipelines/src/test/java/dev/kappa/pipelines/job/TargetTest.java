package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void parsesTheThreeKinds() {
    assertThat(Target.parse("output", "console"), equalTo(new Target.Console()));
    assertThat(
        Target.parse("output", " kafka:results "), equalTo(new Target.KafkaTopic("results")));
    assertThat(Target.parse("output", "out/results"), equalTo(new Target.Files("out/results")));
  }

  @Test
  void aPathOfAnUnknownFileSystemFailsNamingTheOption() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> Target.parse("output", "files:/tmp/out"));
    assertThat(e.getMessage(), containsString("--output"));
    assertThat(e.getMessage(), containsString("'files:/tmp/out' is no path a file can be written"));
  }

  @Test
  void anEmptyTopicFailsNamingTheOption() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> Target.parse("tooLateOutput", "kafka: "));
    assertThat(e.getMessage(), containsString("--tooLateOutput"));
  }
}
