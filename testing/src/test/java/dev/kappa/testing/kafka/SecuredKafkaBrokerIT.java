package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The secured broker does what production clusters do: it refuses a wrong password, and lets the
 * job's user write a topic only once an ACL grants it.
 */
@ExtendWith(SecuredKafkaBrokerExtension.class)
class SecuredKafkaBrokerIT {

  private static Properties producerConfig(SecuredKafkaBroker broker, Map<String, String> client) {
    Properties config = new Properties();
    config.putAll(client);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return config;
  }

  private static void send(SecuredKafkaBroker broker, Map<String, String> client, String topic)
      throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            producerConfig(broker, client), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theJobsUserWritesOnlyWhereAnAclAllowsIt(SecuredKafkaBroker broker) throws Exception {
    String topic = "secured-" + UUID.randomUUID();
    broker.createTopic(topic, 1);
    Map<String, String> job = broker.clientSettings(SecuredKafkaBroker.JOB_USER);

    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> send(broker, job, topic));
    assertInstanceOf(TopicAuthorizationException.class, refused.getCause());

    broker.allowWrite(SecuredKafkaBroker.JOB_USER, topic);
    send(broker, job, topic);
  }

  @Test
  void aWrongPasswordIsRefused(SecuredKafkaBroker broker) {
    Properties config = new Properties();
    config.putAll(broker.clientSettings(SecuredKafkaBroker.JOB_USER, "wrong-password"));
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    try (Admin admin = Admin.create(config)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, e.getCause());
    }
  }
}
