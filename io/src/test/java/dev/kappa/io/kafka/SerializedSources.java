package dev.kappa.io.kafka;

import dev.kappa.io.FixedEventTime;
import dev.kappa.io.watermark.ProcessingClock;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** The Kafka sources as serialized in src/test/resources/serialized-sources. */
public final class SerializedSources {
  private SerializedSources() {}

  static final String SERVERS = "127.0.0.1:9";
  static final Map<String, Object> CONFIG = Map.of("isolation.level", "read_committed");
  static final List<KafkaPartitionRange> RANGES =
      List.of(
          KafkaPartitionRange.of("orders", 0, 5, 42), KafkaPartitionRange.of("orders", 1, 0, 7));

  static EventTimePolicyFactory policies() {
    return new EventTimePolicyFactory(
        new FixedEventTime(),
        Duration.standardSeconds(30),
        Duration.standardMinutes(2),
        ProcessingClock.system());
  }

  public static UnboundedSource<?, ?> toEnd() {
    return new KafkaToEndSource(
        SERVERS,
        CONFIG,
        RANGES,
        policies(),
        true,
        new ConsumerConfigs.DefaultConsumerFactory(),
        ProcessingClock.system());
  }

  public static BoundedSource<?> range() {
    return new KafkaRangeSource(
        SERVERS,
        CONFIG,
        RANGES,
        TimestampRange.between(new Instant(1000), new Instant(2000)),
        policies(),
        new ConsumerConfigs.DefaultConsumerFactory(),
        ProcessingClock.system());
  }
}
