package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.EventTimePolicyTest.PayloadIsTheTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Settings and their validation; reading itself is tested against a broker in ReadKafkaIT. */
class ReadKafkaTest {
  private static final String SERVERS = "localhost:9092";

  private static String failure(Executable executable) {
    return assertThrows(IllegalArgumentException.class, executable).getMessage();
  }

  @Test
  void hasDocumentedDefaults() {
    ReadKafka read = Kafka.read(SERVERS, List.of("orders"));
    assertThat(read.maxOutOfOrderness(), equalTo(Duration.standardMinutes(1)));
    assertThat(read.idleTimeout(), equalTo(Duration.standardMinutes(1)));
    assertThat(read.commitOffsetsInFinalize(), equalTo(true));
    assertThat(read.stopAtEndOffsets(), equalTo(false));
    assertThat(read.consumerGroup(), equalTo(null));
    assertThat(read.settings().eventTime(), equalTo(null));
  }

  @Test
  void givesTheSameReadWhateverTheOrderOfSettings() {
    PayloadIsTheTime eventTime = new PayloadIsTheTime();
    ReadKafka base = Kafka.read(SERVERS, List.of("orders"));
    ReadKafka oneWay =
        base.withEventTime(eventTime)
            .withConsumerGroup("revenue")
            .withMaxOutOfOrderness(Duration.ZERO)
            .withIdleTimeout(Duration.standardSeconds(5))
            .withCommitOffsetsInFinalize(false)
            .withStopAtEndOffsets();
    ReadKafka otherWay =
        base.withStopAtEndOffsets()
            .withCommitOffsetsInFinalize(false)
            .withIdleTimeout(Duration.standardSeconds(5))
            .withMaxOutOfOrderness(Duration.ZERO)
            .withConsumerGroup("revenue")
            .withEventTime(eventTime);
    assertThat(oneWay, equalTo(otherWay));
  }

  @Test
  void validatesItsArgumentsNamingTheBadOne() {
    ReadKafka read = Kafka.read(SERVERS, List.of("orders"));

    assertThat(
        failure(() -> Kafka.read("", List.of("orders"))),
        equalTo("bootstrapServers must be a non-empty host:port list, was \"\""));
    assertThat(
        failure(() -> Kafka.read(null, List.of("orders"))),
        equalTo("bootstrapServers must be a non-empty host:port list, was null"));
    assertThat(
        failure(() -> Kafka.read(SERVERS, List.of())),
        equalTo("topics must name at least one topic, was []"));
    assertThat(
        failure(() -> Kafka.read(SERVERS, null)),
        equalTo("topics must name at least one topic, was null"));
    assertThat(
        failure(() -> Kafka.read(SERVERS, List.of("orders", " "))),
        equalTo("topics must be a non-empty topic name, was \" \""));
    assertThat(
        failure(() -> Kafka.read(SERVERS, Arrays.asList("orders", null))),
        equalTo("topics must be a non-empty topic name, was null"));
    assertThat(
        failure(() -> Kafka.read(SERVERS, List.of("orders", "orders"))),
        equalTo("topics must not name a topic twice, was [orders, orders] (\"orders\")"));
    assertThat(failure(() -> read.withEventTime(null)), equalTo("eventTime must not be null"));
    assertThat(
        failure(() -> read.withMaxOutOfOrderness(Duration.millis(-1))),
        equalTo("maxOutOfOrderness must be >= 0, was PT-0.001S"));
    assertThat(
        failure(() -> read.withMaxOutOfOrderness(null)),
        equalTo("maxOutOfOrderness must be >= 0, was null"));
    assertThat(
        failure(() -> read.withIdleTimeout(Duration.ZERO)),
        equalTo("idleTimeout must be > 0, was PT0S"));
    assertThat(
        failure(() -> read.withConsumerGroup("")),
        equalTo("consumerGroup must be non-empty, was \"\""));
    assertThat(
        failure(() -> read.withConsumerConfig(null)), equalTo("consumerConfig must not be null"));
  }

