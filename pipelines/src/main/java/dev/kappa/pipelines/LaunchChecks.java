package dev.kappa.pipelines;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.options.InvalidOptionException;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * What a job needs from outside, checked before its pipeline is built: the Kafka clusters answer
 * (within {@code --connectTimeout}) and have the topics it reads, and an exactly-once output that
 * starts afresh has no earlier progress there; every input path or glob matches at least one file;
 * the database answers and each table has a column for every field of its record. A failure is an
 * {@link InvalidOptionException} naming the option to fix, which the launcher prints as one line
 * with exit code 2, instead of a job that hangs while the Kafka clients retry, or fails later with
 * a stack trace.
 *
 * <pre>{@code
 * LaunchChecks.within(Duration.ofSeconds(30))
 *     .kafkaTopics(bootstrapServers, "inputTopics", List.of("orders"))
 *     .files("customerChanges", "changes/customers-*.jsonl")
 *     .run();
 * }</pre>
 *
 * <p>Files are matched with Beam's {@link FileSystems}, so call it after {@code Pipeline.create}
 * (which registers the file systems the options configure).
 */
public final class LaunchChecks {
  private final Duration timeout;

  /** Per Kafka cluster: the topics to find there, per option that names them. */
  private final Map<String, Map<String, List<String>>> kafka = new LinkedHashMap<>();

  private final Map<String, String> files = new LinkedHashMap<>();

  /** Per Kafka cluster: the sink group of each exactly-once output topic started afresh. */
  private final Map<String, Map<String, String>> sinkGroups = new LinkedHashMap<>();

  private final List<TableCheck> tables = new ArrayList<>();

  /** Per Kafka cluster: the output topics the job writes, per option that names them. */
  private final Map<String, Map<String, List<String>>> outputs = new LinkedHashMap<>();

  private Map<String, Object> kafkaClientConfig = Map.of();

  private record TableCheck(
      String option,
      JdbcConfig database,
      String table,
      Class<? extends SpecificRecordBase> row,
      List<String> otherColumns,
      List<String> tombstoneKeys) {}

  private LaunchChecks(Duration timeout) {
    this.timeout = timeout;
  }

  /** Checks that wait at most {@code timeout} for each server. */
  public static LaunchChecks within(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new LaunchChecks(timeout);
  }

  /**
   * Checks that the Kafka cluster at {@code bootstrapServers} answers (a job that writes to it).
   */
  public LaunchChecks kafka(String bootstrapServers) {
    kafka.computeIfAbsent(bootstrapServers, servers -> new LinkedHashMap<>());
    return this;
  }

  /**
   * Connects to every Kafka cluster with {@code clientConfig} (the settings of {@code
   * --kafkaClientProperties}); a cluster that refuses them fails naming that option.
   */
  public LaunchChecks withKafkaClientConfig(Map<String, Object> clientConfig) {
    this.kafkaClientConfig = Map.copyOf(clientConfig);
    return this;
  }

  /**
   * Checks that the Kafka cluster at {@code bootstrapServers} answers and, if it has an authorizer,
   * lets the client write to {@code topic}, which option {@code option} names.
   */
  public LaunchChecks kafkaOutput(String bootstrapServers, String option, String topic) {
    kafka(bootstrapServers);
    outputs
        .computeIfAbsent(bootstrapServers, servers -> new LinkedHashMap<>())
        .computeIfAbsent(option, name -> new ArrayList<>())
        .add(topic);
    return this;
  }

  /**
   * Checks that the Kafka cluster at {@code bootstrapServers} answers and has {@code topics}, which
   * option {@code option} names.
   */
  public LaunchChecks kafkaTopics(String bootstrapServers, String option, List<String> topics) {
    kafka
        .computeIfAbsent(bootstrapServers, servers -> new LinkedHashMap<>())
        .computeIfAbsent(option, name -> new ArrayList<>())
        .addAll(topics);
    return this;
  }

  /** Checks that {@code pattern}, the value of {@code option}, matches at least one file. */
  public LaunchChecks files(String option, String pattern) {
    files.put(option, pattern);
    return this;
  }

  /**
   * Checks that the exactly-once output to {@code topic} has no progress under {@code sinkGroupId}
   * at {@code bootstrapServers}: a fresh start would fail on every attempt ({@link
   * SinkProgress#refuseUsedGroupOnFreshStart}). Asked only once the cluster has answered.
   */
  public LaunchChecks unusedSinkGroup(String bootstrapServers, String sinkGroupId, String topic) {
    kafka(bootstrapServers);
    sinkGroups
        .computeIfAbsent(bootstrapServers, servers -> new LinkedHashMap<>())
        .put(topic, sinkGroupId);
    return this;
  }

