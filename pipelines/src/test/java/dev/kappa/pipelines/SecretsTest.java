package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.io.kafka.DeliveryGuarantee;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobSettings;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading {@code --kafkaClientProperties} and {@code --jdbcPasswordFile}: what is accepted, what
 * fails at launch naming the option, and that no secret of the file reaches the job's options (the
 * Flink job configuration), a settings record's text, or {@code --help}.
 */
class SecretsTest {

  private static final String SECRET = "s3cr3t-Pa55";
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kappa\""
          + " password=\""
          + SECRET
          + "\";";

  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  private Path clientProperties() throws IOException {
    return file(
        "client.properties",
        "security.protocol=SASL_SSL\n"
            + "sasl.mechanism=SCRAM-SHA-512\n"
            + "sasl.jaas.config="
            + JAAS.replace("\"", "\\\"").replace("\\\"", "\"")
            + "\n"
            + "ssl.truststore.password = "
            + SECRET
            + "\n");
  }

  @Test
  void theFileIsReadIntoTypedSettings() throws IOException {
    Map<String, Object> settings = Secrets.kafkaClientConfig(clientProperties().toString());
    assertThat(settings.get("security.protocol"), is("SASL_SSL"));
    assertThat(settings.get("sasl.jaas.config"), is(JAAS));
    assertThat(settings.get("ssl.truststore.password"), is(SECRET));
  }

  /**
   * Kafka's config providers ({@code ${env:NAME}}, {@code ${file:path:key}}) pass through as
   * written, so the secret is not in the settings the job carries; the Kafka clients resolve them
   * where they are created.
   */
  @Test
  void configProvidersPassThroughUnresolvedAndTheKafkaClientsResolveThem() throws IOException {
    Path secretFile = file("kafka-secrets.properties", "password=" + SECRET + "\n");
    String variable = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
    Path properties =
        file(
            "providers.properties",
            "config.providers=env,file\n"
                + "config.providers.env.class="
                + "org.apache.kafka.common.config.provider.EnvVarConfigProvider\n"
                + "config.providers.file.class="
                + "org.apache.kafka.common.config.provider.FileConfigProvider\n"
                + "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"kappa\" password=\"${file:"
                + secretFile
                + ":password}\";\n"
                + "ssl.truststore.password=${env:"
                + variable
                + "}\n");

    Map<String, Object> settings = Secrets.kafkaClientConfig(properties.toString());

    assertThat(
        settings.get("config.providers.env.class"),
        is("org.apache.kafka.common.config.provider.EnvVarConfigProvider"));
    assertThat(settings.get("ssl.truststore.password"), is("${env:" + variable + "}"));
    assertThat(settings.toString(), not(containsString(SECRET)));
    Map<String, Object> client = new java.util.HashMap<>(settings);
    client.put("bootstrap.servers", "127.0.0.1:1");
    AdminClientConfig resolved = new AdminClientConfig(client);
    assertThat(
        resolved.getPassword("sasl.jaas.config").value(),
        containsString("password=\"" + SECRET + "\""));
    assertThat(
        resolved.getPassword("ssl.truststore.password").value(), is(System.getenv(variable)));
  }

  @Test
  void noFileMeansNoSettings() {
    assertThat(Secrets.kafkaClientConfig((String) null), anEmptyMap());
    assertThat(Secrets.kafkaClientConfig(" "), anEmptyMap());
  }

