package dev.kappa.testing.kafka;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.LocalServer;
import dev.kappa.testing.process.PidFile;
import dev.kappa.testing.process.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker, one KRaft node acting as broker and controller, running in a JVM of its own
 * and listening on the loopback interface only.
 *
 * <p>It runs in a separate JVM because {@code kafka_2.13} cannot share one with Beam (their Jackson
 * versions clash); the JVM's classpath comes from {@code testing/target/kafka-broker.classpath}
 * (see {@link dev.kappa.testing.kafka}). The broker's data, configuration and log live in the data
 * directory given to {@link #start(Path)}, which the caller owns: {@link #restart()} reuses it, so
 * records survive a restart as they would on a real broker.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start(tempDir)) {
 *   broker.createTopic("orders", 3);
 *   // produce and consume with broker.bootstrapServers()
 *   broker.kill();     // SIGKILL: a crash
 *   broker.restart();  // same ports, same data
 * }
 * }</pre>
 *
 * <p>Topics are never auto-created: tests create their own, uniquely named, with {@link
 * #createTopic}. In JUnit 5 tests, {@link KafkaBrokerExtension} shares one broker per test JVM.
 */
public final class KafkaBroker extends LocalServer {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

  /** The loopback address the broker binds and advertises. */
  static final String HOST = "127.0.0.1";

  /** How long the broker gets to answer after its JVM starts (and to format its storage). */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** How long a stopping broker gets after SIGTERM before it is killed. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** How long topic creation and deletion may take before they fail. */
  static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  /** The broker JVM's heap. */
  static final String MAX_HEAP = "-Xmx512m";

  /** The broker JVM's log level: this system property of the calling JVM, or WARN. */
  static final String LOG_LEVEL_PROPERTY = "kappa.kafka.logLevel";

  private static final String LOG4J_RESOURCE = "broker-log4j.properties";
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  private static final int LOG_TAIL_BYTES = 8 * 1024;

  private final int controllerPort;
  private final String classpath;
  private final String logLevel;
  private final boolean detached;
  private final BrokerSecurity security;
  // Written under this object's lock; volatile for the shutdown hook, which must not block on it.
  private volatile Process process;

  private KafkaBroker(
      Path dataDir,
      int port,
      int controllerPort,
      String classpath,
      String logLevel,
      boolean detached,
      BrokerSecurity security) {
    super(HOST, port, dataDir, detached);
    this.controllerPort = controllerPort;
    this.classpath = classpath;
    this.logLevel = logLevel;
    this.detached = detached;
    this.security = security;
  }

  /**
   * Starts a broker on two free loopback ports chosen by the operating system, with its data in
   * {@code dataDir} (created if missing), and returns once it answers requests.
   *
   * @throws IllegalStateException if the broker JVM exits or does not answer within 60 s; the
   *     message holds the end of its log
   */
  public static KafkaBroker start(Path dataDir) {
    return Ports.startOnFreePorts(HOST, 2, ports -> start(dataDir, ports[0], ports[1]));
  }

  /**
   * Starts a broker listening for clients on {@code port} and for its controller on {@code
   * controllerPort}, with its data in {@code dataDir} (created if missing; an existing broker's
   * data is kept), and returns once it answers requests.
   *
   * @throws IllegalStateException if a port is in use, or the broker JVM exits or does not answer
   *     within 60 s; the message names the port or holds the end of its log
   */
  public static KafkaBroker start(Path dataDir, int port, int controllerPort) {
    return start(
        dataDir, port, controllerPort, System.getProperty(LOG_LEVEL_PROPERTY, "WARN"), false);
  }

  /**
   * Starts a broker; a {@code detached} one, for {@code scripts/kafka-local.sh}, outlives this JVM
   * in a session of its own (setsid, so that the terminal's signals do not reach it), its pid in
   * {@link #pidFile(Path)}.
   */
  static KafkaBroker start(
      Path dataDir, int port, int controllerPort, String logLevel, boolean detached) {
    return start(dataDir, port, controllerPort, logLevel, detached, false);
  }

  /**
   * Starts a broker as above; a {@code secured} one listens with SASL_SSL only and authorizes every
   * request by ACLs (see {@link SecuredKafkaBroker}).
   */
  static KafkaBroker start(
      Path dataDir,
      int port,
      int controllerPort,
      String logLevel,
      boolean detached,
      boolean secured) {
    return start(dataDir, port, controllerPort, logLevel, detached, secured, 0);
  }

  /**
   * Starts a broker as above; a secured one with {@code mtlsPort} other than 0 has the test
   * listeners too ({@link BrokerSecurity#withTestListeners}).
   */
  static KafkaBroker start(
      Path dataDir,
      int port,
      int controllerPort,
      String logLevel,
      boolean detached,
      boolean secured,
      int mtlsPort) {
    Ports.requireTwoFree("the Kafka broker", HOST, "port", port, "controllerPort", controllerPort);
    Path dir = dataDir.toAbsolutePath();
    BrokerSecurity security = null;
    if (secured) {
      security = BrokerSecurity.createOrLoad(dir);
      security = mtlsPort == 0 ? security : security.withTestListeners(mtlsPort);
    }
    KafkaBroker broker =
        new KafkaBroker(
            dir, port, controllerPort, BrokerClasspath.resolve(), logLevel, detached, security);
    Instant begin = Instant.now();
    broker.writeConfiguration();
    broker.formatStorageIfNew();
    broker.startSupervised(broker::launch);
    LOG.info(
        "Kafka broker at {} started in {} ms (data in {})",
        broker.bootstrapServers(),
        Duration.between(begin, Instant.now()).toMillis(),
        dir);
    return broker;
  }

  /** The {@code bootstrap.servers} value for clients: {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** Whether the broker listens with SASL_SSL and authorizes requests by ACLs. */
  public boolean isSecured() {
    return security != null;
  }

  /** The security of a secured broker; fails on a plaintext one. */
  BrokerSecurity security() {
    if (security == null) {
      throw new IllegalStateException(
          "The Kafka broker at " + bootstrapServers() + " is not secured");
    }
    return security;
  }

  /** The port of the KRaft controller listener. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The pid file of a detached broker on {@code dataDir}. */
  static Path pidFile(Path dataDir) {
    return dataDir.resolve("broker.pid");
  }

  /**
   * What the command line of the broker JVM on {@code dataDir} holds: its log4j configuration there
   * (so that a recycled pid is not taken for it). It comes before the long classpath, within the 4
   * KiB of command line that {@link ProcessHandle.Info} shows.
   */
  static String commandLineMark(Path dataDir) {
    return "-Dlog4j.configuration=" + log4jProperties(dataDir.toAbsolutePath()).toUri();
  }

  /** The broker JVM's output (its log, at WARN unless {@value #LOG_LEVEL_PROPERTY} is set). */
  public Path logFile() {
    return dataDir.resolve("broker.log");
  }

  /** Whether the broker JVM is running (it may be stopped, killed, or have exited by itself). */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Creates a topic with {@code partitions} partitions (replication factor 1) and returns once
   * every partition has a leader, so that producers and consumers started next see it.
   *
   * @throws IllegalStateException if the topic exists or cannot be created within 30 s
   */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      Topics.create(admin, name, partitions, TOPIC_TIMEOUT);
    }
  }

  /** Deletes a topic and returns once the broker no longer lists it. */
  public void deleteTopic(String name) {
    try (Admin admin = admin()) {
      Topics.delete(admin, name, TOPIC_TIMEOUT);
    }
  }

  /**
   * Stops the broker the way an operator would: SIGTERM, a controlled shutdown, and SIGKILL only if
   * it has not exited within 30 s. Returns once the JVM has exited, its ports free. Does nothing if
   * the broker is not running.
   */
  @Override
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ChildProcesses.terminate(List.of(process.toHandle()), STOP_TIMEOUT);
    process = null;
  }

  /**
   * Kills the broker JVM with SIGKILL, as a crash would: no controlled shutdown, no flush. Returns
   * once it has exited. Does nothing if the broker is not running.
   */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    ChildProcesses.kill(List.of(process.toHandle()), STOP_TIMEOUT);
    process = null;
  }

  /**
   * Stops the broker if it is running, then starts it again on the same ports with the same data
   * directory, and returns once it answers requests. After {@link #kill()} this is crash recovery.
   *
   * @throws IllegalStateException if the broker JVM exits or does not answer within 60 s
   */
  public synchronized void restart() {
    stop();
    writeConfiguration();
    launch();
  }

  /** Starts the broker JVM and waits until it answers; kills it if it does not. */
  private synchronized void launch() {
    if (isRunning()) {
      throw new IllegalStateException("The Kafka broker at " + bootstrapServers() + " is running");
    }
    Process started = startJvm("kafka.Kafka", serverProperties().toString());
    process = started;
    if (detached) {
      PidFile.write(pidFile(dataDir), started.pid());
    }
    try (Admin admin = admin()) {
      // The port first: a plain connection attempt, so that the client logs no failed connections.
      ChildProcesses.awaitReady(
          "The Kafka broker at " + bootstrapServers(),
          () ->
              Ports.accepts(HOST, port)
                  && !admin
                      .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                      .nodes()
                      .get(5, TimeUnit.SECONDS)
                      .isEmpty(),
          started::isAlive,
          START_TIMEOUT,
          POLL_INTERVAL,
          this::failure);
    } catch (RuntimeException e) {
      ChildProcesses.kill(List.of(started.toHandle()), STOP_TIMEOUT);
      process = null;
      if (detached) {
        PidFile.delete(pidFile(dataDir));
      }
      throw e;
    }
  }

  /** Formats the KRaft storage with a new cluster id unless it holds a broker's data already. */
  private void formatStorageIfNew() {
    if (Files.exists(logDirs().resolve("meta.properties"))) {
      return;
    }
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                serverProperties().toString(),
                "--ignore-formatted"));
    Process format;
    if (security == null) {
      format =
          startJvm(arguments.get(0), arguments.subList(1, arguments.size()).toArray(String[]::new));
    } else {
      // The SCRAM users' passwords go through a java @argument file, never the command line.
      arguments.addAll(security.formatArguments());
      Path argumentFile = dataDir.resolve("secure").resolve("format.args");
      try {
        // Readable by this user only, and gone whether the format succeeds or not.
        Files.deleteIfExists(argumentFile);
        Files.createFile(
            argumentFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(argumentFile, arguments, StandardCharsets.UTF_8);
        format = startJvm("@" + argumentFile);
        awaitFormat(format);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + argumentFile, e);
      } finally {
        try {
          Files.deleteIfExists(argumentFile);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot delete " + argumentFile, e);
        }
      }
      return;
    }
    awaitFormat(format);
  }

  private void awaitFormat(Process format) {
    // The Process's own wait: its exit value is known when it returns, whereas the ProcessHandle's
    // onExit can complete first, and exitValue() would then throw IllegalThreadStateException.
    boolean exited;
    try {
      exited = format.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      format.destroyForcibly();
      throw failure("Interrupted while formatting the Kafka broker's storage", e);
    }
    if (!exited) {
      format.destroyForcibly();
      throw failure("Formatting the Kafka broker's storage did not finish within 60 s", null);
    }
    if (format.exitValue() != 0) {
      throw failure(
          "Formatting the Kafka broker's storage failed (exit code " + format.exitValue() + ")",
          null);
    }
  }

  private Process startJvm(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    if (detached) {
      ChildProcesses.setsid().ifPresent(command::add);
    }
    command.add(ChildProcesses.javaExecutable());
    command.add(MAX_HEAP);
    command.add("-Djava.awt.headless=true");
    command.add(commandLineMark(dataDir));
    command.add("-D" + LOG_LEVEL_PROPERTY + "=" + logLevel);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    try {
      return ChildProcesses.startLogged(command, dataDir, logFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the Kafka broker JVM (" + mainClass + ")", e);
    }
  }

  private IllegalStateException failure(String message, Throwable cause) {
    return new IllegalStateException(
        message + ". End of its log, " + logFile() + ":\n" + logTail(), cause);
  }

  /** The last few kilobytes of the broker's log, for failure messages. */
  String logTail() {
    return ChildProcesses.logTailOrReason(logFile(), LOG_TAIL_BYTES);
  }

  /** Writes {@code server.properties} and the log4j configuration into the data directory. */
  private void writeConfiguration() {
    try {
      Files.createDirectories(logDirs());
      Files.writeString(serverProperties(), serverPropertiesText(), StandardCharsets.UTF_8);
      if (security != null) {
        // It holds the key store's password and the inter-broker user's.
        Files.setPosixFilePermissions(
            serverProperties(), PosixFilePermissions.fromString("rw-------"));
      }
      try (InputStream log4j = KafkaBroker.class.getResourceAsStream(LOG4J_RESOURCE)) {
        if (log4j == null) {
          throw new IllegalStateException("Missing resource " + LOG4J_RESOURCE);
        }
        Files.write(log4jProperties(), log4j.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the Kafka broker's configuration to " + dataDir, e);
    }
  }

  /** The broker's configuration: KRaft combined mode, one node, loopback only. */
  String serverPropertiesText() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", "1");
    config.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    config.put("controller.listener.names", "CONTROLLER");
    if (security == null) {
      config.put(
          "listeners",
          "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
      config.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
      config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      config.put("inter.broker.listener.name", "PLAINTEXT");
    } else {
      config.putAll(security.serverSettings(HOST, port, controllerPort));
    }
    config.put("log.dirs", logDirs().toString());
    config.put("num.partitions", "1");
    config.put("auto.create.topics.enable", "false");
    config.put("offsets.topic.replication.factor", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    // A restart after kill() registers a new incarnation of node 1, which the controller refuses
    // (DuplicateBrokerRegistrationException) while the killed one's session lasts: 9 s by default.
    config.put("broker.session.timeout.ms", "4000");
    config.put("broker.heartbeat.interval.ms", "1000");
    config.put("group.initial.rebalance.delay.ms", "0");
    // Kappa topics are replayed: keep records forever. Time-based retention judges a record by its
    // timestamp, and producers stamp records with event time, so historical events (the test data
    // is from March 2026) would be deleted as soon as the log segment rolls.
    config.put("log.retention.ms", "-1");
    StringBuilder text =
        new StringBuilder("# Written by ").append(KafkaBroker.class.getName()).append('\n');
    config.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
    return text.toString();
  }

  /** A value as java.util.Properties reads it back (only the backslash needs escaping here). */
  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  private Path serverProperties() {
    return dataDir.resolve("server.properties");
  }

  private Path log4jProperties() {
    return log4jProperties(dataDir);
  }

  private static Path log4jProperties(Path dataDir) {
    return dataDir.resolve("log4j.properties");
  }

  private Path logDirs() {
    return dataDir.resolve("logs");
  }

  /** An admin client of the broker; on a secured broker, as its super user. */
  Admin admin() {
    Properties config = new Properties();
    if (security != null) {
      config.putAll(
          security.clientSettings(BrokerSecurity.ADMIN, security.password(BrokerSecurity.ADMIN)));
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kappa-kafka-broker-admin");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    config.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    return Admin.create(config);
  }

  @Override
  protected void terminateOnExit() {
    Process running = process;
    if (running != null) {
      running.destroy();
    }
  }

  /** {@code count} distinct free loopback ports, as the operating system hands them out. */
  static int[] freePorts(int count) {
    return Ports.freePorts(HOST, count);
  }
}
