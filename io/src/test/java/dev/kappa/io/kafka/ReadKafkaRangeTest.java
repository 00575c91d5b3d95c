package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.io.kafka.EventTimePolicyTest.PayloadIsTheTime;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Settings and their validation; reading itself is tested against a broker in ReadKafkaRangeIT. */
class ReadKafkaRangeTest {
  private static final String SERVERS = "localhost:9092";
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-05-02T00:00:00Z");

  private static String failure(Executable executable) {
    return assertThrows(IllegalArgumentException.class, executable).getMessage();
  }

  @Test
  void validatesItsArgumentsNamingTheBadOne() {
    assertThat(
        failure(() -> Kafka.readRange(SERVERS, List.of("orders"), TO, FROM)),
        equalTo(
            "from must be before to, was from=2024-05-02T00:00:00.000Z,"
                + " to=2024-05-01T00:00:00.000Z"));
    assertThat(
        failure(() -> Kafka.readRange(SERVERS, List.of("orders"), FROM, FROM)),
        equalTo(
            "from must be before to, was from=2024-05-01T00:00:00.000Z,"
                + " to=2024-05-01T00:00:00.000Z"));
    assertThat(
        failure(() -> Kafka.readRange(SERVERS, List.of("orders"), null, TO)),
        equalTo("from must not be null"));
    assertThat(
        failure(() -> Kafka.readRange(SERVERS, List.of("orders"), FROM, null)),
        equalTo("to must not be null"));
    assertThat(
        failure(() -> Kafka.readRange(SERVERS, List.of(), FROM, TO)),
        equalTo("topics must name at least one topic, was []"));
    assertThat(
        failure(() -> Kafka.readRange(" ", List.of("orders"), FROM, TO)),
        equalTo("bootstrapServers must be a non-empty host:port list, was \" \""));
    ReadKafkaRange read = Kafka.readRange(SERVERS, List.of("orders"), FROM, TO);
    assertThat(failure(() -> read.withEventTime(null)), equalTo("eventTime must not be null"));
    assertThat(
        failure(() -> read.withConsumerConfig(Map.of("group.id", "g"))),
        equalTo("consumerConfig must not set group.id: use withConsumerGroup(...)."));
  }

  @Test
  void givesTheSameReadWhateverTheOrderOfSettings() {
    PayloadIsTheTime eventTime = new PayloadIsTheTime();
    ReadKafkaRange base = Kafka.readRange(SERVERS, List.of("orders"), FROM, TO);
    assertThat(
        base.withEventTime(eventTime).withConsumerConfig(Map.of("max.poll.records", 10)),
        equalTo(base.withConsumerConfig(Map.of("max.poll.records", 10)).withEventTime(eventTime)));
  }

  @Test
  void requiresAnEventTimeFunctionBeforeContactingTheBroker() {
    Pipeline pipeline = Pipeline.create();
    ReadKafkaRange read = Kafka.readRange("localhost:1", List.of("orders"), FROM, TO);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.apply(read));

    assertThat(
        e.getMessage(),
        equalTo(
            "Kafka.readRange([orders], ...) needs withEventTime(...): the function that gives"
                + " each record its event time."));
  }

  @Test
  void failsRatherThanSkipDeletedOffsetsUnlessTold() {
    ReadKafkaRange read = Kafka.readRange(SERVERS, List.of("orders"), FROM, TO);

    assertThat(read.readerConsumerConfig().get("auto.offset.reset"), equalTo("none"));
    assertThat(
        read.withConsumerConfig(Map.of("auto.offset.reset", "earliest"))
            .readerConsumerConfig()
            .get("auto.offset.reset"),
        equalTo("earliest"));
  }
}
