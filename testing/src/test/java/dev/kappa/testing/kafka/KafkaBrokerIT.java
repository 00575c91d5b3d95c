package dev.kappa.testing.kafka;

import static dev.kappa.testing.kafka.TestRecords.consumeFromBeginning;
import static dev.kappa.testing.kafka.TestRecords.consumeInGroup;
import static dev.kappa.testing.kafka.TestRecords.produce;
import static dev.kappa.testing.kafka.TestRecords.records;
import static dev.kappa.testing.kafka.TestRecords.uniqueTopic;
import static dev.kappa.testing.kafka.TestRecords.valuesByPartition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.kafka.TestRecords.Record;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Topics and records on the broker shared by this test JVM. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(120)
class KafkaBrokerIT {

  @Test
  void recordsRoundTripThroughEveryPartitionOfATopic(KafkaBroker broker) {
    String topic = uniqueTopic("round-trip");
    broker.createTopic(topic, 3);
    List<Record> sent = records(topic, 30, 3);

    produce(broker.bootstrapServers(), topic, sent);
    List<Record> received = consumeInGroup(broker.bootstrapServers(), topic, sent.size());

    assertEquals(sent.size(), received.size(), "records received");
    assertEquals(valuesByPartition(sent), valuesByPartition(received));
    assertEquals(3, valuesByPartition(received).size(), "partitions holding records");
  }

  @Test
  void createdTopicHasTheRequestedPartitions(KafkaBroker broker) {
    String topic = uniqueTopic("partitions");

    broker.createTopic(topic, 3);

    assertEquals(3, topics(broker).get(topic));
  }

  @Test
  void creatingAnExistingTopicFails(KafkaBroker broker) {
    String topic = uniqueTopic("existing");
    broker.createTopic(topic, 1);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> broker.createTopic(topic, 1));

    assertTrue(e.getMessage().contains("TopicExistsException"), e.getMessage());
  }

  @Test
  void producingToAnUnknownTopicDoesNotCreateIt(KafkaBroker broker) {
    String topic = uniqueTopic("never-created");
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");

    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> producer.send(new ProducerRecord<>(topic, "key", "value")).get());
      assertInstanceOf(TimeoutException.class, e.getCause());
    }
    assertFalse(topics(broker).containsKey(topic));
  }

  @Test
  void deletingAnUnknownTopicFails(KafkaBroker broker) {
    String topic = uniqueTopic("unknown");

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> broker.deleteTopic(topic));

    assertTrue(e.getMessage().contains("UnknownTopicOrPartitionException"), e.getMessage());
  }

  @Test
  void deletedTopicIsGoneAndCanBeCreatedAnew(KafkaBroker broker) {
    String topic = uniqueTopic("deleted");
    broker.createTopic(topic, 2);
    produce(broker.bootstrapServers(), topic, records("old", 4, 2));

    broker.deleteTopic(topic);

    assertFalse(topics(broker).containsKey(topic));
    broker.createTopic(topic, 1);
    List<Record> fresh = records("new", 2, 1);
    produce(broker.bootstrapServers(), topic, fresh);
    assertEquals(fresh, consumeFromBeginning(broker.bootstrapServers(), topic, fresh.size()));
  }

  private static Map<String, Integer> topics(KafkaBroker broker) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (Admin admin = Admin.create(config)) {
      return Topics.list(admin, Duration.ofSeconds(30));
    }
  }
}
