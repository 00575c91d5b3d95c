package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.ops.StatusCommand;
import dev.kappa.pipelines.tools.ProduceChanges;
import dev.kappa.pipelines.tools.ProduceOrders;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.testing.flink.FlinkCluster;
import dev.kappa.testing.flink.FlinkClusterExtension;
import dev.kappa.testing.kafka.SecuredKafkaBroker;
import dev.kappa.testing.kafka.SecuredKafkaBrokerExtension;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
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
 * log; and on a Flink cluster, no Kafka or database password appears in the job's configuration,
 * the logs, {@code --help} or {@code kappa status}.
 */
@ExtendWith({
  SecuredKafkaBrokerExtension.class,
  PostgresExtension.class,
  FlinkClusterExtension.class
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredKafkaIT {
  private static final String FROM = "2026-03-01T00:00:00Z";
  private static final String TO = "2026-03-02T00:00:00Z";
  private static final String GROUP_PREFIX = "kappa-";

  /** The environment variable holding a Kafka user's password (the pipelines pom sets it). */
  private static final String PASSWORD_VARIABLE = "KAPPA_IT_KAFKA_PASSWORD";

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
    // The stream's password comes from a file of its own through Kafka's FileConfigProvider; the
    // backfill runs as another user whose password is in an environment variable (set by the
    // build for the test JVM), through the EnvVarConfigProvider. Neither properties file holds a
    // password.
    String secret = broker.password(SecuredKafkaBroker.JOB_USER);
    Path secretFile =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("kafka-secrets.properties"), Map.of("password", secret));
    Path properties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("client.properties"),
            withProvider(
                broker.clientSettings(
                    SecuredKafkaBroker.JOB_USER, "${file:" + secretFile + ":password}"),
                "file",
                "org.apache.kafka.common.config.provider.FileConfigProvider"));
    String envSecret = System.getenv(PASSWORD_VARIABLE);
    assertThat(
        PASSWORD_VARIABLE + " must be set for this test (the pipelines pom sets it for failsafe)",
        envSecret != null && !envSecret.isEmpty());
    String envUser = "env-" + UUID.randomUUID();
    broker.createUser(envUser, envSecret);
    broker.allowRead(envUser, orders, GROUP_PREFIX);
    broker.allowRead(envUser, products, null);
    broker.allowRead(envUser, customers, null);
    Path envProperties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("env-client.properties"),
            withProvider(
                broker.clientSettings(envUser, "${env:" + PASSWORD_VARIABLE + "}"),
                "env",
                "org.apache.kafka.common.config.provider.EnvVarConfigProvider"));
    assertThat(Files.readString(properties), not(containsString(secret)));
    assertThat(Files.readString(envProperties), not(containsString(envSecret)));
    String streamTopic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    String backfillTopic = output(broker, envUser, true);

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
                  "--kafkaClientProperties=" + envProperties,
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
    assertThat(logs, not(containsString(envSecret)));
    assertThat(logs, not(containsString(broker.password(SecuredKafkaBroker.ADMIN))));
  }

  /** {@code settings} with Kafka's config provider {@code name} of class {@code className}. */
  private static Map<String, String> withProvider(
      Map<String, String> settings, String name, String className) {
    Map<String, String> all = new java.util.LinkedHashMap<>(settings);
    all.put("config.providers", name);
    all.put("config.providers." + name + ".class", className);
    return all;
  }

  @Test
  @Timeout(120)
  void aWrongPasswordFailsTheLaunchNamingTheOption(SecuredKafkaBroker broker, @TempDir Path dir)
      throws Exception {
    String wrong = "wrong-" + UUID.randomUUID();
    Path properties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("client.properties"),
            broker.clientSettings(SecuredKafkaBroker.JOB_USER, wrong));
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
    assertThat(e.getMessage(), not(containsString(wrong)));
    assertThat(e.getMessage(), not(containsString(broker.password(SecuredKafkaBroker.JOB_USER))));
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

    assertThat(e.option(), is("output"));
    assertThat(e.getMessage(), containsString("may not WRITE topic " + topic));
    assertThat(e.getMessage(), not(containsString(password)));
    assertThat(took, lessThan(Duration.ofSeconds(30)));
    assertNothingWritten(broker, topic, dir.resolve("out"));
  }

  /**
   * The other mechanisms docs/security.md gives, once each, with its settings: the job streams as
   * the client certificate's user through the listener that requires one (mTLS, the certificate,
   * key and CA inline as PEM), and as the job's user with an OAUTHBEARER token (Kafka's unsecured
   * tokens: no identity provider here); and the job's user writes with SASL/PLAIN.
   */
  @Test
  @Timeout(300)
  void theJobStreamsWithMtlsAndOauthbearerAndPlainWrites(
      SecuredKafkaBroker broker, @TempDir Path dir) throws Exception {
    String certificateUser = SecuredKafkaBroker.CERTIFICATE_USER;
    broker.allowRead(certificateUser, orders, GROUP_PREFIX);
    broker.allowRead(certificateUser, products, null);
    broker.allowRead(certificateUser, customers, null);
    String mtlsTopic = output(broker, certificateUser, true);
    String oauthTopic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    Path mtls =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("mtls.properties"), broker.mtlsClientSettings());
    Path oauth =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("oauth.properties"),
            broker.oauthClientSettings(SecuredKafkaBroker.JOB_USER));
    // The inline form: one line per PEM value, its line breaks written as \n.
    assertThat(
        Files.readAllLines(mtls).stream()
            .filter(line -> line.startsWith("ssl.keystore.key="))
            .findFirst()
            .orElseThrow(),
        containsString("-----BEGIN PRIVATE KEY-----\\n"));

    run(
        dir.resolve("mtls"),
        mtlsTopic,
        broker.mtlsBootstrapServers(),
        "--kafkaClientProperties=" + mtls,
        "--consumerGroup=" + GROUP_PREFIX + "mtls-" + UUID.randomUUID(),
        "--stopAtEnd");
    run(
        dir.resolve("oauth"),
        oauthTopic,
        broker.bootstrapServers(),
        "--kafkaClientProperties=" + oauth,
        "--consumerGroup=" + GROUP_PREFIX + "oauth-" + UUID.randomUUID(),
        "--stopAtEnd");
    String plainTopic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    Map<String, Object> plain =
        new HashMap<>(broker.plainClientSettings(SecuredKafkaBroker.JOB_USER));
    int written =
        ProduceChanges.produce(
            testData("enrichment/products.changelog.jsonl"),
            broker.bootstrapServers(),
            plain,
            plainTopic,
            "product_id");

    assertAccounted(broker, mtlsTopic, dir.resolve("mtls"));
    assertAccounted(broker, oauthTopic, dir.resolve("oauth"));
    assertThat(records(broker, plainTopic).size(), is(written));
    assertThat(written, greaterThan(0));
  }

  /**
   * The stream's results in {@code topic} plus its too-late orders under {@code dir} are the
   * answer.
   */
  private static void assertAccounted(SecuredKafkaBroker broker, String topic, Path dir)
      throws Exception {
    var expected = RevenueFiles.expectedRevenue("enrichment/expected-category-revenue.jsonl");
    var accounted = new java.util.TreeMap<>(RevenueFiles.finalResults(results(broker, topic)));
    RevenueFiles.tooLateTotals(
            RevenueFiles.tooLate(OrderRevenueRuns.Outputs.under(dir).tooLate()),
            RevenueFiles.expectedCategories("enrichment/expected-enriched-orders.jsonl"))
        .forEach((key, totals) -> accounted.merge(key, totals, RevenueFiles.Totals::plus));
    assertThat(accounted, equalTo(expected));
  }

  /**
   * A versioned launch ({@code --outputVersion=v2}) records its run in the database and creates its
   * versioned topic before the launch checks: Kafka is asked first, so a wrong password, or a user
   * who may write the output but not create its versioned topic, fails naming the option with
   * nothing written to the database, Kafka or files.
   */
  @Test
  @Timeout(120)
  void aVersionedLaunchKafkaRefusesWritesNothing(
      SecuredKafkaBroker broker, PostgresServer postgres, @TempDir Path dir) throws Exception {
    String topic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    String schema = postgres.createSchema("versioned");
    Path properties =
        broker.writeClientProperties(dir.resolve("client.properties"), SecuredKafkaBroker.JOB_USER);
    String wrong = "wrong-" + UUID.randomUUID();
    Path wrongProperties =
        SecuredKafkaBroker.writeProperties(
            dir.resolve("wrong.properties"),
            broker.clientSettings(SecuredKafkaBroker.JOB_USER, wrong));
    String[] versioned = {
      "--stopAtEnd",
      "--outputVersion=v2",
      "--jdbcUrl=" + postgres.jdbcUrl(schema),
      "--jdbcUser=" + postgres.user(),
      "--jdbcPassword=" + postgres.password()
    };

    long start = System.nanoTime();
    InvalidOptionException wrongPassword =
        assertThrows(
            InvalidOptionException.class,
            () -> run(dir.resolve("out"), topic, broker, with(versioned, wrongProperties)));
    InvalidOptionException noCreate =
        assertThrows(
            InvalidOptionException.class,
            () -> run(dir.resolve("out"), topic, broker, with(versioned, properties)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(wrongPassword.option(), is("kafkaClientProperties"));
    assertThat(wrongPassword.getMessage(), containsString("SaslAuthenticationException"));
    assertThat(wrongPassword.getMessage(), not(containsString(wrong)));
    assertThat(noCreate.option(), is("output"));
    assertThat(
        noCreate.getMessage(),
        containsString("may not CREATE topic " + topic + "_v2 at " + broker.bootstrapServers()));
    assertThat(took, lessThan(Duration.ofSeconds(60)));
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet tables =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + schema
                    + "'")) {
      tables.next();
      assertThat("tables in " + schema, tables.getInt(1), is(0));
    }
    try (var admin = broker.admin()) {
      assertThat(
          admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic + "_v2"), is(false));
    }
    assertNothingWritten(broker, topic, dir.resolve("out"));
  }

  private static String[] with(String[] options, Path properties) {
    String[] all = Arrays.copyOf(options, options.length + 1);
    all[options.length] = "--kafkaClientProperties=" + properties;
    return all;
  }

  /**
   * The secret scan, on the JVM's shared Flink cluster (JobManager and TaskManager in JVMs of their
   * own), the job submitted as a user submits it ({@code kappa run} from the bundled jar): it
   * streams through the secured broker with the SASL password in {@code --kafkaClientProperties}
   * and upserts its results into PostgreSQL as a user whose password is in {@code
   * --jdbcPasswordFile}. Neither password, nor the broker's admin password, appears in the Flink
   * job's configuration ({@code GET /jobs/<id>/config}, the whole response), the launcher's output,
   * the cluster's logs, {@code kappa run order-revenue --help} or {@code kappa status} of the job.
   */
  @Test
  @Timeout(420)
  void noSecretInTheFlinkJobsConfigurationLogsHelpOrStatus(
      SecuredKafkaBroker broker, PostgresServer postgres, FlinkCluster cluster, @TempDir Path dir)
      throws Exception {
    Path properties =
        broker.writeClientProperties(dir.resolve("client.properties"), SecuredKafkaBroker.JOB_USER);
    String topic = output(broker, SecuredKafkaBroker.JOB_USER, true);
    String dbUser = "scan_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String dbPassword = "db-" + UUID.randomUUID();
    postgres.createUser(dbUser, dbPassword);
    String schema = postgres.createSchema("secured");
    postgres.execute(
        "SET search_path TO "
            + schema
            + ";\n"
            + Files.readString(Path.of("../scripts/sql/schema.sql"), StandardCharsets.UTF_8)
            + ";\nGRANT USAGE ON SCHEMA "
            + schema
            + " TO "
            + dbUser
            + ";\nGRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "
            + schema
            + " TO "
            + dbUser);
    Path passwordFile = Files.writeString(dir.resolve("db-password"), dbPassword + "\n");
    List<String> secrets =
        List.of(
            broker.password(SecuredKafkaBroker.JOB_USER),
            broker.password(SecuredKafkaBroker.ADMIN),
            dbPassword);
    OrderRevenueRuns.Outputs outputs = OrderRevenueRuns.Outputs.under(dir.resolve("out"));

    String jobName = "secret-scan-" + System.nanoTime();
    try {
      Kappa run =
          kappa(
              dir,
              "run",
              "order-revenue",
              "@runners-config/flink-cluster.args",
              "--flinkMaster=" + cluster.flinkMaster(),
              "--jobName=" + jobName,
              "--source=KAFKA",
              "--bootstrapServers=" + broker.bootstrapServers(),
              "--kafkaClientProperties=" + properties,
              "--inputTopics=" + orders,
              "--productChanges=kafka:" + products,
              "--customerChanges=kafka:" + customers,
              "--stopAtEnd",
              "--output=kafka:" + topic,
              "--tooLateOutput=" + outputs.tooLate(),
              "--deadLetterOutput=" + outputs.deadLetters(),
              "--jdbcUrl=" + postgres.jdbcUrl(schema),
              "--jdbcUser=" + dbUser,
              "--jdbcPasswordFile=" + passwordFile,
              "--resultsTable=category_revenue");
      assertThat(run.output(), run.exit(), is(0));
      // The shared cluster runs other tests' jobs too: this one is found by its name.
      String jobId =
          cluster.jobs().stream()
              .filter(job -> job.getJobName().equals(jobName))
              .findFirst()
              .orElseThrow()
              .getJobId()
              .toString();

      // The job ran, connected to both with the secrets it was given: results in Kafka and rows
      // upserted in the table, one per result key.
      int keys = RevenueFiles.finalResults(results(broker, topic)).size();
      assertThat(keys, greaterThan(0));
      try (Connection connection = postgres.connect();
          Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery("SELECT count(*) FROM " + schema + ".category_revenue")) {
        rows.next();
        assertThat(rows.getInt(1), is(keys));
      }

      String config =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(cluster.restUrl().resolve("/jobs/" + jobId + "/config"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(config, containsString(properties.toString()));
      assertThat(config, containsString(passwordFile.toString()));
      Kappa help = kappa(dir, "run", "order-revenue", "--help=all");
      assertThat(help.output(), containsString("--jdbcPasswordFile"));
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      PrintStream statusOut = new PrintStream(status, true, StandardCharsets.UTF_8);
      assertThat(
          StatusCommand.run(
              new String[] {
                jobId,
                "--flinkMaster=" + cluster.flinkMaster(),
                "--kafkaClientProperties=" + properties
              },
              statusOut,
              statusOut),
          is(0));
      assertThat(status.toString(StandardCharsets.UTF_8), containsString("sasl.jaas.config=****"));

      Map<String, String> scanned = new java.util.LinkedHashMap<>();
      scanned.put("GET /jobs/" + jobId + "/config", config);
      scanned.put("the launcher's output", run.output());
      scanned.put("kappa run order-revenue --help=all", help.output());
      scanned.put("kappa status", status.toString(StandardCharsets.UTF_8));
      // The shared cluster's logs hold other tests' jobs too: no secret may be in any of them.
      try (Stream<Path> logs = Files.walk(cluster.logDir())) {
        for (Path log : logs.filter(Files::isRegularFile).toList()) {
          scanned.put(log.toString(), Files.readString(log, StandardCharsets.ISO_8859_1));
        }
      }
      assertThat(scanned.size(), greaterThan(5));
      scanned.forEach(
          (where, text) -> {
            for (String secret : secrets) {
              assertThat(where + " holds a secret", text, not(containsString(secret)));
            }
          });
    } finally {
      // The job finishes by itself (--stopAtEnd) before the launcher exits; not after a failure.
      cluster.cancelJobs(jobName::equals);
    }
  }

  /** What {@code kappa <args>} printed, and its exit code. */
  private record Kappa(int exit, String output) {}

  /**
   * Runs {@code kappa <args>} as {@code scripts/kappa} does once the jar is built: the bundled jar
   * in a JVM of its own, in the repository root (where {@code @runners-config/...} resolves).
   */
  private static Kappa kappa(Path dir, String... args) throws Exception {
    Path root = Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"));
    root = root.toAbsolutePath().normalize().getParent();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@runners-config/jvm/java17-opens.args");
    command.add("-jar");
    command.add(Path.of(System.getProperty("kappa.bundledJar")).toAbsolutePath().toString());
    command.addAll(Arrays.asList(args));
    Path log = Files.createTempFile(dir, "kappa-", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("kappa " + Arrays.toString(args) + " did not end within 5 min");
    }
    return new Kappa(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private void run(Path dir, String outputTopic, SecuredKafkaBroker broker, String... args) {
    run(dir, outputTopic, broker.bootstrapServers(), args);
  }

  private void run(Path dir, String outputTopic, String bootstrapServers, String... args) {
    OrderRevenueRuns.Outputs outputs = OrderRevenueRuns.Outputs.under(dir);
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--inputTopics=" + orders);
    all.add("--productChanges=kafka:" + products);
    all.add("--customerChanges=kafka:" + customers);
    all.add("--runner=DirectRunner");
    all.add("--source=KAFKA");
    all.add("--bootstrapServers=" + bootstrapServers);
    all.add("--connectTimeout=PT20S");
    all.add("--output=kafka:" + outputTopic);
    all.add("--enrichedOutput=" + outputs.enriched());
    all.add("--tooLateOutput=" + outputs.tooLate());
    all.add("--deadLetterOutput=" + outputs.deadLetters());
    // As the launcher parses them: with --outputVersion, which every job takes.
    PipelineResult result = JobRunner.run(new OrderRevenue(), all.toArray(new String[0]));
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
