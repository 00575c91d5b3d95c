package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code topics} and {@code create-topic} against the shared broker. */
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