  /** Per Kafka cluster, the sink group of each exactly-once output topic the checks will ask. */
  public Map<String, Map<String, String>> sinkGroups() {
    return java.util.Collections.unmodifiableMap(sinkGroups);
  }

  /**
   * Checks that {@code database} answers and its table {@code table}, which option {@code option}
   * names or uses, has a column for every field of {@code row}, and the {@code otherColumns} the
   * job writes besides (a tombstone column).
   */
  public LaunchChecks table(
      String option,
      JdbcConfig database,
      String table,
      Class<? extends SpecificRecordBase> row,
      String... otherColumns) {
    tables.add(new TableCheck(option, database, table, row, List.of(otherColumns), List.of()));
    return this;
  }

  /**
   * As {@link #table}, for a table whose deletes leave tombstones in {@code tombstoneColumn}: a
   * tombstone row holds only the key columns {@code keyColumns} and that flag, so every other
   * column of {@code row} must accept NULL.
   */
  public LaunchChecks tombstonedTable(
      String option,
      JdbcConfig database,
      String table,
      Class<? extends SpecificRecordBase> row,
      List<String> keyColumns,
      String tombstoneColumn) {
    tables.add(
        new TableCheck(
            option, database, table, row, List.of(tombstoneColumn), List.copyOf(keyColumns)));
    return this;
  }

  /**
   * Runs the checks: files first (they answer at once), then each Kafka cluster (its topics, then
   * the sink groups of its exactly-once outputs), then the database tables.
   *
   * @throws InvalidOptionException naming the first option whose check fails
   */
  public void run() {
    for (Map.Entry<String, String> entry : files.entrySet()) {
      checkFiles(entry.getKey(), entry.getValue());
    }
    for (Map.Entry<String, Map<String, List<String>>> cluster : kafka.entrySet()) {
      checkKafka(cluster.getKey(), cluster.getValue(), timeout, kafkaClientConfig);
      checkAccess(cluster.getKey(), cluster.getValue(), AclOperation.READ);
      checkAccess(
          cluster.getKey(), outputs.getOrDefault(cluster.getKey(), Map.of()), AclOperation.WRITE);
      for (Map.Entry<String, String> output :
          sinkGroups.getOrDefault(cluster.getKey(), Map.of()).entrySet()) {
        SinkProgress.refuseUsedGroupOnFreshStart(
            cluster.getKey(), output.getValue(), output.getKey(), kafkaClientConfig);
      }
    }
    for (TableCheck check : tables) {
      checkTable(check);
    }
  }

  /**
   * Fails naming {@code --jdbcUrl} unless the database answers, naming the check's option unless
   * the table has a column for every field of its record.
   */
  private static void checkTable(TableCheck check) {
    try {
      Jdbc.checkTable(
          check.database(),
          check.table(),
          check.row(),
          check.otherColumns().toArray(String[]::new));
      if (!check.tombstoneKeys().isEmpty()) {
        List<String> notNull =
            Jdbc.notNullColumns(
                check.database(), check.table(), check.row(), check.tombstoneKeys());
        if (!notNull.isEmpty()) {
          throw new IllegalArgumentException(
              "table "
                  + check.table()
                  + " declares "
                  + String.join(", ", notNull)
                  + " NOT NULL, but a deleted row is kept as a tombstone holding only its key"
                  + " and "
                  + check.otherColumns().get(0)
                  + ": drop those NOT NULL constraints (see scripts/sql for the job's table)");
        }
      }
    } catch (SQLException e) {
      throw new InvalidOptionException(
          "jdbcUrl",
          "cannot read table "
              + check.table()
              + " at "
              + check.database().redactedUrl()
              + ": "
              + e.getMessage(),
          e);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(check.option(), e.getMessage(), e);
    }
  }

  /**
   * Fails naming {@code --bootstrapServers} unless a broker at {@code bootstrapServers} answers
   * within {@code timeout}; naming the option of each topics list unless the cluster has them all.
   */
  public static void checkKafka(
      String bootstrapServers, Map<String, List<String>> topicsByOption, Duration timeout) {
    checkKafka(bootstrapServers, topicsByOption, timeout, Map.of());
  }

