package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kappa cutover}'s command line and its exit code when the database does not answer; the
 * cutover itself, against real servers, is in {@code ReprocessingIT}.
 */
class CutoverCommandTest {

  private record Result(int exit, String text) {}

  private static Result cutover(String... args) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(text, true, StandardCharsets.UTF_8);
    int exit = CutoverCommand.run(args, both, both, Map.of());
    return new Result(exit, text.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theVersionToMakeLiveIsRequired() {
    Result result = cutover("order-revenue");

    assertThat(result.text(), result.exit(), is(2));
    assertThat(result.text(), containsString("--to=<version> is required"));
    assertThat(result.text(), containsString("usage: kappa cutover <job> --to=<version>"));
  }

  @Test
  void aVersionThatIsNoVersionIsAUsageError() {
    Result result = cutover("order-revenue", "--to=2");

    assertThat(result.text(), result.exit(), is(2));
    assertThat(result.text(), containsString("such as v2"));
  }

  @Test
  void anUnknownJobOrOptionIsAUsageError() {
    assertThat(cutover("no-such-job", "--to=v2").text(), containsString("no job 'no-such-job'"));
    Result option = cutover("order-revenue", "--to=v2", "--drain");

    assertThat(option.text(), option.exit(), is(2));
    assertThat(option.text(), containsString("unknown option '--drain'"));
  }

  @Test
  void aDatabaseThatDoesNotAnswerChangesNothingAndExitsWith3() {
    Result result =
        cutover("order-revenue", "--to=v2", "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/kappa");

    assertThat(result.text(), result.exit(), is(3));
    assertThat(result.text(), containsString("cannot read or switch the versions"));
  }
}
