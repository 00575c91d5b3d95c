package dev.kappa.testing.kafka;

import dev.kappa.testing.process.SharedServerExtension;

/**
 * Gives JUnit 5 tests a {@link SecuredKafkaBroker}: one for the whole test JVM, beside the
 * plaintext one of {@link KafkaBrokerExtension}, started when the first test asks for it and
 * stopped, its data deleted, when the JVM's tests are done. Tests create their own topics and grant
 * their own ACLs.
 */
public final class SecuredKafkaBrokerExtension extends SharedServerExtension<SecuredKafkaBroker> {

  /** The extension JUnit creates for {@code @ExtendWith}. */
  public SecuredKafkaBrokerExtension() {
    super(SecuredKafkaBroker.class, "kappa-kafka-secured-", SecuredKafkaBroker::start);
  }
}
