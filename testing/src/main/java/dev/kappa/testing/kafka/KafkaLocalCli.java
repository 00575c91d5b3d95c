package dev.kappa.testing.kafka;

import dev.kappa.testing.process.Subcommands;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The Java half of {@code scripts/kafka-local.sh}: topic administration with kafka-clients' {@link
 * Admin}, and the broker configuration {@link KafkaBroker} would use.
 *
 * <pre>
 * KafkaLocalCli configure &lt;data-dir&gt; &lt;port&gt; &lt;controller-port&gt;
 * KafkaLocalCli topics &lt;bootstrap-servers&gt;
 * KafkaLocalCli create-topic &lt;bootstrap-servers&gt; &lt;name&gt; [partitions, default 1]
 * </pre>
 *
 * <p>Exit codes: 0 done, 1 failed, 2 usage error. {@code create-topic} of an existing topic with
 * the same partition count succeeds, so that scripts can repeat it.
 */
public final class KafkaLocalCli {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final String USAGE =
      String.join(
          "\n",
          "usage: KafkaLocalCli configure <data-dir> <port> <controller-port>",
          "       KafkaLocalCli topics <bootstrap-servers>",
          "       KafkaLocalCli create-topic <bootstrap-servers> <name> [partitions]");

  private KafkaLocalCli() {}

  /** Runs a subcommand and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs a subcommand, printing results to {@code out} and errors to {@code err}; the exit code.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Subcommands.run(
        args,
        USAGE,
        err,
        Map.of(
            "configure", rest -> configure(rest, out, err),
            "topics", rest -> topics(rest, out, err),
            "create-topic", rest -> createTopic(rest, out, err)));
  }

  private static int configure(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 3) {
      err.println(USAGE);
      return 2;
    }
    Optional<Integer> port = parsePositive(args.get(1), "port", err);
    Optional<Integer> controllerPort = parsePositive(args.get(2), "controller port", err);
    if (port.isEmpty() || controllerPort.isEmpty()) {
      return 2;
    }
    KafkaBroker.writeConfiguration(Path.of(args.get(0)), port.get(), controllerPort.get());
    return 0;
  }

  private static int topics(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 1) {
      err.println(USAGE);
      return 2;
    }
    try (Admin admin = admin(args.get(0))) {
      Map<String, Integer> topics = Topics.list(admin, TIMEOUT);
      if (topics.isEmpty()) {
        out.println("(no topics)");
      }
      topics.forEach((name, partitions) -> out.println(name + "\t" + partitions(partitions)));
    }
    return 0;
  }

  private static int createTopic(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 2 || args.size() > 3) {
      err.println(USAGE);
      return 2;
    }
    String name = args.get(1);
    Optional<Integer> partitions =
        args.size() == 3 ? parsePositive(args.get(2), "partitions", err) : Optional.of(1);
    if (partitions.isEmpty()) {
      return 2;
    }
    try (Admin admin = admin(args.get(0))) {
      Optional<TopicDescription> existing =
          Topics.describe(admin, name, Instant.now().plus(TIMEOUT));
      if (existing.isPresent()) {
        int count = existing.get().partitions().size();
        out.println("topic " + name + " exists, with " + partitions(count));
        return count == partitions.get() ? 0 : 1;
      }
      Topics.create(admin, name, partitions.get(), TIMEOUT);
      out.println("created topic " + name + " with " + partitions(partitions.get()));
      return 0;
    }
  }

  private static String partitions(int count) {
    return count + (count == 1 ? " partition" : " partitions");
  }

  private static Optional<Integer> parsePositive(String value, String what, PrintStream err) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed > 0) {
        return Optional.of(parsed);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    err.println(what + " must be a positive number, got '" + value + "'");
    return Optional.empty();
  }

  private static Admin admin(String bootstrapServers) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kappa-kafka-local");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    return Admin.create(config);
  }
}
