package dev.kappa.pipelines;

import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.tools.ProduceChanges;
import dev.kappa.pipelines.tools.ProduceOrders;
import dev.kappa.transforms.windowing.EventTimeBounds;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The commands that load test data into Kafka, creating the topic if it does not exist:
 *
 * <ul>
 *   <li>{@code kappa produce-orders <file> [--topic=orders] [--partitions=3]
 *       [--bootstrapServers=localhost:9092] [--speedUp=max] [--maxEventTimeAhead=PT1H]
 *       [--minEventTime=2000-01-01T00:00:00Z]}: orders, with {@link ProduceOrders}; event times
 *       outside those bounds do not pace the sends;
 *   <li>{@code kappa produce-changes <file> --topic=<topic> --key=<field> [--partitions=1]
 *       [--bootstrapServers=localhost:9092]}: a table's change events, with {@link ProduceChanges}.
 * </ul>
 *
 * <p>Both take {@code --kafkaClientProperties=<file>} (the client settings of a secured cluster,
 * see docs/security.md) and {@code --connectTimeout=PT30S}: a broker that does not answer within it
 * fails the command with exit code 2, naming {@code --bootstrapServers}.
 */
final class ProduceCommands {
  private ProduceCommands() {}

  private static final Set<String> ORDER_OPTIONS =
      Set.of(
          "topic",
          "partitions",
          "bootstrapServers",
          "speedUp",
          "maxEventTimeAhead",
          "minEventTime",
          "connectTimeout",
          Secrets.KAFKA_OPTION);
  private static final Set<String> CHANGE_OPTIONS =
      Set.of(
          "topic", "key", "partitions", "bootstrapServers", "connectTimeout", Secrets.KAFKA_OPTION);

  static int produceOrders(String[] args, PrintStream out, PrintStream err) {
    return run(
        "produce-orders",
        ORDER_OPTIONS,
        args,
        err,
        (file, options) -> {
          String topic = options.getOrDefault("topic", "orders");
          String bootstrap = options.getOrDefault("bootstrapServers", "localhost:9092");
          double speedUp = OptionValues.speedUp("speedUp", options.getOrDefault("speedUp", "max"));
          EventTimeBounds bounds =
              OptionValues.eventTimeBounds(
                  options.get("maxEventTimeAhead"), options.get("minEventTime"));
          int partitions = partitions(options.getOrDefault("partitions", "3"));
          Map<String, Object> client = Secrets.kafkaClientConfig(options.get(Secrets.KAFKA_OPTION));
          boolean created =
              createIfMissing(bootstrap, client, topic, partitions, connectTimeout(options));
          ProduceOrders.Summary summary =
              ProduceOrders.produce(file, bootstrap, client, topic, speedUp, bounds);
          out.printf(
              "kappa produce-orders: %d records to %s%s: %s%n",
              summary.total(), topic, created ? " (created)" : "", summary.byKind());
        });
  }

  static int produceChanges(String[] args, PrintStream out, PrintStream err) {
    return run(
        "produce-changes",
        CHANGE_OPTIONS,
        args,
        err,
        (file, options) -> {
          String topic = OptionValues.required("topic", options.get("topic"));
          String key = OptionValues.required("key", options.get("key"));
          String bootstrap = options.getOrDefault("bootstrapServers", "localhost:9092");
          // One partition by default: a table's changes stay in commit order across keys.
          int partitions = partitions(options.getOrDefault("partitions", "1"));
          Map<String, Object> client = Secrets.kafkaClientConfig(options.get(Secrets.KAFKA_OPTION));
          boolean created =
              createIfMissing(bootstrap, client, topic, partitions, connectTimeout(options));
          int sent = ProduceChanges.produce(file, bootstrap, client, topic, key);
          out.printf(
              "kappa produce-changes: %d change events to %s%s%n",
              sent, topic, created ? " (created)" : "");
        });
  }

  /** What a command does with its file and options once they parse. */
  private interface Action {
    void run(Path file, Map<String, String> options) throws Exception;
  }

  private static int run(
      String command, Set<String> allowed, String[] args, PrintStream err, Action action) {
    if (args.length == 0 || args[0].startsWith("--")) {
      err.println("kappa " + command + ": name a JSON-lines file first");
      return 2;
    }
    Path file = Path.of(args[0]);
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      int equals = arg.indexOf('=');
      String name = arg.startsWith("--") && equals > 2 ? arg.substring(2, equals) : null;
      if (name == null || !allowed.contains(name)) {
        err.println(
            "kappa "
                + command
                + ": unknown argument '"
                + arg
                + "'; options: --"
                + String.join(", --", allowed));
        return 2;
      }
      options.put(name, arg.substring(equals + 1));
    }
    try {
      if (!Files.isRegularFile(file)) {
        throw new InvalidOptionException("file", file + " is not a file");
      }
      action.run(file, options);
      return 0;
    } catch (InvalidOptionException e) {
      err.println("kappa " + command + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("kappa " + command + ": " + e);
      return 1;
    }
  }

  private static int partitions(String text) {
    try {
      int value = Integer.parseInt(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidOptionException("partitions", "must be a positive integer, was " + text);
  }

  private static Duration connectTimeout(Map<String, String> options) {
    return OptionValues.connectTimeout(
        "connectTimeout",
        options.getOrDefault("connectTimeout", ConnectionOptions.DEFAULT_CONNECT_TIMEOUT));
  }

  /**
   * Creates {@code topic} unless it exists. Fails naming {@code --bootstrapServers} if no broker
   * answers within {@code timeout}, rather than waiting while the clients retry.
   */
  private static boolean createIfMissing(
      String bootstrap, Map<String, Object> client, String topic, int partitions, Duration timeout)
      throws InterruptedException, ExecutionException {
    LaunchChecks.checkKafka(bootstrap, Map.of(), timeout, client);
    Properties config = new Properties();
    config.putAll(client);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Admin admin = Admin.create(config)) {
      if (admin.listTopics().names().get().contains(topic)) {
        return false;
      }
      // Kept forever: records carry their event time as Kafka timestamp, and time-based
      // retention would delete historical events at once; a replayable topic must keep them.
      NewTopic newTopic =
          new NewTopic(topic, partitions, (short) 1).configs(Map.of("retention.ms", "-1"));
      admin.createTopics(List.of(newTopic)).all().get();
      return true;
    }
  }
}
