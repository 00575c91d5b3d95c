package dev.kappa.pipelines;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.tools.ProduceOrders;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code kappa produce-orders <file> [--topic=orders] [--partitions=3]
 * [--bootstrapServers=localhost:9092] [--speedUp=max]}: loads a JSON-lines file of orders into
 * Kafka with {@link ProduceOrders}, creating the topic if it does not exist.
 */
final class ProduceOrdersCommand {
  private ProduceOrdersCommand() {}

  private static final Set<String> OPTIONS =
      Set.of("topic", "partitions", "bootstrapServers", "speedUp");

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].startsWith("--")) {
      err.println("kappa produce-orders: name a JSON-lines file of orders first");
      return 2;
    }
    Path file = Path.of(args[0]);
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      int equals = arg.indexOf('=');
      String name = arg.startsWith("--") && equals > 2 ? arg.substring(2, equals) : null;
      if (name == null || !OPTIONS.contains(name)) {
        err.println(
            "kappa produce-orders: unknown argument '"
                + arg
                + "'; options: --"
                + String.join(", --", OPTIONS));
        return 2;
      }
      options.put(name, arg.substring(equals + 1));
    }
    try {
      if (!Files.isRegularFile(file)) {
        throw new InvalidOptionException("file", file + " is not a file");
      }
      String topic = options.getOrDefault("topic", "orders");
      String bootstrap = options.getOrDefault("bootstrapServers", "localhost:9092");
      int partitions = partitions(options.getOrDefault("partitions", "3"));
      double speedUp = OptionValues.speedUp("speedUp", options.getOrDefault("speedUp", "max"));
      boolean created = createIfMissing(bootstrap, topic, partitions);
      ProduceOrders.Summary summary = ProduceOrders.produce(file, bootstrap, topic, speedUp);
      out.printf(
          "kappa produce-orders: %d records to %s%s: %s%n",
          summary.total(), topic, created ? " (created)" : "", summary.byKind());
      return 0;
    } catch (InvalidOptionException e) {
      err.println("kappa produce-orders: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("kappa produce-orders: " + e);
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

  private static boolean createIfMissing(String bootstrap, String topic, int partitions)
      throws InterruptedException, ExecutionException {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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
