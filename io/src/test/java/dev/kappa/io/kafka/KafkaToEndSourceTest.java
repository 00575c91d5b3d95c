package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.io.kafka.KafkaTestData.LeadingEventTime;
import dev.kappa.io.watermark.ProcessingClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The stop-at-end reader with Kafka's mock consumer: where it starts, ends and commits. */
class KafkaToEndSourceTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();
  private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final KafkaPartitionRange RANGE = KafkaPartitionRange.of("orders", 0, 0, 3);

  /** Commits made by any consumer of a test, in order. */
  private final List<String> commits = new CopyOnWriteArrayList<>();

  /** Consumers created by the source, each holding records 0..2 of orders-0. */
  private final List<MockConsumer<byte[], byte[]>> consumers = new ArrayList<>();

  private MockConsumer<byte[], byte[]> newConsumer() {
    MockConsumer<byte[], byte[]> consumer =
        new MockConsumer<>(OffsetResetStrategy.NONE) {
          @Override
          public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commits.add(offsets.toString());
            super.commitSync(offsets);
          }
        };
    consumer.schedulePollTask(
        () -> {
          for (long offset = 0; offset < 3; offset++) {
            Instant eventTime = T0.plus(Duration.standardSeconds(offset));
            consumer.addRecord(
                new ConsumerRecord<>(
                    "orders", 0, offset, null, KafkaTestData.payload(eventTime, (int) offset)));
          }
        });
    consumers.add(consumer);
    return consumer;
  }

  private KafkaToEndSource source(boolean commitOffsets) {
    SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> factory =
        config -> newConsumer();
    return new KafkaToEndSource(
        "localhost:9092",
        Map.of("group.id", "revenue"),
        List.of(RANGE),
        new EventTimePolicyFactory(
            new LeadingEventTime(),
            Duration.ZERO,
            Duration.standardMinutes(1),
            ProcessingClock.system()),
        commitOffsets,
        factory,
        ProcessingClock.system());
  }

  private static List<Long> readAll(KafkaToEndSource.ToEndReader reader) throws Exception {
    List<Long> offsets = new ArrayList<>();
    boolean available = reader.start();
    for (int attempts = 0;
        attempts < 50 && reader.getWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE);
        attempts++) {
      if (available) {
        offsets.add(reader.getCurrent().getPosition().getOffset());
        assertThat(
            reader.getCurrentTimestamp(),
            equalTo(
                T0.plus(Duration.standardSeconds(reader.getCurrent().getPosition().getOffset()))));
      }
      available = reader.advance();
    }
    return offsets;
  }

  @Test
  void readsItsRangeThenReportsTheEndOfTime() throws Exception {
    KafkaToEndSource.ToEndReader reader = source(false).createReader(OPTIONS, null);

    assertThat(readAll(reader), contains(0L, 1L, 2L));
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertThat(reader.getCheckpointMark().nextOffset(), equalTo(3L));
    reader.close();
  }

  @Test
  void resumesFromACheckpointWithItsWatermark() throws Exception {
    Instant watermark = T0.plus(Duration.standardHours(1));
    KafkaToEndSource.ToEndReader reader =
        source(false).createReader(OPTIONS, new OffsetCheckpoint(2, watermark, null));

    assertThat(reader.start(), equalTo(true));
    assertThat(reader.getCurrent().getPosition().getOffset(), equalTo(2L));
    assertThat(reader.getWatermark(), equalTo(watermark));
    reader.close();
  }

  @Test
  void commitsAFinalizedCheckpointFromTheReadingThread() throws Exception {
    KafkaToEndSource.ToEndReader reader = source(true).createReader(OPTIONS, null);
    assertThat(reader.start(), equalTo(true));
    OffsetCheckpoint checkpoint = reader.getCheckpointMark();

    checkpoint.finalizeCheckpoint();
    assertThat(commits, empty());
    reader.advance();

    assertThat(commits, contains(Map.of(ORDERS_0, new OffsetAndMetadata(1)).toString()));
    reader.close();
  }

  @Test
  void commitsACheckpointFinalizedAfterItsReaderClosed() throws Exception {
    KafkaToEndSource.ToEndReader reader = source(true).createReader(OPTIONS, null);
    readAll(reader);
    OffsetCheckpoint last = reader.getCheckpointMark();
    reader.close();

    last.finalizeCheckpoint();

    assertThat(commits, contains(Map.of(ORDERS_0, new OffsetAndMetadata(3)).toString()));
    assertThat(consumers.size(), equalTo(2));
  }

  @Test
  void commitsNothingWhenCommitsAreOff() throws Exception {
    KafkaToEndSource.ToEndReader reader = source(false).createReader(OPTIONS, null);
    readAll(reader);
    OffsetCheckpoint last = reader.getCheckpointMark();
    last.finalizeCheckpoint();
    reader.close();

    assertThat(commits, empty());
  }

  @Test
  void splitsIntoOneSourcePerPartition() throws Exception {
    KafkaToEndSource source =
        new KafkaToEndSource(
            "localhost:9092",
            Map.of(),
            List.of(RANGE, KafkaPartitionRange.of("orders", 1, 5, 9)),
            new EventTimePolicyFactory(
                new LeadingEventTime(),
                Duration.ZERO,
                Duration.standardMinutes(1),
                ProcessingClock.system()),
            false,
            new ConsumerConfigs.DefaultConsumerFactory(),
            ProcessingClock.system());

    List<KafkaPartitionRange> ranges = new ArrayList<>();
    for (KafkaToEndSource split : source.split(1, OPTIONS)) {
      ranges.addAll(split.ranges());
    }
    assertThat(ranges, contains(RANGE, KafkaPartitionRange.of("orders", 1, 5, 9)));
  }
}