  /**
   * {@link #checkKafka(String, Map, Duration)} with the Kafka client settings {@code clientConfig};
   * a cluster that refuses them (credentials, trust) fails naming {@code --kafkaClientProperties}.
   */
  public static void checkKafka(
      String bootstrapServers,
      Map<String, List<String>> topicsByOption,
      Duration timeout,
      Map<String, Object> clientConfig) {
    List<String> all = topicsByOption.values().stream().flatMap(List::stream).toList();
    List<String> missing;
    try {
      missing = Kafka.checkConnection(bootstrapServers, all, timeout, clientConfig);
    } catch (IOException e) {
      throw kafkaFailure(bootstrapServers, timeout, e);
    }
    for (Map.Entry<String, List<String>> entry : topicsByOption.entrySet()) {
      List<String> absent = entry.getValue().stream().filter(missing::contains).toList();
      if (!absent.isEmpty()) {
        throw new InvalidOptionException(
            entry.getKey(),
            (absent.size() == 1 ? "topic " : "topics ")
                + String.join(", ", absent)
                + " not found at "
                + bootstrapServers
                + " (create "
                + (absent.size() == 1 ? "it" : "them")
                + " first, e.g. with 'kappa produce-orders' or scripts/kafka-local.sh"
                + " create-topic"
                + (clientConfig.isEmpty()
                    ? ""
                    : "; or the client may not describe "
                        + (absent.size() == 1 ? "it" : "them")
                        + ": grant DESCRIBE or fix --"
                        + Secrets.KAFKA_OPTION)
                + ")");
      }
    }
  }

  /**
   * Fails naming each option whose topics the client may not {@code operation} ({@code READ} for
   * inputs, {@code WRITE} for outputs) at {@code bootstrapServers}.
   */
  private void checkAccess(
      String bootstrapServers, Map<String, List<String>> topicsByOption, AclOperation operation) {
    for (Map.Entry<String, List<String>> entry : topicsByOption.entrySet()) {
      List<String> lacking;
      try {
        lacking =
            Kafka.lackingAccess(
                bootstrapServers, entry.getValue(), operation, timeout, kafkaClientConfig);
      } catch (IOException e) {
        throw kafkaFailure(bootstrapServers, timeout, e);
      }
      if (!lacking.isEmpty()) {
        throw new InvalidOptionException(
            entry.getKey(),
            "the Kafka user of --"
                + Secrets.KAFKA_OPTION
                + " may not "
                + operation.name()
                + " topic "
                + String.join(", ", lacking)
                + " at "
                + bootstrapServers
                + " (TopicAuthorizationException: no ACL allows it); grant "
                + operation.name()
                + " on the topic to the job's user, or use a user that has it");
      }
    }
  }

  /**
   * The launch error for a Kafka cluster that did not answer (naming {@code --bootstrapServers}) or
   * refused the client's credentials or permissions (naming {@code --kafkaClientProperties}).
   */
  private static InvalidOptionException kafkaFailure(
      String bootstrapServers, Duration timeout, IOException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
        return new InvalidOptionException(
            Secrets.KAFKA_OPTION,
            e.getMessage()
                + "; check the credentials, mechanism and trust settings in the file --"
                + Secrets.KAFKA_OPTION
                + " names");
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return new InvalidOptionException(
        "bootstrapServers",
        e.getMessage()
            + "; is the broker running and the address right? (--connectTimeout="
            + timeout
            + ")",
        e);
  }

  /** Fails naming {@code option} unless {@code pattern} matches at least one file. */
  public static void checkFiles(String option, String pattern) {
    if (isPlainLocalPath(pattern)) {
      // Beam's local match looks for a missing path by walking every file below its parent
      // (BEAM-1309): for a typo such as /orders.jsonl that is the whole file system, and the
      // launch would hang. A path without wildcards is looked up directly.
      if (!java.nio.file.Files.exists(Path.of(pattern))) {
        throw new InvalidOptionException(option, "no file matches " + pattern);
      }
      return;
    }
    MatchResult match;
    try {
      match = FileSystems.match(pattern);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidOptionException(option, "cannot list " + pattern + ": " + e.getMessage());
    }
    boolean none;
    try {
      none =
          match.status() == MatchResult.Status.NOT_FOUND
              || (match.status() == MatchResult.Status.OK && match.metadata().isEmpty());
      if (match.status() == MatchResult.Status.ERROR) {
        match.metadata(); // throws with the file system's reason
      }
    } catch (IOException e) {
      throw new InvalidOptionException(option, "cannot list " + pattern + ": " + e.getMessage());
    }
    if (none) {
      throw new InvalidOptionException(option, "no file matches " + pattern);
    }
  }

  /** A path on the local file system (no {@code scheme://}) without glob wildcards. */
  private static boolean isPlainLocalPath(String pattern) {
    if (pattern.contains("://") || pattern.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
      return false;
    }
    try {
      Path.of(pattern);
      return true;
    } catch (InvalidPathException e) {
      return false; // Beam's match reports it
    }
  }
}
