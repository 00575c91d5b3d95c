package dev.kappa.testing.kafka;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.PidFile;
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
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Java half of {@code scripts/kafka-local.sh}: starts a {@link KafkaBroker} that outlives this
 * JVM (its pid in {@code broker.pid} of its data directory), stops it and reports on it, and
 * administers topics with kafka-clients' {@link Admin}.
 *
 * <pre>
 * KafkaLocalCli start &lt;data-dir&gt; &lt;port&gt; &lt;controller-port&gt; &lt;log-level&gt; [--secure]
 * KafkaLocalCli stop &lt;data-dir&gt;
 * KafkaLocalCli status &lt;data-dir&gt;
 * KafkaLocalCli topics &lt;bootstrap-servers&gt;
 * KafkaLocalCli create-topic &lt;bootstrap-servers&gt; &lt;name&gt; [partitions, default 1]
 * KafkaLocalCli grant &lt;bootstrap-servers&gt; read|write &lt;topic&gt; [group-prefix]
 * </pre>
 *
 * <p>{@code --secure} starts a {@link SecuredKafkaBroker} (SASL_SSL, SCRAM-SHA-512, ACLs) and
 * writes the client settings of its users to {@code <data-dir>/secure/admin.properties} and {@code
 * kappa.properties}. The admin commands then connect as the super user when the system property
 * {@code kappa.kafka.dataDir} names a data directory with {@code secure/admin.properties}; {@code
 * grant} gives the job's user {@code kappa} READ (with its consumer groups) or WRITE on a topic.
 *
 * <p>Exit codes: 0 done (or running, for {@code status}), 1 failed, 2 usage error, 3 not running
 * ({@code status}). {@code start} of a running broker and {@code create-topic} of an existing topic
 * with the same partition count succeed, so that scripts can repeat them.
 */
public final class KafkaLocalCli {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private KafkaLocalCli() {}

  /** Runs a subcommand and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs a subcommand, printing results to {@code out} and errors to {@code err}; the exit code.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Subcommands.of("KafkaLocalCli", err)
        .add(
            "start <data-dir> <port> <controller-port> <log-level> [--secure]",
            rest -> start(rest, out, err))
        .add("stop <data-dir>", rest -> stop(rest, out))
        .add("status <data-dir>", rest -> status(rest, out))
        .add("topics <bootstrap-servers>", rest -> topics(rest, out))
        .add(
            "create-topic <bootstrap-servers> <name> [partitions]",
            rest -> createTopic(rest, out, err))
        .add(
            "grant <bootstrap-servers> read|write <topic> [group-prefix]", rest -> grant(rest, out))
        .run(args);
  }

  private static int start(List<String> args, PrintStream out, PrintStream err) {
    boolean secure = args.size() == 5 && args.get(4).equals("--secure");
    if (args.size() != 4 && !secure) {
      return 2;
    }
    Optional<Integer> port = Subcommands.positive("port", args.get(1), err);
    Optional<Integer> controllerPort = Subcommands.positive("controller port", args.get(2), err);
    if (port.isEmpty() || controllerPort.isEmpty()) {
      return 2;
    }
    Path dataDir = Path.of(args.get(0)).toAbsolutePath();
    Optional<ProcessHandle> running = running(dataDir);
    if (running.isPresent()) {
      out.println("already running (pid " + running.get().pid() + ")");
      return 0;
    }
    boolean formatted = java.nio.file.Files.exists(dataDir.resolve("logs/meta.properties"));
    boolean wasSecure = java.nio.file.Files.exists(dataDir.resolve("secure/users.properties"));
    if (formatted && secure != wasSecure) {
      err.println(
          "the broker's data in "
              + dataDir
              + " was made "
              + (wasSecure ? "secured" : "without --secure")
              + "; start it "
              + (wasSecure ? "with" : "without")
              + " --secure, or wipe it first");
      return 1;
    }
    KafkaBroker broker =
        KafkaBroker.start(dataDir, port.get(), controllerPort.get(), args.get(3), true, secure);
    if (secure) {
      SecuredKafkaBroker secured = SecuredKafkaBroker.of(broker);
      Path dir = dataDir.resolve("secure");
      secured.writeClientProperties(dir.resolve("admin.properties"), SecuredKafkaBroker.ADMIN);
      secured.writeClientProperties(dir.resolve("kappa.properties"), SecuredKafkaBroker.JOB_USER);
    }
    out.println(
        "running (pid "
            + running(dataDir).map(ProcessHandle::pid).orElse(-1L)
            + ") at "
            + broker.bootstrapServers());
    return 0;
  }

  private static int stop(List<String> args, PrintStream out) {
    if (args.size() != 1) {
      return 2;
    }
    Path dataDir = Path.of(args.get(0)).toAbsolutePath();
    Optional<Long> stopped =
        ChildProcesses.terminate(
            KafkaBroker.pidFile(dataDir),
            KafkaBroker.commandLineMark(dataDir),
            KafkaBroker.STOP_TIMEOUT);
    out.println(stopped.map(pid -> "stopped (pid " + pid + ")").orElse("not running"));
    return 0;
  }

  private static int status(List<String> args, PrintStream out) {
    if (args.size() != 1) {
      return 2;
    }
    Optional<ProcessHandle> running = running(Path.of(args.get(0)).toAbsolutePath());
    out.println(running.map(p -> "running (pid " + p.pid() + ")").orElse("stopped"));
    return running.isPresent() ? 0 : 3;
  }

  /** The detached broker on {@code dataDir}, if it is running. */
  private static Optional<ProcessHandle> running(Path dataDir) {
    String mark = KafkaBroker.commandLineMark(dataDir);
    return PidFile.live(KafkaBroker.pidFile(dataDir), line -> line.contains(mark));
  }

