package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.kappa.io.jdbc.JdbcConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void theUsageNamesTheSecretOptions() {
    Result result = cutover("order-revenue");

    assertThat(result.text(), containsString("[--kafkaClientProperties=<file>]"));
    assertThat(result.text(), containsString("[--jdbcPasswordFile=<file>]"));
  }

  @Test
  void thePasswordComesFromTheFileBeforeTheEnvironment(@TempDir Path dir) throws IOException {
    Path passwordFile = Files.writeString(dir.resolve("db-password"), "from-the-file\n");
    Map<String, String> environment = Map.of("KAPPA_JDBC_PASSWORD", "from-the-environment");
    String url = "jdbc:postgresql://127.0.0.1:1/kappa";
    Set<String> options = Set.of("jdbcUrl", "jdbcPasswordFile");

    assertThat(
        CutoverCommand.database(
            OpsArguments.parse(
                new String[] {"--jdbcUrl=" + url, "--jdbcPasswordFile=" + passwordFile},
                Set.of(),
                options),
            environment),
        is(JdbcConfig.of(url, "kappa", "from-the-file")));
    assertThat(
        CutoverCommand.database(
            OpsArguments.parse(new String[] {"--jdbcUrl=" + url}, Set.of(), options), environment),
        is(JdbcConfig.of(url, "kappa", "from-the-environment")));
  }

  @Test
  void aMissingPasswordFileIsAUsageErrorNamingTheOption(@TempDir Path dir) {
    Path missing = dir.resolve("missing");
    Result result =
        cutover(
            "order-revenue",
            "--to=v2",
            "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/kappa",
            "--jdbcPasswordFile=" + missing);

    assertThat(result.text(), result.exit(), is(2));
    assertThat(result.text(), containsString("--jdbcPasswordFile: " + missing + " is not a file"));
  }

  @Test
  void aKafkaPropertiesFileSettingWhatKappaControlsIsAUsageError(@TempDir Path dir)
      throws IOException {
    Path properties = Files.writeString(dir.resolve("client.properties"), "group.id=mine\n");
    Result result =
        cutover(
            "order-revenue",
            "--to=v2",
            "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/kappa",
            "--kafkaClientProperties=" + properties);

    assertThat(result.text(), result.exit(), is(2));
    assertThat(
        result.text(),
        containsString("--kafkaClientProperties: " + properties + " must not set group.id"));
  }
}
