package dev.kappa.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Dispatch, exit codes, usage and number parsing of the servers' command lines. */
class SubcommandsTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

  private Subcommands cli() {
    return Subcommands.of("Cli", errStream)
        .withErrorPrefix("cli: ")
        .add("echo <word>", args -> args.size() == 1 ? 0 : 2)
        .add(
            "fail",
            args -> {
              throw new IllegalStateException("the port is in use");
            });
  }

  @Test
  void usageListsEverySubcommandWithItsArguments() {
    assertEquals("usage: Cli echo <word>\n       Cli fail", cli().usage());
  }

  @Test
  void runsTheNamedSubcommandWithTheOtherArguments() {
    assertEquals(0, cli().run(new String[] {"echo", "hello"}));
    assertEquals("", err());
  }

  @Test
  void missingUnknownOrMisusedSubcommandsPrintTheUsageAndExitWith2() {
    assertEquals(2, cli().run(new String[] {}));
    assertEquals(2, cli().run(new String[] {"shout"}));
    assertEquals(2, cli().run(new String[] {"echo"}));
    assertTrue(err().contains("unknown command: shout\nusage: Cli echo <word>"), err());
    assertEquals(3, err().split("usage:", -1).length - 1, err());
  }

  @Test
  void aFailurePrintsItsMessageWithThePrefixAndExitsWith1() {
    assertEquals(1, cli().run(new String[] {"fail"}));
    assertEquals("cli: the port is in use\n", err());
  }

  @Test
  void numbersAndPortsAreCheckedWithAMessageNamingThem() {
    assertEquals(Optional.of(3), Subcommands.positive("partitions", "3", errStream));
    assertEquals(Optional.empty(), Subcommands.positive("partitions", "0", errStream));
    assertEquals(Optional.of(65535), Subcommands.port("65535", errStream));
    assertEquals(Optional.empty(), Subcommands.port("65536", errStream));
    assertEquals(Optional.empty(), Subcommands.port("http", errStream));
    assertEquals(
        List.of(
            "partitions must be a positive number, got '0'",
            "port must be a number in 1..65535, got '65536'",
            "port must be a number in 1..65535, got 'http'"),
        err().lines().toList());
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
