package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.tools.ProduceChanges;
import dev.kappa.pipelines.tools.ProduceOrders;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.testing.kafka.SecuredKafkaBroker;
import dev.kappa.testing.kafka.SecuredKafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OrderRevenue against a Kafka that authenticates (SASL_SSL, SCRAM-SHA-512, a CA of its own) and
 * authorizes (ACLs): with the job user's {@code --kafkaClientProperties} it streams and backfills
 * the test data to the expected results, writing them to a Kafka topic; with a wrong password, or
 * as a user without the ACL to write its output topic, the launch fails at once naming the option
 * and the cause, and nothing is written. No secret of the properties file appears in what the runs
 * log.
 */
@ExtendWith(SecuredKafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredKafkaIT {
  private static final String FROM = "2026-03-01T00:00:00Z";
  private static final String TO = "2026-03-02T00:00:00Z";
  private static final String GROUP_PREFIX = "kappa-";

  private final String orders = "orders-" + UUID.randomUUID();
  private final String products = "products-" + UUID.randomUUID();
  private final String customers = "customers-" + UUID.randomUUID();

  @BeforeAll
  void load(SecuredKafkaBroker broker) throws Exception {
    Map<String, Object> admin = new HashMap<>(broker.clientSettings(SecuredKafkaBroker.ADMIN));
    String servers = broker.bootstrapServers();
    broker.createTopic(orders, 3);
    broker.createTopic(products, 1);
    broker.createTopic(customers, 1);
    ProduceChanges.produce(
        testData("enrichment/products.changelog.jsonl"), servers, admin, products, "product_id");
    ProduceChanges.produce(
        testData("enrichment/customers.changelog.jsonl"), servers, admin, customers, "customer_id");
    ProduceOrders.produce(
        testData("orders/orders.jsonl"),
        servers,
        admin,
        orders,
        Double.POSITIVE_INFINITY,
        dev.kappa.transforms.windowing.EventTimeBounds.create());
    for (String user : List.of(SecuredKafkaBroker.JOB_USER)) {
      broker.allowRead(user, orders, GROUP_PREFIX);
      broker.allowRead(user, products, null);
      broker.allowRead(user, customers, null);
    }
  }

  /** A fresh output topic that {@code user} may write (or not). */
  private static String output(SecuredKafkaBroker broker, String user, boolean writable) {
    String topic = "revenue-" + UUID.randomUUID();
    broker.createTopic(topic, 1);
    if (writable) {
      broker.allowWrite(user, topic);
    }
    return topic;
  }

  @Test
  @Timeout(300)
  void theJobStreamsAndBackfillsWithItsUsersSettings(SecuredKafkaBroker broker, @TempDir Path dir)
      throws Exception {
    Path properties =
        broker.writeClientProperties(dir.resolve("client.properties"), SecuredKafkaBroker.JOB_USER);
    String streamTopic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    String backfillTopic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    String secret = broker.password(SecuredKafkaBroker.JOB_USER);

    String logs =
        captured(
            () -> {
              run(
                  dir.resolve("stream"),
                  streamTopic,
                  broker,
                  "--kafkaClientProperties=" + properties,
                  "--stopAtEnd");
              run(
                  dir.resolve("backfill"),
                  backfillTopic,
                  broker,
                  "--kafkaClientProperties=" + properties,
                  "--from=" + FROM,
                  "--to=" + TO);
            });

    var expected = RevenueFiles.expectedRevenue("enrichment/expected-category-revenue.jsonl");
    assertThat(RevenueFiles.finalResults(results(broker, backfillTopic)), equalTo(expected));
    // The stream: what it counted plus what it diverted as too late is the whole answer.
    var accounted =
        new java.util.TreeMap<>(RevenueFiles.finalResults(results(broker, streamTopic)));
    RevenueFiles.tooLateTotals(
            RevenueFiles.tooLate(OrderRevenueRuns.Outputs.under(dir.resolve("stream")).tooLate()),
            RevenueFiles.expectedCategories("enrichment/expected-enriched-orders.jsonl"))
        .forEach((key, totals) -> accounted.merge(key, totals, RevenueFiles.Totals::plus));
    assertThat(accounted, equalTo(expected));
    assertThat(logs, not(containsString(secret)));
    assertThat(logs, not(containsString(broker.password(SecuredKafkaBroker.ADMIN))));
  }

  @Test
  @Timeout(120)
  void aWrongPasswordFailsTheLaunchNamingTheOption(SecuredKafkaBroker broker, @TempDir Path dir)
      throws Exception {
    Path properties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("client.properties"),
            broker.clientSettings(SecuredKafkaBroker.JOB_USER, "wrong-" + UUID.randomUUID()));
    String topic = output(broker, SecuredKafkaBroker.JOB_USER, true);

    long start = System.nanoTime();
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () ->
                run(
                    dir.resolve("out"),
                    topic,
                    broker,
                    "--kafkaClientProperties=" + properties,
                    "--stopAtEnd"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(e.option(), is("kafkaClientProperties"));
    assertThat(e.getMessage(), containsString("SaslAuthenticationException"));
    assertThat(took, lessThan(Duration.ofSeconds(30)));
    assertNothingWritten(broker, topic, dir.resolve("out"));
  }

  @Test
  @Timeout(120)
  void aUserWithoutTheWriteAclFailsTheLaunchNamingTheOutput(
      SecuredKafkaBroker broker, @TempDir Path dir) throws Exception {
    String user = "reader-" + UUID.randomUUID();
    String password = UUID.randomUUID().toString();
    broker.createUser(user, password);
    broker.allowRead(user, orders, GROUP_PREFIX);
    broker.allowRead(user, products, null);
    broker.allowRead(user, customers, null);
    String topic = output(broker, user, false);
    Path properties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("client.properties"), broker.clientSettings(user, password));

    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () ->
                run(
                    dir.resolve("out"),
                    topic,
                    broker,
                    "--kafkaClientProperties=" + properties,
                    "--stopAtEnd"));

    assertThat(e.option(), is("output"));
    assertThat(e.getMessage(), containsString("may not WRITE topic " + topic));
    assertThat(e.getMessage(), not(containsString(password)));
    assertNothingWritten(broker, topic, dir.resolve("out"));
  }

  private void run(Path dir, String outputTopic, SecuredKafkaBroker broker, String... args) {
    OrderRevenueRuns.Outputs outputs = OrderRevenueRuns.Outputs.under(dir);
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--inputTopics=" + orders);
    all.add("--productChanges=kafka:" + products);
    all.add("--customerChanges=kafka:" + customers);
    all.add("--runner=DirectRunner");
    all.add("--source=KAFKA");
    all.add("--bootstrapServers=" + broker.bootstrapServers());
    all.add("--connectTimeout=PT20S");
    all.add("--output=kafka:" + outputTopic);
    all.add("--enrichedOutput=" + outputs.enriched());
    all.add("--tooLateOutput=" + outputs.tooLate());
    all.add("--deadLetterOutput=" + outputs.deadLetters());
    PipelineResult result =
        JobRunner.run(
            new OrderRevenue(),
            PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
                .withValidation()
                .as(OrderRevenue.Options.class));
    assertThat(result.waitUntilFinish(), is(PipelineResult.State.DONE));
  }

  /** The records of {@code topic}, read as the super user. */
  private static List<CategoryRevenue> results(SecuredKafkaBroker broker, String topic) {
    EventCodec<CategoryRevenue> codec = EventCodec.of(CategoryRevenue.class);
    return records(broker, topic).stream().map(r -> codec.decode(r.value())).toList();
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(
      SecuredKafkaBroker broker, String topic) {
    Properties config = new Properties();
    config.putAll(broker.clientSettings(SecuredKafkaBroker.ADMIN));
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      assertThat("records read from " + topic, (long) records.size(), is(end));
    }
    return records;
  }

  private static void assertNothingWritten(SecuredKafkaBroker broker, String topic, Path dir)
      throws Exception {
    assertThat(records(broker, topic).size(), is(0));
    boolean anyFile;
    try (Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
      anyFile = files.anyMatch(Files::isRegularFile);
    }
    assertThat("files written under " + dir, anyFile, is(false));
  }

  private interface Action {
    void run() throws Exception;
  }

  /** What {@code action} printed and logged (slf4j-simple writes to System.err). */
  private static String captured(Action action) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    System.setOut(tee);
    System.setErr(tee);
    try {
      action.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
      // Also when the action fails: its log says why.
      err.print(buffer.toString(StandardCharsets.UTF_8));
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
