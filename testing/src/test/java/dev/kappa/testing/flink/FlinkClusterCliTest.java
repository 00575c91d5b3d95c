package dev.kappa.testing.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlinkClusterCliTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

  @Test
  void startDefaultsToTwoTaskManagersOnThePortsOfTheConfiguration() {
    assertEquals(
        Optional.of(new FlinkClusterCli.StartOptions(2, 8081, 6123)),
        FlinkClusterCli.StartOptions.parse(List.of(), errStream));
  }

  @Test
  void startTakesOptionsWithOrWithoutEquals() {
    assertEquals(
        Optional.of(new FlinkClusterCli.StartOptions(3, 18081, 16123)),
        FlinkClusterCli.StartOptions.parse(
            List.of("--taskmanagers", "3", "--rest-port=18081", "--rpc-port", "16123"), errStream));
  }

  @Test
  void badStartOptionsAreUsageErrors() {
    for (List<String> bad :
        List.of(
            List.of("--taskmanagers", "0"),
            List.of("--taskmanagers", "two"),
            List.of("--taskmanagers"),
            List.of("--workers", "2"))) {
      assertEquals(Optional.empty(), FlinkClusterCli.StartOptions.parse(bad, errStream), "" + bad);
    }
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --workers"));
  }

  @Test
  void unknownCommandsAndMissingWorkDirAreUsageErrors() {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertEquals(2, FlinkClusterCli.run(new String[] {"start"}, out, errStream));
    assertEquals(2, FlinkClusterCli.run(new String[] {"restart", "/tmp/x"}, out, errStream));
    assertEquals(2, FlinkClusterCli.run(new String[] {"stop", "/tmp/x", "now"}, out, errStream));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: FlinkClusterCli start"));
  }
}