  @Test
  void rejectsConsumerSettingsThatHaveTheirOwnMethodOrThatKappaControls() {
    ReadKafka read = Kafka.read(SERVERS, List.of("orders"));

    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("group.id", "g"))),
        equalTo("consumerConfig must not set group.id: use withConsumerGroup(...)."));
    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("enable.auto.commit", true))),
        equalTo(
            "consumerConfig must not set enable.auto.commit: offsets are committed on"
                + " checkpoints (withCommitOffsetsInFinalize), never automatically."));
    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("bootstrap.servers", "other:9092"))),
        equalTo(
            "consumerConfig must not set bootstrap.servers: pass the servers to"
                + " Kafka.read/readRange."));
    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("value.deserializer", "x"))),
        equalTo(
            "consumerConfig must not set value.deserializer: values are always read as bytes."));
    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("max.poll.records", new Object()))),
        startsWith(
            "consumerConfig value of max.poll.records must be Serializable, was"
                + " java.lang.Object@"));
  }

  @Test
  void commitsNothingAutomaticallyAndStartsANewGroupAtTheEarliestOffset() {
    Map<String, Object> config =
        Kafka.read(SERVERS, List.of("orders"))
            .withConsumerGroup("revenue")
            .withConsumerConfig(Map.of("isolation.level", "read_committed"))
            .effectiveConsumerConfig();

    assertThat(config, hasEntry("enable.auto.commit", (Object) false));
    assertThat(config, hasEntry("auto.offset.reset", (Object) "earliest"));
    assertThat(config, hasEntry("group.id", (Object) "revenue"));
    assertThat(config, hasEntry("isolation.level", (Object) "read_committed"));
  }

  @Test
  void autoCommitTurnsTheConsumersTimerOnAndCommitOnFinalizeOff() {
    ReadKafka read =
        Kafka.read(SERVERS, List.of("orders")).withConsumerGroup("revenue").withAutoCommit();

    assertThat(read.effectiveConsumerConfig(), hasEntry("enable.auto.commit", (Object) true));
    assertThat(read.commitOffsetsInFinalize(), equalTo(false));
  }

  @Test
  void autoCommitIsRefusedForReadsThatStop() {
    Pipeline pipeline = Pipeline.create();
    ReadKafka read =
        Kafka.read(SERVERS, List.of("orders"))
            .withEventTime(new PayloadIsTheTime())
            .withConsumerGroup("revenue")
            .withAutoCommit()
            .withStopAtEndOffsets();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.apply(read));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.read([orders]) reads fixed offset ranges, whose offsets are committed on"
                + " checkpoints; withAutoCommit() applies to live reads only."));
  }

  @Test
  void letsTheUserChooseWhereANewGroupStartsAndAddsSettingsUp() {
    Map<String, Object> config =
        Kafka.read(SERVERS, List.of("orders"))
            .withConsumerConfig(Map.of("auto.offset.reset", "latest"))
            .withConsumerConfig(Map.of("max.poll.records", 100))
            .withCommitOffsetsInFinalize(false)
            .effectiveConsumerConfig();

    assertThat(config, hasEntry("auto.offset.reset", (Object) "latest"));
    assertThat(config, hasEntry("max.poll.records", (Object) 100));
    assertThat(config, not(hasKey("group.id")));
  }

  @Test
  void requiresAnEventTimeFunction() {
    Pipeline pipeline = Pipeline.create();
    ReadKafka read = Kafka.read(SERVERS, List.of("orders")).withConsumerGroup("g");

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.apply(read));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.read([orders]) needs withEventTime(...): the function that gives each record"
                + " its event time."));
  }

  @Test
  void requiresAConsumerGroupToCommitOffsets() {
    Pipeline pipeline = Pipeline.create();
    ReadKafka read = Kafka.read(SERVERS, List.of("orders")).withEventTime(new PayloadIsTheTime());

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.apply(read));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.read([orders]) commits offsets on checkpoints (commitOffsetsInFinalize, on by"
                + " default), which needs withConsumerGroup(...); or turn it off with"
                + " withCommitOffsetsInFinalize(false)."));
  }

  @Test
  void buildsALiveReadWithoutContactingTheBroker() {
    Pipeline pipeline = Pipeline.create();

    pipeline.apply(
        "ReadOrders",
        Kafka.read("localhost:1", List.of("orders"))
            .withEventTime(new PayloadIsTheTime())
            .withCommitOffsetsInFinalize(false));

    assertThat(
        pipeline
            .apply(
                "ReadMore",
                Kafka.read("localhost:1", List.of("orders"))
                    .withEventTime(new PayloadIsTheTime())
                    .withConsumerGroup("g"))
            .isBounded(),
        equalTo(org.apache.beam.sdk.values.PCollection.IsBounded.UNBOUNDED));
  }
}
