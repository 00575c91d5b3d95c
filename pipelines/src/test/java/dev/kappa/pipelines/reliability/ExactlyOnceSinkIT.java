package dev.kappa.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.io.kafka.DeliveryGuarantee;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.SinkProgress;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.ops.ResetSinkCommand;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import dev.kappa.testing.flink.FlinkCluster;
import dev.kappa.testing.flink.FlinkClusterExtension;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaPublishTimestampFunction;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two known defects of Beam's exactly-once Kafka sink on Flink ({@code
 * KafkaIO.write().withEOS}, docs/reliability.md), each reproduced deterministically, with its
 * tested recovery: {@code kappa reset-sink} for the first, a fresh TaskManager for the second; and
 * Kappa's refusal of the fresh start that reaches the first.
 *
 * <p>The jobs are the smallest that hold the sink: KafkaIO reads a one-partition topic and the sink
 * copies it to another, one shard, parallelism 1. The first defect's jobs run one at a time on the
 * JVM's shared Flink cluster, each cancelled or stopped before the test returns; the second's job
 * runs on a session cluster of one TaskManager of its own, since its recovery replaces that
 * TaskManager. Outputs are read with {@code read_committed} consumers.
 */
@ExtendWith({KafkaBrokerExtension.class, FlinkClusterExtension.class})
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExactlyOnceSinkIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String UNRESTORABLE = "Kafka metadata exists for shard 0";
  private static final String IN_TRANSACTION =
      "Invalid transition attempted from state IN_TRANSACTION to state IN_TRANSACTION";
  private static final int FIRST = 10;
  private static final int MORE = 10;

  @TempDir static Path dir;
  // The JVM's shared cluster and probes of it.
  private static FlinkCluster cluster;
  private static JobProbes jobs;
  private static Path jar;

  @BeforeAll
  static void stageJar(FlinkCluster shared) throws IOException {
    jar = dir.resolve("kappa-pipelines-bundled.jar");
    Files.copy(
        Path.of(System.getProperty("kappa.bundledJar")), jar, StandardCopyOption.REPLACE_EXISTING);
    cluster = shared;
    jobs = new JobProbes(cluster.flinkMaster());
  }

  @AfterAll
  static void closeProbes() {
    if (jobs != null) {
      jobs.close();
    }
  }

  /**
   * Defect 1. The first job checkpoints every ten minutes, so no periodic checkpoint completes
   * during the test: its records wait in the sink's stable-input buffer until the stop with a
   * savepoint, whose completion makes the writer commit the sink's first transaction and its
   * progress (sequence id and writer id) to the sink group in Kafka. The writer id it stored in its
   * state at that moment reaches no checkpoint.
   */
  @Test
  void aSavepointOfTheFirstTransactionIsUnrestorableUntilResetSinkWhichRewritesOnlyThatOne(
      KafkaBroker broker) {
    String in = "eos-in-" + System.nanoTime();
    String out = "eos-out-" + System.nanoTime();
    String sinkGroupId = "eos-" + System.nanoTime();
    broker.createTopic(in, 1);
    broker.createTopic(out, 1);
    List<String> first = values(0, FIRST);
    produce(broker, in, first);
    // The jobs of this test are named eos-v1-, eos-v2-, eos-v3-<nanos>.
    try {

      // 1. The first job reads every record, then stops with a savepoint before any checkpoint.
      String v1 = submit(broker, in, out, sinkGroupId, "eos-v1", Duration.ofMinutes(10), null);
      JobProbes.await(
          "the sink of " + v1 + " holding " + FIRST + " records",
          WAIT,
          () -> writerRecordsIn(v1) >= FIRST ? true : null);
      assertThat(
          "nothing committed before the savepoint", committed(broker, out, 0), equalTo(List.of()));
      Instant stopped = Instant.now();
      String savepoint = jobs.stopWithSavepoint(v1, WAIT);
      Duration stopping = Duration.between(stopped, Instant.now());
      // Its completion committed the sink's first transaction.
      assertThat(committed(broker, out, FIRST), containsInAnyOrder(first.toArray()));

      // A fresh start of a job with that sink group is refused at launch, before it reaches Flink.
      InvalidOptionException refused =
          assertThrows(
              InvalidOptionException.class,
              () ->
                  JobRunner.run(
                      new OrderRevenue(), orderRevenueOptions(broker, in, out, sinkGroupId)));
      assertThat(refused.option(), equalTo("sinkGroupId"));
      assertThat(
          refused.getMessage(),
          containsString("kappa reset-sink " + out + " --sinkGroupId=" + sinkGroupId));

      // 2. Restored from that savepoint, the writer finds its progress in Kafka but no writer id in
      // its state, and fails on every attempt: the defect.
      Instant restored = Instant.now();
      String v2 = submit(broker, in, out, sinkGroupId, "eos-v2", Duration.ofSeconds(1), savepoint);
      String failure =
          JobProbes.await(
              "job " + v2 + " failing on the restore",
              WAIT,
              () -> {
                String exceptions = jobs.exceptions(v2);
                return exceptions.contains(UNRESTORABLE) ? exceptions : null;
              });
      Duration toFailure = Duration.between(restored, Instant.now());
      int failures = jobs.failuresSince(v2, restored).size();
      jobs.cancel(v2);
      assertThat(failure, containsString("is used else where or in earlier runs"));
      assertThat(
          "the failing job committed nothing",
          committed(broker, out, FIRST),
          containsInAnyOrder(first.toArray()));

      // 3. The recovery: reset the sink's progress, then resume from the same savepoint.
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int code =
          ResetSinkCommand.run(
              new String[] {
                out,
                "--sinkGroupId=" + sinkGroupId,
                "--bootstrapServers=" + broker.bootstrapServers()
              },
              new PrintStream(printed, true, StandardCharsets.UTF_8),
              System.err);
      assertThat(printed.toString(StandardCharsets.UTF_8), code, equalTo(0));
      // What it deleted: shard 0's progress, the last sequence id of the first transaction.
      assertThat(
          printed.toString(StandardCharsets.UTF_8),
          containsString(
              "deleted group "
                  + sinkGroupId
                  + "-"
                  + out
                  + " shard 0 (was {\"seq\":"
                  + (FIRST - 1)));

      // With the progress gone, a fresh start would be accepted too.
      assertDoesNotThrow(
          () ->
              SinkProgress.refuseUsedGroupOnFreshStart(
                  broker.bootstrapServers(), sinkGroupId, out));

      Instant resumed = Instant.now();
      String v3 = submit(broker, in, out, sinkGroupId, "eos-v3", Duration.ofSeconds(1), savepoint);
      List<String> more = values(FIRST, FIRST + MORE);
      produce(broker, in, more);
      List<String> expected = new ArrayList<>(first);
      expected.addAll(first); // the first transaction, written again from the savepoint's buffer
      expected.addAll(more);
      List<String> seen = committed(broker, out, expected.size());
      Duration toOutput = Duration.between(resumed, Instant.now());
      // One more completed checkpoint: anything it committed beyond the expected shows as extra.
      Instant since = Instant.now();
      JobProbes.await(
          "a checkpoint of " + v3 + " after the output",
          WAIT,
          () -> jobs.firstCheckpointCompletedSince(v3, since).orElse(null));
      seen = committed(broker, out, expected.size());
      String exceptions = jobs.exceptions(v3);
      jobs.cancel(v3);
      assertThat(seen, containsInAnyOrder(expected.toArray()));
      assertThat(exceptions, not(containsString(UNRESTORABLE)));
      System.out.printf(
          "EOS-SINK: stop with savepoint %.1f s, committing the sink's first transaction (%d"
              + " records); restore from it: '%s' recorded %.1f s after the submission (%d"
              + " failures by then); reset-sink: %s; resumed from the same savepoint: all %d records"
              + " visible %.1f s after the submission, the %d of the first transaction twice%n",
          stopping.toMillis() / 1000.0,
          FIRST,
          UNRESTORABLE,
          toFailure.toMillis() / 1000.0,
          failures,
          printed.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(""),
          seen.size(),
          toOutput.toMillis() / 1000.0,
          FIRST);
    } finally {
      cluster.cancelJobs(name -> name.startsWith("eos-v"));
    }
  }

  /**
   * Defect 2: a writer that fails between the start and the commit of its transaction with anything
   * but a Kafka error goes back into KafkaIO's per-JVM cache still in that transaction, and every
   * restart on that TaskManager fails on it. Here a publish-timestamp function throws once, on the
   * record {@code poison} (in the reliability run it was a cancellation while committing); the
   * recovery is a fresh TaskManager JVM.
   */
  @Test
  void aWriterLeftInATransactionFailsEveryRestartUntilItsTaskManagerIsReplaced(KafkaBroker broker)
      throws IOException {
    String in = "eos-in-" + System.nanoTime();
    String out = "eos-out-" + System.nanoTime();
    broker.createTopic(in, 1);
    broker.createTopic(out, 1);
    Path marker = dir.resolve("poison-" + System.nanoTime());
    List<String> before = values(0, 5);
    produce(broker, in, before);
    // Its own cluster: the recovery replaces the only TaskManager, where the job must restart.
    try (FlinkCluster own = FlinkCluster.start(dir.resolve("flink-poison"), 1);
        JobProbes ownJobs = new JobProbes(own.flinkMaster())) {
      String job =
          submitPoisonable(
              own, ownJobs, broker, in, out, "eos-poison-" + System.nanoTime(), marker);
      // Established: the sink's first transaction is behind it, so defect 1 is out of the way.
      assertThat(committed(broker, out, before.size()), containsInAnyOrder(before.toArray()));
      JobProbes.await(
          "a checkpoint of " + job + " after its first output",
          WAIT,
          () ->
              ownJobs
                  .firstCheckpointCompletedSince(job, Instant.now().minusSeconds(1))
                  .orElse(null));

      Files.createFile(marker);
      Instant poisoned = Instant.now();
      produce(broker, in, List.of(PoisonOnce.POISON));
      // The poison fails once; every restart after it fails on the cached writer.
      List<Instant> failures =
          JobProbes.await(
              "three failures of " + job,
              WAIT,
              () -> {
                List<Instant> since = ownJobs.failuresSince(job, poisoned);
                return since.size() >= 3 ? since : null;
              });
      String exceptions = ownJobs.exceptions(job);
      assertThat(Files.exists(marker), is(false));
      assertThat(exceptions, containsString(PoisonOnce.MESSAGE));
      assertThat(exceptions, containsString(IN_TRANSACTION));
      assertThat(
          "nothing committed while it fails",
          committed(broker, out, before.size()),
          containsInAnyOrder(before.toArray()));

      // The recovery: a fresh TaskManager JVM, whose cache is empty.
      Instant replaced = Instant.now();
      own.killTaskManager(own.taskManagers().get(0).number());
      own.startTaskManager();
      List<String> after = values(100, 105);
      produce(broker, in, after);
      List<String> expected = new ArrayList<>(before);
      expected.add(PoisonOnce.POISON);
      expected.addAll(after);
      List<String> seen = committed(broker, out, expected.size());
      Duration toOutput = Duration.between(replaced, Instant.now());
      Instant since = Instant.now();
      JobProbes.await(
          "a checkpoint of " + job + " after the output",
          WAIT,
          () -> ownJobs.firstCheckpointCompletedSince(job, since).orElse(null));
      seen = committed(broker, out, expected.size());
      ownJobs.cancel(job);
      assertThat(seen, containsInAnyOrder(expected.toArray()));
      System.out.printf(
          "EOS-SINK: poisoned writer: %d failures in %.1f s after the poison (the first the"
              + " poison, then '%s'); TaskManager replaced: all %d records visible %.1f s later,"
              + " each once%n",
          failures.size(),
          Duration.between(poisoned, failures.get(failures.size() - 1)).toMillis() / 1000.0,
          IN_TRANSACTION,
          seen.size(),
          toOutput.toMillis() / 1000.0);
    }
  }

  /**
   * Publishes every record with its element timestamp, but throws on the record {@value #POISON}
   * while the marker file exists, deleting it: once, whichever JVM runs it.
   */
  static final class PoisonOnce implements KafkaPublishTimestampFunction<KV<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;
    static final String POISON = "poison";
    static final String MESSAGE = "poison record, failing once";
    private final String marker;

    PoisonOnce(Path marker) {
      this.marker = marker.toString();
    }

    @Override
    public org.joda.time.Instant getTimestamp(
        KV<byte[], byte[]> element, org.joda.time.Instant elementTimestamp) {
      if (POISON.equals(new String(element.getValue(), StandardCharsets.UTF_8))) {
        try {
          if (Files.deleteIfExists(Path.of(marker))) {
            throw new IllegalStateException(MESSAGE);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return elementTimestamp;
    }
  }

  // ---- the job -------------------------------------------------------------------------------

  /**
   * OrderRevenue writing its results exactly once to {@code out}, started afresh on the cluster.
   */
  private static OrderRevenue.Options orderRevenueOptions(
      KafkaBroker broker, String in, String out, String sinkGroupId) {
    return PipelineOptionsFactory.fromArgs(
            "--runner=FlinkRunner",
            "--flinkMaster=" + cluster.flinkMaster(),
            "--checkpointingInterval=1000",
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--inputTopics=" + in,
            "--productChanges=kafka:" + in,
            "--customerChanges=kafka:" + in,
            "--kafkaDelivery=EXACTLY_ONCE",
            "--sinkGroupId=" + sinkGroupId,
            "--output=kafka:" + out,
            "--attachedMode=false",
            "--jobName=eos-refused")
        .as(OrderRevenue.Options.class);
  }

  /** Submits the copying job (detached) and returns its id once every task runs. */
  private static String submit(
      KafkaBroker broker,
      String in,
      String out,
      String sinkGroupId,
      String name,
      Duration checkpointing,
      @Nullable String savepoint) {
    FlinkPipelineOptions options = options(cluster, name, checkpointing, savepoint);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadInput", read(broker, in))
        .apply(
            "WriteOutput",
            Kafka.write(broker.bootstrapServers(), out)
                .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .withSinkGroupId(sinkGroupId + "-" + out));
    return run(jobs, pipeline, options);
  }

  /** A detached streaming job of parallelism 1 on the cluster, staging the bundled jar. */
  private static FlinkPipelineOptions options(
      FlinkCluster cluster, String name, Duration checkpointing, @Nullable String savepoint) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster(cluster.flinkMaster());
    options.setParallelism(1);
    options.setStreaming(true);
    options.setCheckpointingInterval(checkpointing.toMillis());
    if (checkpointing.compareTo(Duration.ofMinutes(1)) >= 0) {
      // Flink starts the first checkpoint after a random delay between the minimum pause and the
      // interval: with no pause, a job meant to reach no checkpoint sometimes took one early.
      options.setMinPauseBetweenCheckpoints(checkpointing.toMillis());
    }
    options.setAttachedMode(false);
    options.setFilesToStage(List.of(jar.toString()));
    options.setJobName(name + "-" + System.nanoTime());
    if (savepoint != null) {
      options.setSavepointPath(savepoint);
    }
    return options;
  }

  /** Reads {@code topic} from its start as key/value bytes. */
  private static PTransform<PBegin, PCollection<KV<byte[], byte[]>>> read(
      KafkaBroker broker, String topic) {
    return KafkaIO.readBytes()
        .withBootstrapServers(broker.bootstrapServers())
        .withTopic(topic)
        .withConsumerConfigUpdates(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))
        .withoutMetadata();
  }

  /** Submits {@code pipeline} and returns its job id once the cluster knows it. */
  private static String run(JobProbes jobs, Pipeline pipeline, FlinkPipelineOptions options) {
    pipeline.run();
    String jobName = options.getJobName();
    return JobProbes.await(
        "job " + jobName + " running", WAIT, () -> jobs.jobNamed(jobName).orElse(null));
  }

  /**
   * Submits a job that copies {@code in} to {@code out} with KafkaIO's exactly-once sink directly
   * (Kappa's {@code Kafka.write} sets no publish-timestamp function), checkpointing every second,
   * staging {@link PoisonOnce} next to the bundled jar; returns its id.
   */
  private static String submitPoisonable(
      FlinkCluster cluster,
      JobProbes jobs,
      KafkaBroker broker,
      String in,
      String out,
      String sinkGroup,
      Path marker)
      throws IOException {
    String poisonClass = PoisonOnce.class.getName().replace('.', '/') + ".class";
    Path classes = dir.resolve("poison-classes-" + System.nanoTime());
    Path target = classes.resolve(poisonClass);
    Files.createDirectories(target.getParent());
    try (InputStream bytes = PoisonOnce.class.getClassLoader().getResourceAsStream(poisonClass)) {
      Files.copy(bytes, target);
    }
    FlinkPipelineOptions options = options(cluster, "eos-poison", Duration.ofSeconds(1), null);
    options.setFilesToStage(List.of(jar.toString(), classes.toString()));
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadInput", read(broker, in))
        .apply(
            "WriteOutput",
            KafkaIO.<byte[], byte[]>write()
                .withBootstrapServers(broker.bootstrapServers())
                .withTopic(out)
                .withKeySerializer(ByteArraySerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                .withPublishTimestampFunction(new PoisonOnce(marker))
                .withEOS(1, sinkGroup));
    return run(jobs, pipeline, options);
  }

  /** Records the job's last vertex (the sink's writer) has received, by Flink's task metrics. */
  private static long writerRecordsIn(String jobId) {
    JsonNode vertices = get("/jobs/" + jobId).path("vertices");
    if (vertices.size() == 0) {
      return 0;
    }
    return vertices.get(vertices.size() - 1).path("metrics").path("read-records").asLong();
  }

  private static JsonNode get(String path) {
    URI uri = cluster.restUrl().resolve(path);
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- Kafka ---------------------------------------------------------------------------------

  private static List<String> values(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> String.format("r%03d", i)).toList();
  }

  private static void produce(KafkaBroker broker, String topic, List<String> values) {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value, value));
      }
      producer.flush();
    }
  }

  /**
   * What a {@code read_committed} consumer sees in {@code topic}, read to its end: polled until
   * there are at least {@code atLeast} records (or for {@link #WAIT}), then to the end offset.
   */
  private static List<String> committed(KafkaBroker broker, String topic, int atLeast) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      Instant deadline = Instant.now().plus(WAIT);
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
          values.add(record.value());
        }
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        if (values.size() >= atLeast && consumer.position(partition) >= end) {
          return values;
        }
      }
    }
    return values;
  }
}
