package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's argument handling, {@code status} and {@code stop} without a broker; a broker
 * started and stopped, and topics, are in KafkaLocalCliIT.
 */
class KafkaLocalCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir Path dataDir;

  @Test
  void noCommandPrintsUsage() {
    assertEquals(2, run());
    assertTrue(err().startsWith("usage:"), err());
  }

  @Test
  void unknownCommandPrintsUsage() {
    assertEquals(2, run("produce", "127.0.0.1:9092"));
    assertTrue(err().contains("unknown command: produce"), err());
  }

  @Test
  void partitionsMustBeAPositiveNumber() {
    assertEquals(2, run("create-topic", "127.0.0.1:9092", "orders", "none"));
    assertTrue(err().contains("partitions must be a positive number"), err());
  }

  @Test
  void statusWithoutABrokerIsStoppedAndStopSaysSo() {
    assertEquals(3, run("status", dataDir.toString()));
    assertEquals(0, run("stop", dataDir.toString()));
    assertTrue(out().contains("stopped\nnot running"), out());
  }

  @Test
  void aPidFileOfAnotherProcessIsNotTakenForTheBroker() throws IOException {
    // This JVM's pid: alive, but its command line does not run kafka.Kafka.
    Files.writeString(KafkaBroker.pidFile(dataDir), ProcessHandle.current().pid() + "\n");

    assertEquals(3, run("status", dataDir.toString()));
    assertEquals(0, run("stop", dataDir.toString()));
    assertTrue(out().endsWith("not running\n"), out());
    assertFalse(Files.exists(KafkaBroker.pidFile(dataDir)), "stale pid file deleted");
  }

  private int run(String... args) {
    return KafkaLocalCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
