package dev.kappa.pipelines;

import dev.kappa.io.kafka.Kafka;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.KafkaOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Settings that hold secrets, read from files at launch so that only their paths are options: the
 * Kafka client settings of {@code --kafkaClientProperties} and the database password of {@code
 * --jdbcPasswordFile}. Beam serialises a job's PipelineOptions into the Flink job's configuration
 * (shown by the REST API and the web UI), while the values read here travel inside the transforms
 * that use them; so a file on the launcher's machine also serves a job on a remote cluster. No
 * value read here is ever printed: {@link #masked} shows the settings with their secrets hidden.
 */
public final class Secrets {
  private Secrets() {}

  /** The option that names the Kafka client properties file. */
  public static final String KAFKA_OPTION = "kafkaClientProperties";

  /** The environment variable holding the database password, when no option gives it. */
  public static final String JDBC_PASSWORD_VARIABLE = "KAPPA_JDBC_PASSWORD";

  /** Words in a setting's name that mark its value as secret (case-insensitive). */
  private static final String[] SECRET_WORDS = {"password", "secret", "jaas", "token", "key"};

  /** What to use instead of a Kafka setting that Kappa controls, in a launcher's words. */
  private static final Map<String, String> INSTEAD =
      Map.of(
          "bootstrap.servers", "use --bootstrapServers",
          "group.id", "use --consumerGroup",
          "enable.auto.commit",
              "offsets are committed on checkpoints (or with --kafkaAutoCommit), never by the file",
          "transactional.id", "use --kafkaDelivery=EXACTLY_ONCE with --sinkGroupId");

  /** The Kafka client settings of the job's {@code --kafkaClientProperties}; empty if unset. */
  public static Map<String, Object> kafkaClientConfig(PipelineOptions options) {
    return kafkaClientConfig(options.as(KafkaOptions.class).getKafkaClientProperties());
  }

  /**
   * The Kafka client settings in the properties file at {@code path} (null or blank: none),
   * checked: a key that Kappa controls is refused, saying what to use instead.
   *
   * @throws InvalidOptionException naming {@code --kafkaClientProperties} if the file cannot be
   *     read or sets a refused key
   */
  public static Map<String, Object> kafkaClientConfig(@Nullable String path) {
    if (path == null || path.isBlank()) {
      return Map.of();
    }
    Path file = file(KAFKA_OPTION, path);
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      // Never the exception's message alone: a malformed escape quotes the line it is on.
      throw new InvalidOptionException(
          KAFKA_OPTION,
          "cannot read "
              + path
              + " as a Java properties file ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
    Map<String, Object> settings = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      String instead = INSTEAD.get(key);
      if (instead != null) {
        throw new InvalidOptionException(
            KAFKA_OPTION, path + " must not set " + key + ": " + instead);
      }
      settings.put(key, properties.getProperty(key).trim());
    }
    try {
      return Kafka.clientConfig(settings);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(KAFKA_OPTION, path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The password in the file at {@code path}, the value of {@code option}: its content without the
   * line break at its end (as {@code echo} or a Kubernetes Secret leaves it).
   *
   * @throws InvalidOptionException naming {@code option} if the file cannot be read
   */
  public static String passwordFile(String option, String path) {
    Path file = file(option, path);
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      if (content.endsWith("\r\n")) {
        return content.substring(0, content.length() - 2);
      }
      return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    } catch (IOException e) {
      throw new InvalidOptionException(
          option, "cannot read " + path + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * The database password the options give: {@code --jdbcPassword}, else the content of {@code
   * --jdbcPasswordFile}, else the {@code KAPPA_JDBC_PASSWORD} environment variable, else none.
   *
   * @throws InvalidOptionException when both options are set, or the file cannot be read
   */
  public static String jdbcPassword(JdbcOptions jdbc) {
    return jdbcPassword(jdbc.getJdbcPassword(), jdbc.getJdbcPasswordFile(), System.getenv());
  }

  /**
   * The database password of a command that is not a job ({@code kappa reconcile}): {@code
   * password} (an inline option), else the content of the file at {@code passwordFile} (the value
   * of {@code --jdbcPasswordFile}), else {@value #JDBC_PASSWORD_VARIABLE} in {@code environment},
   * else none.
   *
   * @throws InvalidOptionException when both are set, or the file cannot be read
   */
  public static String jdbcPassword(
      @Nullable String password, @Nullable String passwordFile, Map<String, String> environment) {
    if (password != null && passwordFile != null) {
      throw new InvalidOptionException(
          "jdbcPasswordFile", "choose one of --jdbcPassword and --jdbcPasswordFile");
    }
    if (password != null) {
      return password;
    }
    return passwordFile != null
        ? passwordFile("jdbcPasswordFile", passwordFile)
        : environment.getOrDefault(JDBC_PASSWORD_VARIABLE, "");
  }

  /** Whether the value of the setting {@code key} is a secret, to be shown masked. */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String word : SECRET_WORDS) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** {@code jdbcUrl} with the value of any {@code password=} parameter it carries hidden. */
  public static String withoutPassword(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1(hidden)");
  }

  /**
   * {@code settings} as {@code key=value, ...} in key order, the value of each secret setting
   * ({@link #isSecret}) replaced by {@code ****}.
   */
  public static String masked(Map<String, ?> settings) {
    StringJoiner text = new StringJoiner(", ");
    new TreeMap<>(settings)
        .forEach((key, value) -> text.add(key + "=" + (isSecret(key) ? "****" : value)));
    return text.toString();
  }

  private static Path file(String option, String path) {
    Path file;
    try {
      file = Path.of(path.trim());
    } catch (InvalidPathException e) {
      throw new InvalidOptionException(option, "'" + path + "' is not a file path", e);
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidOptionException(option, path + " is not a file");
    }
    if (!Files.isReadable(file)) {
      throw new InvalidOptionException(option, path + " cannot be read (permissions)");
    }
    return file;
  }
}
