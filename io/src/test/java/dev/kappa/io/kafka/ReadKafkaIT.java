package dev.kappa.io.kafka;

import static dev.kappa.io.kafka.KafkaTestData.badPayload;
import static dev.kappa.io.kafka.KafkaTestData.payload;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.io.kafka.KafkaTestData.LeadingEventTime;
import dev.kappa.io.kafka.KafkaTestData.Produced;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Kafka#read} against a real broker, on the Direct runner. */
@ExtendWith({KafkaBrokerExtension.class, TestPipelineExtension.class})
class ReadKafkaIT {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant KAFKA_TIME = Instant.parse("2024-05-01T10:00:30Z");
  private static final int PARTITIONS = 3;

  /** What the live pipelines collected, by run; the Direct runner runs in this JVM. */
  private static final Map<String, Queue<String>> COLLECTED = new ConcurrentHashMap<>();

  /**
   * Three producers, one per partition, each writing {@code perPartition} (at most 30) records with
   * rising event times within [10:00, 10:01) and distinct keys (every fifth null); the first record
   * of partition 1 has no event time. Returns what was produced, where it went, and the timestamp
   * each should get.
   */
  private static Map<Produced, Instant> produceOrders(
      KafkaBroker broker, String topic, int perPartition) throws Exception {
    Map<Produced, Instant> expected = new HashMap<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      List<Instant> timestamps = new ArrayList<>();
      for (int i = 0; i < perPartition; i++) {
        int id = partition * 100 + i;
        byte[] key = id % 5 == 0 ? null : ("key-" + id).getBytes(StandardCharsets.UTF_8);
        Instant eventTime = T0.plus(Duration.millis(partition * 100L + i * 1900L));
        boolean bad = partition == 1 && i == 0;
        records.add(
            new ProducerRecord<>(
                topic,
                partition,
                KAFKA_TIME.getMillis(),
                key,
                bad ? badPayload(id) : payload(eventTime, id)));
        timestamps.add(bad ? KAFKA_TIME : eventTime);
      }
      List<Produced> produced = KafkaTestData.produce(broker.bootstrapServers(), records);
      for (int i = 0; i < produced.size(); i++) {
        expected.put(produced.get(i), timestamps.get(i));
      }
    }
    return expected;
  }

  private static List<String> lines(Map<Produced, Instant> expected, long fromOffsetOfPartition0) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Produced, Instant> entry : expected.entrySet()) {
      if (entry.getKey().metadata.partition() != 0
          || entry.getKey().metadata.offset() >= fromOffsetOfPartition0) {
        lines.add(entry.getKey().line(entry.getValue()));
      }
    }
    return lines;
  }

  @Test
  @Timeout(180)
  void readsEveryRecordOnceWithItsBytesCoordinatesAndEventTimeAndFinishesAtTheEndOffsets(
      KafkaBroker broker, TestPipeline pipeline) throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, PARTITIONS);
    Map<Produced, Instant> expected = produceOrders(broker, topic, 10);

    PCollection<SourceRecord> records =
        pipeline.apply(
            "ReadOrders",
            Kafka.read(broker.bootstrapServers(), List.of(topic))
                .withEventTime(new LeadingEventTime())
                .withCommitOffsetsInFinalize(false)
                .withStopAtEndOffsets());

    assertThat(records.isBounded(), equalTo(PCollection.IsBounded.UNBOUNDED));
    PAssert.that(KafkaTestData.lines(records)).containsInAnyOrder(lines(expected, 0));
    // Each record keeps its Kafka timestamp, for jobs that do not decode (the archive).
    PAssert.that(
            records.apply(
                "KafkaTimestamps",
                org.apache.beam.sdk.transforms.MapElements.into(
                        org.apache.beam.sdk.values.TypeDescriptors.longs())
                    .via((SourceRecord r) -> r.getTimestamp().toEpochMilli())))
        .satisfies(
            timestamps -> {
              timestamps.forEach(t -> assertThat(t, equalTo(KAFKA_TIME.getMillis())));
              return null;
            });
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));
  }

  @Test
  @Timeout(180)
  void startsWhereTheConsumerGroupLeftOffAndCommitsWhereItStopped(
      KafkaBroker broker, TestPipeline pipeline) throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, PARTITIONS);
    Map<Produced, Instant> expected = produceOrders(broker, topic, 10);
    String group = "revenue-" + topic;
    try (KafkaConsumer<byte[], byte[]> consumer = groupConsumer(broker, group)) {
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(4)));
    }

    PCollection<SourceRecord> records =
        pipeline.apply(
            "ReadOrders",
            Kafka.read(broker.bootstrapServers(), List.of(topic))
                .withEventTime(new LeadingEventTime())
                .withConsumerGroup(group)
                .withStopAtEndOffsets());

    PAssert.that(KafkaTestData.lines(records)).containsInAnyOrder(lines(expected, 4));
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));

    // The last checkpoint is finalized when the read ends: the next run starts at the end.
    Map<TopicPartition, Long> endOffsets = new HashMap<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      endOffsets.put(new TopicPartition(topic, partition), 10L);
    }
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      assertThat(committed(admin, group), equalTo(endOffsets));
    }
  }

  @Test
  @Timeout(180)
  void waitsForStopOffsetsNotWrittenYetAndFinishesThere(KafkaBroker broker, TestPipeline pipeline)
      throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, PARTITIONS);
    Map<Produced, Instant> expected = new HashMap<>(produceOrders(broker, topic, 10));
    Map<TopicPartition, Long> stops = new HashMap<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      stops.put(new TopicPartition(topic, partition), 20L);
    }

    PCollection<SourceRecord> records =
        pipeline.apply(
            "ReadOrders",
            Kafka.read(broker.bootstrapServers(), List.of(topic))
                .withEventTime(new LeadingEventTime())
                .withCommitOffsetsInFinalize(false)
                .withStopAtOffsets(stops));
    PAssert.that(KafkaTestData.lines(records))
        .satisfies(
            lines -> {
              // Read once the second half is written: all 60 records, nothing past offset 20.
              assertThat(
                  java.util.stream.StreamSupport.stream(lines.spliterator(), false).count(),
                  equalTo(2L * 10 * PARTITIONS));
              return null;
            });
    pipeline
        .getOptions()
        .as(org.apache.beam.runners.direct.DirectOptions.class)
        .setBlockOnRun(false);
    PipelineResult result = pipeline.run();
    // Written while the pipeline runs: the read waits for offsets 10..19 instead of ending.
    expected.putAll(produceOrders(broker, topic, 10));
    produceOrders(broker, topic, 5); // past the stop offsets: never read

    assertThat(result.waitUntilFinish(), equalTo(PipelineResult.State.DONE));
  }

  @Test
  void stopOffsetsMustNotBeNegative() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                Kafka.read("localhost:9092", List.of("orders"))
                    .withStopAtOffsets(Map.of(new TopicPartition("orders", 0), -1L)));
    assertThat(e.getMessage(), equalTo("stopOffsets must be >= 0, was -1 for orders-0"));
  }

  /** Collects what a live pipeline outputs, under a key per run and output. */
  static final class CollectFn extends DoFn<String, Void> {
    private static final long serialVersionUID = 1L;
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void processElement(@Element String line) {
      COLLECTED.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(line);
    }
  }

  /** Describes a window's count and the pane it came in. */
  static final class DescribeCountFn extends DoFn<Long, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(
        @Element Long count, BoundedWindow window, PaneInfo pane, OutputReceiver<String> out) {
      out.output(((IntervalWindow) window).start() + " count=" + count + " " + pane.getTiming());
    }
  }

  private static List<String> collected(String key) {
    return new ArrayList<>(COLLECTED.getOrDefault(key, new ConcurrentLinkedQueue<>()));
  }

  private static KafkaConsumer<byte[], byte[]> groupConsumer(KafkaBroker broker, String group) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            group,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class));
  }

  private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry :
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()) {
      if (entry.getValue() != null) {
        offsets.put(entry.getKey(), entry.getValue().offset());
      }
    }
    return offsets;
  }

  /** Whether the group has committed an offset in (0, 30] for each of the topic's partitions. */
  private static boolean committedInEveryPartition(Admin admin, String group, String topic) {
    Map<TopicPartition, Long> offsets;
    try {
      offsets = committed(admin, group);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    for (int partition = 0; partition < PARTITIONS; partition++) {
      Long offset = offsets.get(new TopicPartition(topic, partition));
      if (offset == null || offset <= 0 || offset > 30) {
        return false;
      }
    }
    return true;
  }

  /** Waits on the running pipeline (never past {@code deadline}) until {@code done} holds. */
  private static void awaitWhileRunning(
      PipelineResult result, Instant deadline, BooleanSupplier done) {
    while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
      PipelineResult.State state = result.waitUntilFinish(Duration.millis(200));
      if (state != null && state.isTerminal()) {
        throw new AssertionError("The live pipeline stopped: " + state);
      }
    }
  }

  @Test
  @Timeout(240)
  void readsLiveWithKafkaIoAdvancesAQuietTopicsWatermarkAndCommitsTheGroupsOffsets(
      KafkaBroker broker) throws Exception {
    String topic = KafkaTestData.uniqueTopic("orders");
    broker.createTopic(topic, PARTITIONS);
    Map<Produced, Instant> expected = produceOrders(broker, topic, 30);
    String group = "revenue-" + topic;
    String recordsKey = topic + "/records";
    String windowsKey = topic + "/windows";

    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<SourceRecord> records =
        pipeline.apply(
            "ReadOrders",
            Kafka.read(broker.bootstrapServers(), List.of(topic))
                .withEventTime(new LeadingEventTime())
                .withConsumerGroup(group)
                .withMaxOutOfOrderness(Duration.ZERO)
                .withIdleTimeout(Duration.standardSeconds(1)));
    KafkaTestData.lines(records).apply("CollectRecords", ParDo.of(new CollectFn(recordsKey)));
    records
        .apply("WindowByMinute", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply(
            "CountPerMinute", Combine.globally(Count.<SourceRecord>combineFn()).withoutDefaults())
        .apply("DescribeCounts", ParDo.of(new DescribeCountFn()))
        .setCoder(StringUtf8Coder.of())
        .apply("CollectCounts", ParDo.of(new CollectFn(windowsKey)));

    PipelineResult result = pipeline.run();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      Instant deadline = Instant.now().plus(Duration.standardSeconds(180));
      awaitWhileRunning(
          result,
          deadline,
          () -> collected(recordsKey).size() >= 90 && !collected(windowsKey).isEmpty());
      // The Direct runner finalizes a checkpoint (KafkaIO then commits its offsets) when a later
      // bundle of the same reader has read records; a reader's last checkpoint before the topic
      // goes quiet is not finalized. So every partition's group offset ends up between 1 and 30.
      awaitWhileRunning(result, deadline, () -> committedInEveryPartition(admin, group, topic));

      assertThat(collected(recordsKey), containsInAnyOrder(lines(expected, 0).toArray()));
      // All 90 records are in [10:00, 10:01): the window closes only because the caught-up,
      // quiet partitions' watermarks advanced with the wall clock.
      assertThat(collected(windowsKey), equalTo(List.of(T0 + " count=90 ON_TIME")));
      assertThat(committedInEveryPartition(admin, group, topic), equalTo(true));
    } finally {
      result.cancel();
    }
  }
}