  private static int topics(List<String> args, PrintStream out) {
    if (args.size() != 1) {
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
      return 2;
    }
    String name = args.get(1);
    Optional<Integer> partitions =
        args.size() == 3 ? Subcommands.positive("partitions", args.get(2), err) : Optional.of(1);
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

  private static int grant(List<String> args, PrintStream out) {
    if (args.size() < 3 || args.size() > 4 || !List.of("read", "write").contains(args.get(1))) {
      return 2;
    }
    String topic = args.get(2);
    String user = SecuredKafkaBroker.JOB_USER;
    List<AclBinding> bindings = new java.util.ArrayList<>();
    boolean read = args.get(1).equals("read");
    for (AclOperation operation :
        List.of(read ? AclOperation.READ : AclOperation.WRITE, AclOperation.DESCRIBE)) {
      bindings.add(acl(user, ResourceType.TOPIC, topic, PatternType.LITERAL, operation));
    }
    if (read && args.size() == 4) {
      bindings.add(
          acl(user, ResourceType.GROUP, args.get(3), PatternType.PREFIXED, AclOperation.READ));
    }
    try (Admin admin = admin(args.get(0))) {
      admin
          .createAcls(bindings)
          .all()
          .get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the ACLs: " + e.getMessage(), e);
    }
    out.println(
        "user "
            + user
            + " may "
            + args.get(1)
            + " topic "
            + topic
            + (read && args.size() == 4 ? " in consumer groups " + args.get(3) + "*" : ""));
    return 0;
  }

  private static AclBinding acl(
      String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
  }

  private static String partitions(int count) {
    return count + (count == 1 ? " partition" : " partitions");
  }

  private static Admin admin(String bootstrapServers) {
    Properties config = new Properties();
    String dataDir = System.getProperty("kappa.kafka.dataDir");
    Path adminProperties =
        dataDir == null ? null : Path.of(dataDir).resolve("secure/admin.properties");
    if (adminProperties != null && java.nio.file.Files.exists(adminProperties)) {
      try (java.io.Reader reader = java.nio.file.Files.newBufferedReader(adminProperties)) {
        config.load(reader);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + adminProperties, e);
      }
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kappa-kafka-local");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    return Admin.create(config);
  }
}
