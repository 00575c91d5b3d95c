package dev.kappa.pipelines.job;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.LaunchChecks;
import dev.kappa.pipelines.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Versioned outputs in PostgreSQL and Kafka: what a run with {@code --outputVersion} prepares at
 * launch ({@link #prepare}), and the record of which version of a job is live that {@code kappa
 * cutover} reads and switches ({@link State}, {@link #switchTo}).
 *
 * <p>Three small tables, created if missing in the job's database (its {@code --jdbcUrl} schema):
 *
 * <ul>
 *   <li>{@value #LIVE}: per job, the live version, the one before it, when it was switched, and the
 *       savepoint the previous version was stopped with (a fallback);
 *   <li>{@value #RUNS}: per job and version, its Flink job name, consumer group, Kafka servers and
 *       input topics, as last launched;
 *   <li>{@value #OUTPUTS}: per job, version and output option, the stable and the versioned name.
 * </ul>
 *
 * <p>A result table's stable name is a view, {@code SELECT * FROM <table>_<live version>}; a
 * cutover replaces it and updates {@value #LIVE} in one transaction, so a reader sees one version's
 * rows or the other's, never a mix or none. A Kafka topic's stable name is a convention, not a
 * topic: its readers look up the live version {@code v} in {@value #LIVE} and read {@code
 * <topic>_v}.
 *
 * <p>A table of the stable name that is a table, not a view (the results of an unversioned run), is
 * refused, with the statements that adopt it as version v1 ({@link #migration}).
 */
public final class OutputVersions {
  private OutputVersions() {}

  /** Per job: the live version. */
  public static final String LIVE = "kappa_live_versions";

  /** Per job and version: how it reads. */
  public static final String RUNS = "kappa_version_runs";

  /** Per job, version and output: the stable and versioned names. */
  public static final String OUTPUTS = "kappa_output_versions";

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  /** What kind of output a versioned name is. */
  public enum Kind {
    TABLE,
    TOPIC,
    FILES
  }

  /** One output a versioned run renamed: the option naming it, its stable and versioned name. */
  public record VersionedOutput(String option, Kind kind, String stable, String versioned) {}

  /** How a version of a job reads its input, as recorded at its launch. */
  public record Run(
      String version,
      @Nullable String flinkJobName,
      @Nullable String consumerGroup,
      @Nullable String bootstrapServers,
      List<String> inputTopics) {}

  /** What is recorded of a job: its live version (null: none yet), runs and outputs by version. */
  public record State(
      String job,
      @Nullable String live,
      @Nullable String previous,
      @Nullable String fallbackSavepoint,
      Map<String, Run> runs,
      Map<String, List<VersionedOutput>> outputs) {

    /** The outputs of {@code version} (empty if it never ran). */
    public List<VersionedOutput> outputs(String version) {
      return outputs.getOrDefault(version, List.of());
    }

    /** The output of {@code version} that option {@code option} named, if it has one. */
    public Optional<VersionedOutput> output(String version, String option) {
      return outputs(version).stream().filter(o -> o.option().equals(option)).findFirst();
    }
  }

  /**
   * Checks that a result table's name is a plain PostgreSQL name (letters, digits, underscores,
   * optionally schema-qualified): versioned names and views are written into SQL text.
   */
  static void checkTableName(String option, String table) {
    for (String part : table.split("\\.", -1)) {
      if (!NAME.matcher(part).matches()) {
        throw new InvalidOptionException(
            option,
            "'"
                + table
                + "' is not a plain table name (letters, digits and _, optionally schema.table),"
                + " which --outputVersion needs for the versioned table and the view");
      }
    }
  }

  /**
   * The statements that adopt the results of an unversioned run, table {@code stable}, as version
   * v1 of {@code job}: rename it, put a view of its name in its place, record v1 as live.
   */
  public static String migration(String job, String stable) {
    String v1 = stable + "_v1";
    return "BEGIN; ALTER TABLE "
        + stable
        + " RENAME TO "
        + unqualified(v1)
        + "; CREATE VIEW "
        + stable
        + " AS SELECT * FROM "
        + v1
        + "; "
        + createLiveTable()
        + " INSERT INTO "
        + LIVE
        + " (job, version) VALUES ('"
        + job
        + "', 'v1'); COMMIT;";
  }

  /**
   * Prepares the outputs of a versioned run at launch, before the launch checks look at them:
   * records the run and its outputs; makes the version live if the job has none yet; creates each
   * versioned table missing (like the live version's table, indexes and keys included) and each
   * stable view missing (of the live version's table); and creates each versioned Kafka topic
   * missing (with the live version's topic's partitions, else the broker's default). Nothing for an
   * unversioned run.
   *
   * <p>Kafka is asked first, before anything is written: whether the cluster accepts the client's
   * settings ({@code --kafkaClientProperties}) and whether their user may create the missing
   * versioned topics (a create that the broker only validates). A refusal fails the launch with the
   * database and the cluster unchanged.
   *
   * @param flinkJobName the job's name on Flink ({@code --jobName})
   * @throws InvalidOptionException naming the option whose output cannot be versioned: a table of
   *     the stable name (with the statements that migrate it), a versioned table with nothing to
   *     create it from, or a topic the Kafka user may not create; naming {@code
   *     --kafkaClientProperties} when the cluster refuses its credentials or trust, {@code
   *     --bootstrapServers} when it does not answer within {@code --connectTimeout}
   * @throws IllegalStateException when the database cannot be reached, or Kafka fails to create the
   *     topics it said it would
   */
  public static void prepare(JobSettings settings, String flinkJobName) {
    OutputVersion version = settings.outputVersion();
    if (version == null) {
      return;
    }
    List<VersionedOutput> topics =
        settings.versionedOutputs().stream().filter(o -> o.kind() == Kind.TOPIC).toList();
    if (topics.isEmpty()) {
      prepareDatabase(settings, flinkJobName);
      return;
    }
    String servers = settings.kafkaWrite().bootstrapServers();
    // The launch checks' connection check, with their messages: a wrong password or trust names
    // --kafkaClientProperties, a cluster that does not answer --bootstrapServers.
    LaunchChecks.checkKafka(
        servers, Map.of(), settings.connectTimeout(), settings.kafkaClientConfig());
    // One client asks first (a create the broker only validates) and creates after the database.
    try (Admin admin = Admin.create(adminConfig(settings))) {
      List<NewTopic> missing = missingTopics(admin, settings, topics);
      prepareDatabase(settings, flinkJobName);
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot create the versioned topics at " + servers + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the versioned topics", e);
    }
  }

  /** Records the run and its outputs, and creates the versioned tables and views missing. */
  private static void prepareDatabase(JobSettings settings, String flinkJobName) {
    OutputVersion version = settings.outputVersion();
    String job = settings.jobName();
    try (Connection connection = Jdbc.connect(settings.database())) {
      connection.setAutoCommit(false);
      try {
        createTables(connection);
        String live = lockLive(connection, job);
        if (live == null) {
          insertLive(connection, job, version.name());
          live = version.name();
        }
        recordRun(connection, job, version.name(), flinkJobName, settings);
        for (VersionedOutput output : settings.versionedOutputs()) {
          recordOutput(connection, job, version.name(), output);
        }
        for (VersionedOutput output : settings.versionedOutputs()) {
          if (output.kind() == Kind.TABLE) {
            prepareTable(connection, job, live, output);
          }
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot prepare version "
              + version
              + " of "
              + job
              + "'s outputs in "
              + settings.database().redactedUrl()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static String createLiveTable() {
    return "CREATE TABLE IF NOT EXISTS "
        + LIVE
        + " (job text PRIMARY KEY, version text NOT NULL, previous_version text,"
        + " switched_at timestamptz NOT NULL DEFAULT now(), fallback_savepoint text);";
  }

  private static void createTables(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(createLiveTable());
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + RUNS
              + " (job text NOT NULL, version text NOT NULL, flink_job_name text,"
              + " consumer_group text, bootstrap_servers text, input_topics text,"
              + " launched_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, version))");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + OUTPUTS
              + " (job text NOT NULL, version text NOT NULL, option text NOT NULL,"
              + " kind text NOT NULL, stable_name text NOT NULL, versioned_name text NOT NULL,"
              + " PRIMARY KEY (job, version, option))");
    }
  }

  /** The live version of {@code job}, its row locked until the transaction ends; null if none. */
  @Nullable
  private static String lockLive(Connection connection, String job) throws SQLException {
    // A launch and a cutover of one job, or two launches, take turns.
    try (Statement statement = connection.createStatement()) {
      statement.execute("LOCK TABLE " + LIVE + " IN SHARE ROW EXCLUSIVE MODE");
    }
    try (PreparedStatement select =
        connection.prepareStatement("SELECT version FROM " + LIVE + " WHERE job = ?")) {
      select.setString(1, job);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  private static void insertLive(Connection connection, String job, String version)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + LIVE + " (job, version) VALUES (?, ?)")) {
      insert.setString(1, job);
      insert.setString(2, version);
      insert.executeUpdate();
    }
  }

  private static void recordRun(
      Connection connection, String job, String version, String flinkJobName, JobSettings settings)
      throws SQLException {
    String group = null;
    String servers = null;
    List<String> topics = List.of();
    if (settings.source() instanceof JobSettings.KafkaStream stream) {
      group = stream.read().consumerGroup();
      servers = stream.read().bootstrapServers();
      topics = stream.read().topics();
    } else if (settings.source() instanceof JobSettings.KafkaRange range) {
      servers = range.bootstrapServers();
      topics = range.topics();
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + RUNS
                + " (job, version, flink_job_name, consumer_group, bootstrap_servers,"
                + " input_topics) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job, version) DO UPDATE"
                + " SET flink_job_name = EXCLUDED.flink_job_name,"
                + " consumer_group = EXCLUDED.consumer_group,"
                + " bootstrap_servers = EXCLUDED.bootstrap_servers,"
                + " input_topics = EXCLUDED.input_topics, launched_at = now()")) {
      upsert.setString(1, job);
      upsert.setString(2, version);
      upsert.setString(3, flinkJobName);
      upsert.setString(4, group);
      upsert.setString(5, servers);
      upsert.setString(6, String.join(",", topics));
      upsert.executeUpdate();
    }
  }

  private static void recordOutput(
      Connection connection, String job, String version, VersionedOutput output)
      throws SQLException {
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + OUTPUTS
                + " (job, version, option, kind, stable_name, versioned_name)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job, version, option) DO UPDATE"
                + " SET kind = EXCLUDED.kind, stable_name = EXCLUDED.stable_name,"
                + " versioned_name = EXCLUDED.versioned_name")) {
      upsert.setString(1, job);
      upsert.setString(2, version);
      upsert.setString(3, output.option());
      upsert.setString(4, output.kind().name());
      upsert.setString(5, output.stable());
      upsert.setString(6, output.versioned());
      upsert.executeUpdate();
    }
  }

  private static void prepareTable(
      Connection connection, String job, String live, VersionedOutput output) throws SQLException {
    String stable = output.stable();
    String kind = relationKind(connection, stable);
    if ("r".equals(kind) || "p".equals(kind)) {
      throw new InvalidOptionException(
          output.option(),
          stable
              + " is a table, not a view of a version's table: it holds the results of an"
              + " unversioned run. Adopt it as version v1 (then run the live job with"
              + " --outputVersion=v1, and new versions beside it), in psql: "
              + migration(job, stable)
              + " See docs/reprocessing.md.");
    }
    if (kind != null && !"v".equals(kind)) {
      throw new InvalidOptionException(
          output.option(), stable + " is neither a table nor a view (relkind " + kind + ")");
    }
    String liveTable = liveTable(connection, job, live, output);
    if (relationKind(connection, output.versioned()) == null) {
      String template = liveTable;
      if (template == null
          || template.equals(output.versioned())
          || relationKind(connection, template) == null) {
        throw new InvalidOptionException(
            output.option(),
            "version table "
                + output.versioned()
                + " does not exist, and there is no live version's table to create it like:"
                + " create it with the columns of the job's results and their key (e.g. from"
                + " scripts/sql/schema.sql, named "
                + output.versioned()
                + ")");
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE " + output.versioned() + " (LIKE " + template + " INCLUDING ALL)");
      }
    }
    if (kind == null) {
      String target = liveTable == null ? output.versioned() : liveTable;
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE VIEW " + stable + " AS SELECT * FROM " + target);
      }
    }
  }

  /** The live version's table for the output's option; null if the live version has none. */
  @Nullable
  private static String liveTable(
      Connection connection, String job, String live, VersionedOutput output) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT versioned_name FROM "
                + OUTPUTS
                + " WHERE job = ? AND version = ? AND option = ?")) {
      select.setString(1, job);
      select.setString(2, live);
      select.setString(3, output.option());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /** {@code r} for a table, {@code v} for a view, ... (pg_class.relkind); null if none. */
  @Nullable
  static String relationKind(Connection connection, String name) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(?)")) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /**
   * Which of {@code topics} to create, each like the live version's topic, once {@code admin}'s
   * cluster has validated their creation (nothing created yet).
   */
  private static List<NewTopic> missingTopics(
      Admin admin, JobSettings settings, List<VersionedOutput> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    String servers = settings.kafkaWrite().bootstrapServers();
    Set<String> existing =
        admin.listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    List<NewTopic> missing = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (VersionedOutput topic : topics) {
      if (existing.contains(topic.versioned())) {
        continue;
      }
      Optional<Integer> partitions = Optional.empty();
      Optional<String> like = likeTopic(existing, topic);
      if (like.isPresent()) {
        TopicDescription description =
            admin
                .describeTopics(List.of(like.get()))
                .allTopicNames()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(like.get());
        partitions = Optional.of(description.partitions().size());
      }
      missing.add(new NewTopic(topic.versioned(), partitions, Optional.empty()));
      options.put(topic.versioned(), topic.option());
    }
    if (missing.isEmpty()) {
      return List.of();
    }
    CreateTopicsResult validated =
        admin.createTopics(missing, new CreateTopicsOptions().validateOnly(true));
    for (Map.Entry<String, KafkaFuture<Void>> topic : validated.values().entrySet()) {
      try {
        topic.getValue().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicAuthorizationException
            || e.getCause() instanceof ClusterAuthorizationException) {
          throw new InvalidOptionException(
              options.get(topic.getKey()),
              "the Kafka user of --"
                  + Secrets.KAFKA_OPTION
                  + " may not CREATE topic "
                  + topic.getKey()
                  + " at "
                  + servers
                  + ", version "
                  + settings.outputVersion()
                  + "'s topic ("
                  + e.getCause().getClass().getSimpleName()
                  + "); grant CREATE on the topic (or on its prefix) to the job's user, or"
                  + " create the topic first");
        }
        throw e;
      }
    }
    return missing;
  }

  private static Properties adminConfig(JobSettings settings) {
    Properties config = new Properties();
    config.putAll(settings.kafkaClientConfig());
    config.put(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaWrite().bootstrapServers());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
    return config;
  }

  /**
   * A topic to copy the partition count of: the stable name if it is a topic, else another
   * version's topic of the same output.
   */
  private static Optional<String> likeTopic(Set<String> existing, VersionedOutput topic) {
    if (existing.contains(topic.stable())) {
      return Optional.of(topic.stable());
    }
    Pattern version = Pattern.compile(Pattern.quote(topic.stable()) + "_v[1-9][0-9]*");
    return existing.stream().filter(name -> version.matcher(name).matches()).sorted().findFirst();
  }

  /**
   * What is recorded of {@code job}; a job never launched with a version has no live version and no
   * runs.
   */
  public static State read(JdbcConfig database, String job) throws SQLException {
    try (Connection connection = Jdbc.connect(database)) {
      connection.setAutoCommit(false);
      connection.setReadOnly(true);
      try {
        if (relationKind(connection, LIVE) == null) {
          return new State(job, null, null, null, Map.of(), Map.of());
        }
        String live = null;
        String previous = null;
        String savepoint = null;
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT version, previous_version, fallback_savepoint FROM "
                    + LIVE
                    + " WHERE job = ?")) {
          select.setString(1, job);
          try (ResultSet row = select.executeQuery()) {
            if (row.next()) {
              live = row.getString(1);
              previous = row.getString(2);
              savepoint = row.getString(3);
            }
          }
        }
        Map<String, Run> runs = new LinkedHashMap<>();
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT version, flink_job_name, consumer_group, bootstrap_servers, input_topics"
                    + " FROM "
                    + RUNS
                    + " WHERE job = ? ORDER BY version")) {
          select.setString(1, job);
          try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
              String topics = row.getString(5);
              runs.put(
                  row.getString(1),
                  new Run(
                      row.getString(1),
                      row.getString(2),
                      row.getString(3),
                      row.getString(4),
                      topics == null || topics.isEmpty() ? List.of() : List.of(topics.split(","))));
            }
          }
        }
        Map<String, List<VersionedOutput>> outputs = new LinkedHashMap<>();
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT version, option, kind, stable_name, versioned_name FROM "
                    + OUTPUTS
                    + " WHERE job = ? ORDER BY version, option")) {
          select.setString(1, job);
          try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
              outputs
                  .computeIfAbsent(row.getString(1), v -> new ArrayList<>())
                  .add(
                      new VersionedOutput(
                          row.getString(2),
                          Kind.valueOf(row.getString(3)),
                          row.getString(4),
                          row.getString(5)));
            }
          }
        }
        return new State(job, live, previous, savepoint, runs, outputs);
      } finally {
        connection.rollback();
      }
    }
  }

  /**
   * Makes {@code to} the live version of {@code job} in one transaction: every stable view of a
   * table of {@code to} becomes a view of {@code to}'s table, and {@value #LIVE} says {@code to}
   * (and {@code from} as the previous version). A reader sees the views switch all at once.
   *
   * @throws IllegalStateException if the live version is no longer {@code from} (another cutover)
   */
  public static void switchTo(JdbcConfig database, String job, String from, String to)
      throws SQLException {
    State state = read(database, job);
    try (Connection connection = Jdbc.connect(database)) {
      connection.setAutoCommit(false);
      try {
        String live = lockLive(connection, job);
        if (!from.equals(live)) {
          throw new IllegalStateException(
              "the live version of " + job + " is now " + live + ", not " + from);
        }
        try (Statement statement = connection.createStatement()) {
          for (VersionedOutput output : state.outputs(to)) {
            if (output.kind() == Kind.TABLE) {
              statement.execute(
                  "CREATE OR REPLACE VIEW "
                      + output.stable()
                      + " AS SELECT * FROM "
                      + output.versioned());
            }
          }
        }
        try (PreparedStatement update =
            connection.prepareStatement(
                "UPDATE "
                    + LIVE
                    + " SET version = ?, previous_version = ?, switched_at = now(),"
                    + " fallback_savepoint = NULL WHERE job = ?")) {
          update.setString(1, to);
          update.setString(2, from);
          update.setString(3, job);
          update.executeUpdate();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /** Records the savepoint the previous version of {@code job} was stopped with. */
  public static void recordFallback(JdbcConfig database, String job, String savepoint)
      throws SQLException {
    try (Connection connection = Jdbc.connect(database);
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE " + LIVE + " SET fallback_savepoint = ? WHERE job = ?")) {
      update.setString(1, savepoint);
      update.setString(2, job);
      update.executeUpdate();
    }
  }

  private static String unqualified(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }
}
