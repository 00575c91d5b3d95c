package dev.kappa.testing.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

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
 * failures start their own with {@link KafkaBroker#start}). Parameters of test methods, lifecycle
 * methods such as {@code @BeforeAll}, and constructors are resolved alike.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root context's store lives as long as the test JVM's run and closes what it holds then.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedBroker.class, type -> SharedBroker.start(), SharedBroker.class)
        .broker;
  }

  /** The shared broker and its temporary data directory, closed with the root context. */
  static final class SharedBroker implements ExtensionContext.Store.CloseableResource {
    final Path dataDir;
    final KafkaBroker broker;

    private SharedBroker(Path dataDir, KafkaBroker broker) {
      this.dataDir = dataDir;
      this.broker = broker;
    }

    static SharedBroker start() {
      Path dataDir;
      try {
        dataDir = Files.createTempDirectory("kappa-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a data directory for the Kafka broker", e);
      }
      return new SharedBroker(dataDir, KafkaBroker.start(dataDir));
    }

    @Override
    public void close() throws IOException {
      broker.close();
      try (Stream<Path> paths = Files.walk(dataDir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
