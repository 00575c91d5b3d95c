package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Settings and their validation; writing is tested against a broker in WriteKafkaIT. */
class WriteKafkaTest {
  private static final String SERVERS = "localhost:9092";

  private static String failure(Executable executable) {
    return assertThrows(IllegalArgumentException.class, executable).getMessage();
  }

  private static PCollection<KV<byte[], byte[]>> input(Pipeline pipeline) {
    return pipeline.apply(
        Create.of(KV.of(new byte[] {1}, new byte[] {2}))
            .withCoder(KvCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())));
  }

  @Test
  void theSinkGroupConsumerGetsTheConnectionSettingsAndConfigProviders() {
    Map<String, Object> config =
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.jaas.config", "${file:/run/secrets/kafka.properties:jaas}",
            "ssl.truststore.type", "PEM",
            "config.providers", "file",
            "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            "linger.ms", 5);

    Map<String, Object> security = WriteKafka.securitySettings(config);

    Map<String, Object> expected = new java.util.HashMap<>(config);
    expected.remove("linger.ms");
    assertThat(security, equalTo(expected));
  }

  @Test
  void isAtLeastOnceByDefault() {
    assertThat(
        Kafka.write(SERVERS, "alerts").deliveryGuarantee(),
        equalTo(DeliveryGuarantee.AT_LEAST_ONCE));
  }

  @Test
  void validatesItsArgumentsNamingTheBadOne() {
    WriteKafka write = Kafka.write(SERVERS, "alerts");

    assertThat(
        failure(() -> Kafka.write(SERVERS, "")),
        equalTo("topic must be a non-empty topic name, was \"\""));
    assertThat(
        failure(() -> Kafka.write("", "alerts")),
        equalTo("bootstrapServers must be a non-empty host:port list, was \"\""));
    assertThat(
        failure(() -> write.withDeliveryGuarantee(null)),
        equalTo("deliveryGuarantee must not be null"));
    assertThat(
        failure(() -> write.withSinkGroupId(null)),
        equalTo("sinkGroupId must be non-empty, was null"));
    assertThat(failure(() -> write.withNumShards(0)), equalTo("numShards must be > 0, was 0"));
    assertThat(
        failure(() -> write.withProducerConfig(null)), equalTo("producerConfig must not be null"));
    assertThat(
        failure(() -> write.withProducerConfig(Map.of("transactional.id", "t"))),
        equalTo(
            "producerConfig must not set transactional.id: use"
                + " withDeliveryGuarantee(EXACTLY_ONCE) and withSinkGroupId(...)."));
    assertThat(
        failure(() -> write.withProducerConfig(Map.of("key.serializer", "x"))),
        equalTo("producerConfig must not set key.serializer: keys are always written as bytes."));
  }

  @Test
  void exactlyOnceRequiresASinkGroupId() {
    Pipeline pipeline = Pipeline.create();
    WriteKafka write =
        Kafka.write(SERVERS, "alerts").withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> input(pipeline).apply(write));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.write(\"alerts\") with deliveryGuarantee EXACTLY_ONCE needs"
                + " withSinkGroupId(...): the id under which the exactly-once sink keeps its"
                + " progress."));
  }

  @Test
  void rejectsExactlyOnceSettingsOnAnAtLeastOnceWrite() {
    Pipeline pipeline = Pipeline.create();

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> input(pipeline).apply(Kafka.write(SERVERS, "alerts").withSinkGroupId("sink")));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.write(\"alerts\") sets withSinkGroupId, which only applies with"
                + " withDeliveryGuarantee(EXACTLY_ONCE); deliveryGuarantee is AT_LEAST_ONCE."));
  }

  @Test
  void givesTheSameWriteWhateverTheOrderOfSettings() {
    WriteKafka base = Kafka.write(SERVERS, "alerts");
    assertThat(
        base.withSinkGroupId("sink")
            .withNumShards(3)
            .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .withProducerConfig(Map.of("linger.ms", 5)),
        equalTo(
            base.withProducerConfig(Map.of("linger.ms", 5))
                .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .withNumShards(3)
                .withSinkGroupId("sink")));
  }

  @Test
  void usesKafkaIoExactlyOnceSinkForExactlyOnce() {
    Pipeline pipeline = Pipeline.create();
    input(pipeline)
        .apply(
            Kafka.write(SERVERS, "alerts")
                .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .withSinkGroupId("sink"));

    assertThat(
        Kafka.write(SERVERS, "alerts")
            .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .withSinkGroupId("sink")
            .withNumShards(2)
            .kafkaIoWrite()
            .getWriteRecordsTransform()
            .isEOS(),
        equalTo(true));
    assertThat(
        Kafka.write(SERVERS, "alerts").kafkaIoWrite().getWriteRecordsTransform().isEOS(),
        equalTo(false));
  }
}