  @Test
  void aMissingFileFailsNamingTheOption() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> Secrets.kafkaClientConfig(dir.resolve("absent.properties").toString()));
    assertThat(e.option(), is("kafkaClientProperties"));
    assertThat(e.getMessage(), containsString("absent.properties is not a file"));
  }

  @Test
  void aSettingKappaControlsIsRefusedWithWhatToUseInstead() throws IOException {
    Path groupFile = file("group.properties", "group.id=other\nsasl.mechanism=PLAIN\n");
    InvalidOptionException group =
        assertThrows(
            InvalidOptionException.class, () -> Secrets.kafkaClientConfig(groupFile.toString()));
    assertThat(group.option(), is("kafkaClientProperties"));
    assertThat(group.getMessage(), containsString("must not set group.id: use --consumerGroup"));

    Path serializerFile =
        file("serializer.properties", "value.serializer=org.example.JsonSerializer\n");
    InvalidOptionException serializer =
        assertThrows(
            InvalidOptionException.class,
            () -> Secrets.kafkaClientConfig(serializerFile.toString()));
    assertThat(serializer.option(), is("kafkaClientProperties"));
    assertThat(
        serializer.getMessage(),
        containsString("must not set value.serializer: values are always written as bytes"));
  }

  @Test
  void aMalformedFileFailsWithoutQuotingIt() throws IOException {
    Path bad = file("bad.properties", "sasl.jaas.config=" + SECRET + "\\u12G4\n");
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> Secrets.kafkaClientConfig(bad.toString()));
    assertThat(e.option(), is("kafkaClientProperties"));
    assertThat(e.getMessage(), not(containsString(SECRET)));
  }

  @Test
  void secretsAreMaskedByTheirName() {
    String shown =
        Secrets.masked(
            Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", JAAS,
                "ssl.keystore.password", SECRET,
                "sasl.oauthbearer.token.endpoint.url", "https://idp/token",
                "client.secret", SECRET));
    assertThat(
        shown,
        allOf(
            containsString("security.protocol=SASL_SSL"),
            containsString("sasl.jaas.config=****"),
            containsString("ssl.keystore.password=****"),
            containsString("sasl.oauthbearer.token.endpoint.url=****"),
            containsString("client.secret=****"),
            not(containsString(SECRET))));
  }

  @Test
  void aPasswordFileLosesOnlyItsFinalLineBreak() throws IOException {
    assertThat(
        Secrets.passwordFile("jdbcPasswordFile", file("pw", " p w \n").toString()), is(" p w "));
    assertThat(Secrets.passwordFile("jdbcPasswordFile", file("pw2", "pw").toString()), is("pw"));
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> Secrets.passwordFile("jdbcPasswordFile", dir.resolve("none").toString()));
    assertThat(e.option(), is("jdbcPasswordFile"));
  }

  /** A job's settings carry the file's values; its options, what Flink shows, only the path. */
  @Test
  void theJobGetsTheSettingsAndItsOptionsOnlyThePath() throws IOException {
    Path properties = clientProperties();
    Path password = file("db-password", SECRET + "\n");
    OrderRevenue job = new OrderRevenue();
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--bootstrapServers=localhost:1",
                "--kafkaClientProperties=" + properties,
                "--productEnrichment=LOOKUP",
                "--customerEnrichment=LOOKUP",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa",
                "--jdbcPasswordFile=" + password,
                "--output=kafka:results")
            .as(OrderRevenue.Options.class);
    JobSettings settings = JobSettings.parse(job, options);

    assertThat(settings.kafkaClientConfig().get("sasl.jaas.config"), is(JAAS));
    JobSettings.KafkaWrite write = settings.kafkaWrite();
    assertThat(write.delivery(), is(DeliveryGuarantee.AT_LEAST_ONCE));
    assertThat(write.clientConfig(), equalTo(settings.kafkaClientConfig()));
    assertThat(write.toString(), not(containsString(SECRET)));
    // The same database as with the password given inline (AutoValue equality holds it).
    assertThat(settings.database(), equalTo(databaseWithPassword(SECRET)));
    assertThat(settings.database(), not(equalTo(databaseWithPassword("other"))));

    // What Beam serialises into the Flink job's configuration (SerializablePipelineOptions).
    String serialized = new ObjectMapper().writeValueAsString(options);
    assertThat(serialized, containsString(properties.toString()));
    assertThat(serialized, not(containsString(SECRET)));
  }

  /**
   * A password given inline still reaches the job's database settings, but not the options Beam
   * serialises with the job: the workers connect with the settings built at launch.
   */
  @Test
  void anInlinePasswordStaysOutOfTheSerialisedOptions() throws IOException {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--input=orders.jsonl",
                "--productEnrichment=LOOKUP",
                "--customerEnrichment=LOOKUP",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa",
                "--jdbcPassword=" + SECRET)
            .as(OrderRevenue.Options.class);
    assertThat(options.getJdbcPassword(), is(SECRET));

    String serialized = new ObjectMapper().writeValueAsString(options);
    assertThat(serialized, containsString("jdbc:postgresql://localhost:1/kappa"));
    assertThat(serialized, not(containsString(SECRET)));
    // What a worker sees after Beam ships the options (SerializablePipelineOptions does this).
    OrderRevenue.Options shipped =
        new ObjectMapper()
            .readValue(serialized, PipelineOptions.class)
            .as(OrderRevenue.Options.class);
    assertThat(shipped.getJdbcPassword(), is(nullValue()));
    assertThat(
        JobSettings.parse(new OrderRevenue(), options).database(),
        equalTo(databaseWithPassword(SECRET)));
  }

  private static dev.kappa.io.jdbc.JdbcConfig databaseWithPassword(String password) {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--input=orders.jsonl",
                "--productEnrichment=LOOKUP",
                "--customerEnrichment=LOOKUP",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa",
                "--jdbcPassword=" + password)
            .as(OrderRevenue.Options.class);
    return JobSettings.parse(new OrderRevenue(), options).database();
  }

  @Test
  void aPasswordGivenTwiceFailsNamingTheFileOption() throws IOException {
    Path password = file("db-password", SECRET);
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--input=orders.jsonl",
                "--productEnrichment=LOOKUP",
                "--customerEnrichment=LOOKUP",
                "--jdbcUrl=jdbc:postgresql://localhost:1/kappa",
                "--jdbcPassword=other",
                "--jdbcPasswordFile=" + password)
            .as(OrderRevenue.Options.class);
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class, () -> JobSettings.parse(new OrderRevenue(), options));
    assertThat(e.option(), is("jdbcPasswordFile"));
  }

  @Test
  void helpShowsTheOptionsButNoSecret() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Launcher.launch(
        new String[] {"run", "order-revenue", "--help=all"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(help, containsString("--kafkaClientProperties"));
    assertThat(help, containsString("--jdbcPasswordFile"));
  }

  @Test
  void aJdbcUrlIsShownWithoutItsPassword() {
    assertThat(
        Secrets.withoutPassword(
            "jdbc:postgresql://db:5432/kappa?user=kappa&Password=" + SECRET + "&sslmode=require"),
        is("jdbc:postgresql://db:5432/kappa?user=kappa&Password=(hidden)&sslmode=require"));
    assertThat(
        Secrets.withoutPassword("jdbc:postgresql://db:5432/kappa?password=" + SECRET),
        not(containsString(SECRET)));
    assertThat(
        Secrets.withoutPassword("jdbc:postgresql://db:5432/kappa"),
        is("jdbc:postgresql://db:5432/kappa"));
  }
}
