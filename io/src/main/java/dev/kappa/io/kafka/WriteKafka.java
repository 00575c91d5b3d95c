package dev.kappa.io.kafka;

import com.google.auto.value.AutoValue;
import dev.kappa.io.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes key/value byte arrays to a Kafka topic with KafkaIO, as they are: encoding is the previous
 * step's job. A null key is written as a null key (the input coder must allow it, e.g. {@code
 * NullableCoder.of(ByteArrayCoder.of())}).
 *
 * <p><b>Delivery guarantee</b> ({@link #withDeliveryGuarantee}):
 *
 * <ul>
 *   <li>{@link DeliveryGuarantee#AT_LEAST_ONCE} (default): records are sent as elements arrive, by
 *       an idempotent producer with {@code acks=all} (Kafka's defaults); a retried bundle or a
 *       restart from a checkpoint may write some records again.
 *   <li>{@link DeliveryGuarantee#EXACTLY_ONCE}: KafkaIO's exactly-once sink ({@code withEOS}):
 *       records go through {@link #withNumShards} shards (default 1) and are written in Kafka
 *       transactions that commit with the runner's checkpoints. It requires {@link
 *       #withSinkGroupId} (an id no other job uses; it keeps the sink's progress), the Flink runner
 *       with checkpointing enabled in production, and consumers that read the topic with {@code
 *       isolation.level=read_committed}. Output becomes visible only when a checkpoint completes.
 *       KafkaIO's sink keeps its progress both in the job's state and in the sink group's committed
 *       offsets; on Flink the two disagree after a restore from the checkpoint or savepoint that
 *       committed the sink's first transaction, and the job cannot restore (docs/reliability.md,
 *       with the tested recovery).
 * </ul>
 *
 * <pre>{@code
 * alerts.apply(
 *     "WriteAlerts",
 *     Kafka.write("broker:9092", "alerts")
 *         .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *         .withSinkGroupId("fraud-alerts-sink"));
 * }</pre>
 */
@AutoValue
public abstract class WriteKafka extends PTransform<PCollection<KV<byte[], byte[]>>, PDone> {
  private static final long serialVersionUID = 1L;

  /** Settings that have their own method, or that the sink controls. */
  static final Map<String, String> RESERVED =
      Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "pass the servers to Kafka.write",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "keys are always written as bytes",
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "values are always written as bytes",
          ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "use withDeliveryGuarantee(EXACTLY_ONCE) and withSinkGroupId(...)");

  abstract String bootstrapServers();

  abstract String topic();

  abstract DeliveryGuarantee deliveryGuarantee();

  abstract @Nullable String sinkGroupId();

  abstract @Nullable Integer numShards();

  abstract Map<String, Object> producerConfig();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBootstrapServers(String bootstrapServers);

    abstract Builder setTopic(String topic);

    abstract Builder setDeliveryGuarantee(DeliveryGuarantee deliveryGuarantee);

    abstract Builder setSinkGroupId(String sinkGroupId);

    abstract Builder setNumShards(Integer numShards);

    abstract Builder setProducerConfig(Map<String, Object> producerConfig);

    abstract WriteKafka build();
  }

  static WriteKafka of(String bootstrapServers, String topic) {
    return new AutoValue_WriteKafka.Builder()
        .setBootstrapServers(Settings.bootstrapServers(bootstrapServers))
        .setTopic(Settings.topic("topic", topic))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setProducerConfig(Collections.emptyMap())
        .build();
  }

  /** Returns a write with this guarantee; default {@link DeliveryGuarantee#AT_LEAST_ONCE}. */
  public WriteKafka withDeliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
    return toBuilder()
        .setDeliveryGuarantee(Checks.notNull("deliveryGuarantee", deliveryGuarantee))
        .build();
  }

  /**
   * Returns a write whose exactly-once sink keeps its progress under {@code sinkGroupId}. Required
   * with, and only used by, {@link DeliveryGuarantee#EXACTLY_ONCE}; no other job may use the id.
   */
  public WriteKafka withSinkGroupId(String sinkGroupId) {
    return toBuilder().setSinkGroupId(Checks.nonEmpty("sinkGroupId", sinkGroupId)).build();
  }

  /**
   * Returns a write whose exactly-once sink writes through {@code numShards} parallel transactional
   * producers. Must be {@code > 0}; default 1; only used by {@link DeliveryGuarantee#EXACTLY_ONCE}.
   */
  public WriteKafka withNumShards(int numShards) {
    if (numShards <= 0) {
      throw new IllegalArgumentException("numShards must be > 0, was " + numShards);
    }
    return toBuilder().setNumShards(numShards).build();
  }

  /**
   * Returns a write with these extra producer settings (e.g. {@code compression.type}, {@code
   * linger.ms}, security settings), added to those given before. {@code bootstrap.servers}, the
   * serializers and {@code transactional.id} are rejected. Values must be serializable.
   */
  public WriteKafka withProducerConfig(Map<String, Object> producerConfig) {
    return toBuilder()
        .setProducerConfig(
            Settings.clientConfig("producerConfig", RESERVED, producerConfig(), producerConfig))
        .build();
  }

  @Override
  public PDone expand(PCollection<KV<byte[], byte[]>> input) {
    return input.apply("WriteToKafka", kafkaIoWrite());
  }

  /** KafkaIO's write for these settings; checks the settings that depend on each other. */
  KafkaIO.Write<byte[], byte[]> kafkaIoWrite() {
    String sinkGroupId = sinkGroupId();
    Integer numShards = numShards();
    if (deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE && sinkGroupId == null) {
      throw new IllegalStateException(
          "Kafka.write(\""
              + topic()
              + "\") with deliveryGuarantee EXACTLY_ONCE needs withSinkGroupId(...): the id under"
              + " which the exactly-once sink keeps its progress.");
    }
    if (deliveryGuarantee() == DeliveryGuarantee.AT_LEAST_ONCE
        && (sinkGroupId != null || numShards != null)) {
      throw new IllegalStateException(
          "Kafka.write(\""
              + topic()
              + "\") sets "
              + (sinkGroupId != null ? "withSinkGroupId" : "withNumShards")
              + ", which only applies with withDeliveryGuarantee(EXACTLY_ONCE); deliveryGuarantee"
              + " is AT_LEAST_ONCE.");
    }
    KafkaIO.Write<byte[], byte[]> write =
        KafkaIO.<byte[], byte[]>write()
            .withBootstrapServers(bootstrapServers())
            .withTopic(topic())
            .withKeySerializer(ByteArraySerializer.class)
            .withValueSerializer(ByteArraySerializer.class)
            .withProducerConfigUpdates(producerConfig());
    if (sinkGroupId != null) {
      write =
          write
              .withEOS(numShards == null ? 1 : numShards, sinkGroupId)
              // KafkaIO's exactly-once sink reads its sink group with a consumer of its own, given
              // only the servers and the group: a secured cluster needs the security settings too.
              .withConsumerFactoryFn(
                  new SecuredConsumerFactory(securitySettings(producerConfig())));
    }
    return write;
  }

  /**
   * The settings of {@code config} that say how to connect: {@code security.*}, SASL, TLS, and
   * Kafka's config providers ({@code config.providers*}), which resolve {@code ${env:...}} and
   * {@code ${file:...}} references in them.
   */
  static Map<String, Object> securitySettings(Map<String, Object> config) {
    Map<String, Object> security = new LinkedHashMap<>();
    config.forEach(
        (key, value) -> {
          if (key.startsWith("security.")
              || key.startsWith("sasl.")
              || key.startsWith("ssl.")
              || key.startsWith("config.providers")) {
            security.put(key, value);
          }
        });
    return Collections.unmodifiableMap(security);
  }

  /** Creates KafkaIO's sink-group consumers with the security settings added. */
  static final class SecuredConsumerFactory
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;
    private final Map<String, Object> security;

    SecuredConsumerFactory(Map<String, Object> security) {
      this.security = new LinkedHashMap<>(security);
    }

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      Map<String, Object> withSecurity = new LinkedHashMap<>(security);
      withSecurity.putAll(config);
      return new KafkaConsumer<>(withSecurity);
    }
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(
            DisplayData.item("bootstrapServers", bootstrapServers()).withLabel("Bootstrap servers"))
        .add(DisplayData.item("topic", topic()).withLabel("Topic"))
        .add(
            DisplayData.item("deliveryGuarantee", deliveryGuarantee().name())
                .withLabel("Delivery guarantee"))
        .addIfNotNull(DisplayData.item("sinkGroupId", sinkGroupId()).withLabel("Sink group id"));
  }
}
