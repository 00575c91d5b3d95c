package dev.kappa.io.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Consumer settings shared by the Kafka reads: what Kappa fixes and what users may override. */
final class ConsumerConfigs {
  private ConsumerConfigs() {}

  /** Settings that have their own {@code withX} method, or that Kappa must control. */
  static final Map<String, String> RESERVED =
      Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "pass the servers to Kafka.read/readRange",
          ConsumerConfig.GROUP_ID_CONFIG, "use withConsumerGroup(...)",
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              "offsets are committed on checkpoints (withCommitOffsetsInFinalize), never"
                  + " automatically",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "keys are always read as bytes",
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "values are always read as bytes");

  /**
   * A defensive, serializable copy of {@code overrides}, added to {@code current}; rejects the
   * settings Kappa controls, naming the one to use instead.
   */
  static Map<String, Object> merge(Map<String, Object> current, Map<String, Object> overrides) {
    return Settings.clientConfig("consumerConfig", RESERVED, current, overrides);
  }

  /**
   * The full configuration of a plain consumer that Kappa creates itself (offset resolution and
   * offset-range readers): byte-array deserializers, no automatic commits, no topic creation.
   */
  static Map<String, Object> forOwnConsumer(String bootstrapServers, Map<String, Object> extra) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.putAll(extra);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  /** A plain consumer of Kappa's own, from {@code factory}, with {@link #forOwnConsumer}. */
  static Consumer<byte[], byte[]> open(
      SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> factory,
      String bootstrapServers,
      Map<String, Object> extra) {
    return factory.apply(forOwnConsumer(bootstrapServers, extra));
  }

  /** Creates {@link KafkaConsumer}s; a seam for tests, like KafkaIO's consumer factory. */
  static final class DefaultConsumerFactory
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      return new KafkaConsumer<>(config);
    }
  }
}
