package dev.kappa.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line's argument handling; commands that need a server are in PostgresLocalCliIT. */
class PostgresLocalCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void noCommandPrintsUsage() {
    assertEquals(2, run());
    assertTrue(err().startsWith("usage:"), err());
  }

  @Test
  void unknownCommandPrintsUsage() {
    assertEquals(2, run("psql", "55432"));
    assertTrue(err().contains("unknown command: psql"), err());
  }

  @Test
  void portMustBeANumberInRange() {
    assertEquals(2, run("load", "99999", "schema.sql"));
    assertTrue(err().contains("port must be a number in 1..65535, got '99999'"), err());
  }

  @Test
  void loadNeedsAFile() {
    assertEquals(2, run("load", "55432"));
    assertTrue(err().startsWith("usage:"), err());
  }

  private int run(String... args) {
    return PostgresLocalCli.run(
        args,
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
