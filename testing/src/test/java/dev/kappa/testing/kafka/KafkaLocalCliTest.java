package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's argument handling and {@code configure}; topics are in KafkaLocalCliIT. */
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
  void configureWritesTheBrokerConfigurationForThePorts() throws IOException {
    assertEquals(0, run("configure", dataDir.toString(), "9092", "9093"));

    Properties server = new Properties();
    try (Reader reader = Files.newBufferedReader(dataDir.resolve("server.properties"))) {
      server.load(reader);
    }
    assertEquals("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093", server.get("listeners"));
    assertEquals("1@127.0.0.1:9093", server.get("controller.quorum.voters"));
    assertEquals(dataDir.resolve("logs").toString(), server.get("log.dirs"));
    // Replayed topics keep historical events: no time-based deletion.
    assertEquals("-1", server.get("log.retention.ms"));
    assertEquals("false", server.get("auto.create.topics.enable"));
    assertTrue(Files.isRegularFile(dataDir.resolve("log4j.properties")));
  }

  private int run(String... args) {
    return KafkaLocalCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
