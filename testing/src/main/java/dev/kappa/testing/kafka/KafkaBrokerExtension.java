package dev.kappa.testing.kafka;

import dev.kappa.testing.process.SharedServerExtension;

/**
 * Gives JUnit 5 tests a {@link KafkaBroker}: one broker for the whole test JVM, started when the
 * first test asks for it and stopped, its data deleted, when the JVM's tests are done.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OrdersFromKafkaIT {
 *   @Test
 *   void readsOrders(KafkaBroker broker) {
 *     String topic = "orders-" + UUID.randomUUID();
 *     broker.createTopic(topic, 3);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>A broker takes seconds to start, so every test class in the JVM shares it: each test creates
 * its own uniquely named topics, and none stops, kills or restarts the shared broker (tests of
 * failures start their own with {@link KafkaBroker#start}).
 */
public final class KafkaBrokerExtension extends SharedServerExtension<KafkaBroker> {

  /** The extension JUnit creates for {@code @ExtendWith}. */
  public KafkaBrokerExtension() {
    super(KafkaBroker.class, "kappa-kafka-", KafkaBroker::start);
  }
}
