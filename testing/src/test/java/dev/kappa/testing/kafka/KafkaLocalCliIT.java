package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.process.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code topics} and {@code create-topic} against the shared broker; a broker of its own. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(120)
class KafkaLocalCliIT {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void createdTopicIsListedWithItsPartitions(KafkaBroker broker) {
    String topic = TestRecords.uniqueTopic("cli");

    assertEquals(0, run("create-topic", broker.bootstrapServers(), topic, "3"), err());
    assertEquals(0, run("topics", broker.bootstrapServers()), err());

    assertTrue(out().contains(topic + "\t3 partitions"), out());
  }

  @Test
  void creatingAnExistingTopicAgainSucceedsOnlyWithTheSamePartitions(KafkaBroker broker) {
    String topic = TestRecords.uniqueTopic("cli-again");
    broker.createTopic(topic, 2);

    assertEquals(0, run("create-topic", broker.bootstrapServers(), topic, "2"), err());
    assertEquals(1, run("create-topic", broker.bootstrapServers(), topic, "4"), err());
    assertTrue(out().contains("topic " + topic + " exists, with 2 partitions"), out());
  }

  @Test
  void startsADetachedBrokerOnceThenStopsIt(@TempDir Path dataDir) throws IOException {
    int[] ports = KafkaBroker.freePorts(2);
    String port = Integer.toString(ports[0]);
    String controllerPort = Integer.toString(ports[1]);
    try {
      assertEquals(0, run("start", dataDir.toString(), port, controllerPort, "WARN"), err());
      assertTrue(out().contains(") at 127.0.0.1:" + port), out());
      assertEquals(0, run("start", dataDir.toString(), port, controllerPort, "WARN"), err());
      assertTrue(out().contains("already running (pid "), out());
      assertEquals(0, run("status", dataDir.toString()), err());

      Properties server = new Properties();
      try (Reader reader = Files.newBufferedReader(dataDir.resolve("server.properties"))) {
        server.load(reader);
      }
      assertEquals(
          "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
          server.get("listeners"));
      // Replayed topics keep historical events: no time-based deletion.
      assertEquals("-1", server.get("log.retention.ms"));
      assertEquals("false", server.get("auto.create.topics.enable"));
    } finally {
      assertEquals(0, run("stop", dataDir.toString()), err());
    }
    assertTrue(out().contains("stopped (pid "), out());
    assertEquals(3, run("status", dataDir.toString()));
    assertTrue(Ports.isFree("127.0.0.1", ports[0]), "port free again");
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
