package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every parameter the extension resolves in one test JVM is the same running broker. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(120)
class KafkaBrokerExtensionIT {

  private static KafkaBroker brokerBeforeAll;
  private final KafkaBroker brokerOfConstructor;

  KafkaBrokerExtensionIT(KafkaBroker broker) {
    this.brokerOfConstructor = broker;
  }

  @BeforeAll
  static void rememberBroker(KafkaBroker broker) {
    brokerBeforeAll = broker;
  }

  @Test
  void beforeAllConstructorAndTestGetTheSameRunningBroker(KafkaBroker broker) {
    assertSame(brokerBeforeAll, broker);
    assertSame(brokerOfConstructor, broker);
    assertTrue(broker.isRunning());
  }

  @Test
  void sharedBrokerListensOnTheLoopbackInterface(KafkaBroker broker) {
    assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
  }
}
