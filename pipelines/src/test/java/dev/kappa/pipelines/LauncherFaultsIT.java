package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.SilentServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it, in JVMs of its own, against servers that are not there: a closed
 * port (connection refused) and a silent one (accepts connections, never answers, as a firewall or
 * the wrong service would). Every command must fail with exit code 2 and one line naming the option
 * ({@code --bootstrapServers}, {@code --jdbcUrl}, {@code --input}), no stack trace, within {@code
 * --connectTimeout} (PT5S here) plus the JVM's start; and {@code scripts/kappa run} on the embedded
 * Flink runner must end, with its job cancelled and no JVM left behind, when it gets SIGTERM.
 *
 * <p>The bounds asserted are generous (a hang is forever); the times measured are printed for
 * docs/reliability.md.
 */
class LauncherFaultsIT {
  private static final String TIMEOUT = "--connectTimeout=PT5S";

  /** Far above PT5S plus a loaded JVM start; a command that hangs never gets there. */
  private static final Duration EXIT_BOUND = Duration.ofSeconds(100);

  private static final Path RUNNERS_CONFIG = Path.of(System.getProperty("kappa.runnersConfig"));
  private static final Path REPOSITORY = RUNNERS_CONFIG.toAbsolutePath().getParent();
  private static final Path TEST_DATA = Path.of(System.getProperty("kappa.testData"));
  private static final String ORDERS = TEST_DATA.resolve("orders/orders.jsonl").toString();
  private static final String PRODUCTS =
      TEST_DATA.resolve("enrichment/products.changelog.jsonl").toString();
  private static final String CUSTOMERS =
      TEST_DATA.resolve("enrichment/customers.changelog.jsonl").toString();

  private static SilentServer silent;
  private static int closedPort;

  @TempDir static Path dir;

  @BeforeAll
  static void servers() throws IOException {
    silent = SilentServer.start("silent-server");
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
  }

  @AfterAll
  static void stopServers() throws IOException {
    silent.close();
  }

  /**
   * A launch in a JVM of its own, its output in a file; {@code exitNanos} completes when it exits.
   */
  private record Launch(
      String name, Process process, Path log, long startNanos, CompletableFuture<Long> exitNanos) {
    String output() {
      return ChildProcesses.logTailOrReason(log, 64 * 1024);
    }

    /** Waits for the exit; returns the time from start to exit. */
    Duration awaitExit() throws Exception {
      if (!ChildProcesses.awaitExit(process.toHandle(), EXIT_BOUND)) {
        process.destroyForcibly();
        throw new AssertionError(
            name + " did not exit within " + EXIT_BOUND.toSeconds() + " s:\n" + output());
      }
      return Duration.ofNanos(exitNanos.get() - startNanos);
    }
  }

  private static Path jar() throws IOException {
    Path jar = dir.resolve("kappa-pipelines-bundled.jar");
    if (!Files.isRegularFile(jar)) {
      Path built = Path.of(System.getProperty("kappa.bundledJar"));
      if (!Files.isRegularFile(built)) {
        throw new IllegalStateException(
            built + " is missing: the package phase builds it before the integration tests");
      }
      // A copy: a build running meanwhile in the same tree cannot replace it under the test.
      Files.copy(built, jar, StandardCopyOption.REPLACE_EXISTING);
    }
    return jar;
  }

  /** Starts {@code java -jar kappa-pipelines-bundled.jar <args>} in the repository root. */
  private static Launch kappa(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ChildProcesses.javaExecutable());
    command.add("@" + RUNNERS_CONFIG.resolve("jvm/java17-opens.args"));
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    long start = System.nanoTime();
    Process process = ChildProcesses.startLogged(command, REPOSITORY, log);
    CompletableFuture<Long> exit = process.onExit().thenApply(ended -> System.nanoTime());
    return new Launch(name, process, log, start, exit);
  }

  private static String kafkaAt(int port) {
    return "--bootstrapServers=127.0.0.1:" + port;
  }

  private static String databaseAt(int port) {
    return "--jdbcUrl=jdbc:postgresql://127.0.0.1:" + port + "/kappa";
  }

  /** A streaming run from Kafka (topic {@code orders}, the default), change streams from files. */
  private static Launch runFromKafka(String name, int port) throws IOException {
    return kappa(
        name,
        "run",
        "order-revenue",
        "--source=KAFKA",
        kafkaAt(port),
        "--productChanges=" + PRODUCTS,
        "--customerChanges=" + CUSTOMERS,
        TIMEOUT);
  }

  /** A run from files whose customers are looked up in the database. */
  private static Launch runWithLookup(String name, int port) throws IOException {
    return kappa(
        name,
        "run",
        "order-revenue",
        "--source=FILES",
        "--input=" + ORDERS,
        "--productChanges=" + PRODUCTS,
        "--customerEnrichment=LOOKUP",
        databaseAt(port),
        TIMEOUT);
  }

  @Test
  void unreachableServersAndMissingInputsFailAtLaunchNamingTheOption() throws Exception {
    Map<Launch, String> launches = new LinkedHashMap<>();
    // All at once: each spends most of its time waiting.
    launches.put(runFromKafka("run-kafka-closed", closedPort), "--bootstrapServers");
    launches.put(runFromKafka("run-kafka-silent", silent.port()), "--bootstrapServers");
    launches.put(
        kappa(
            "backfill-kafka-silent",
            "backfill",
            "order-revenue",
            kafkaAt(silent.port()),
            "--inputTopics=orders",
            "--productChanges=kafka:products",
            "--customerChanges=" + CUSTOMERS,
            "--from=2026-03-01T00:00:00Z",
            "--to=2026-03-02T00:00:00Z",
            TIMEOUT),
        "--bootstrapServers");
    launches.put(
        kappa(
            "produce-orders-kafka-silent",
            "produce-orders",
            ORDERS,
            kafkaAt(silent.port()),
            TIMEOUT),
        "--bootstrapServers");
    launches.put(
        kappa(
            "produce-changes-kafka-closed",
            "produce-changes",
            PRODUCTS,
            "--topic=products",
            "--key=product_id",
            kafkaAt(closedPort),
            TIMEOUT),
        "--bootstrapServers");
    launches.put(runWithLookup("run-database-closed", closedPort), "--jdbcUrl");
    launches.put(runWithLookup("run-database-silent", silent.port()), "--jdbcUrl");
    launches.put(
        kappa(
            "run-input-glob-matches-nothing",
            "run",
            "order-revenue",
            "@" + RUNNERS_CONFIG.resolve("flink-embedded.args"),
            "--source=FILES",
            "--input=" + dir.resolve("none-*.jsonl"),
            "--productChanges=" + PRODUCTS,
            "--customerChanges=" + CUSTOMERS),
        "--input");

    for (Map.Entry<Launch, String> entry : launches.entrySet()) {
      Launch launch = entry.getKey();
      Duration took = launch.awaitExit();
      String output = launch.output();
      System.out.printf(
          "LauncherFaultsIT: %-32s exit %d, %5.1f s after its start: %s%n",
          launch.name(), launch.process().exitValue(), took.toMillis() / 1000.0, lastLine(output));
      assertThat(launch.name() + ":\n" + output, launch.process().exitValue(), is(2));
      assertThat(launch.name(), lastLine(output), containsString(entry.getValue() + ": "));
      assertThat(launch.name(), output, not(containsString("\tat ")));
      assertThat(launch.name(), output, not(containsString("Exception in thread")));
    }
  }

  @Test
  void sigtermToScriptsKappaCancelsTheEmbeddedJobAndLeavesNoJvm() throws Exception {
    Path log = dir.resolve("sigterm.log");
    List<String> command =
        List.of(
            "run",
            "order-revenue",
            "@runners-config/flink-embedded.args",
            "--source=REPLAY",
            "--input=" + ORDERS,
            // 2.5 hours of event time at 10x: the stream runs for 15 minutes unless stopped.
            "--replaySpeedUp=10",
            "--productChanges=" + PRODUCTS,
            "--customerChanges=" + CUSTOMERS,
            "--output=" + dir.resolve("out/results"),
            "--tooLateOutput=" + dir.resolve("out/late"),
            "--deadLetterOutput=" + dir.resolve("out/dead"),
            "--correctionsOutput=" + dir.resolve("out/corrections"));
    // Without the class archive's one-off training launch: this test times the job's start.
    ProcessBuilder builder = ScriptsKappa.command(log, command);
    Process process = builder.start();
    try {
      awaitLine(process, log, "submitted; SIGTERM or Ctrl-C cancels it", Duration.ofSeconds(90));
      // The script exec'd the JVM: the process signalled is the launcher itself.
      String executable = process.toHandle().info().command().orElse("");
      assertThat(executable, endsWith("java"));
      List<ProcessHandle> descendants = process.toHandle().descendants().toList();

      long signalled = System.nanoTime();
      process.destroy(); // SIGTERM
      boolean exited = ChildProcesses.awaitExit(process.toHandle(), Duration.ofSeconds(60));
      Duration stopped = Duration.ofNanos(System.nanoTime() - signalled);
      String output = ChildProcesses.logTailOrReason(log, 64 * 1024);
      System.out.printf(
          "LauncherFaultsIT: SIGTERM to scripts/kappa run (embedded Flink): exited %s after %.1f"
              + " s%n",
          exited ? "with " + process.exitValue() : "NOT", stopped.toMillis() / 1000.0);

      output
          .lines()
          .filter(line -> line.startsWith("kappa: "))
          .forEach(line -> System.out.println("LauncherFaultsIT:   " + line));

      assertThat(output, exited, is(true));
      assertThat(output, process.exitValue(), is(143));
      assertThat(output, containsString("kappa: stopping: cancelling order-revenue ("));
      assertThat(output, containsString(", embedded Flink)\n"));
      // The cancellation completed (a failed one says "kappa: stopping ... failed").
      assertThat(output, containsString("\nkappa: stopped in "));
      assertThat(
          "processes left behind",
          descendants.stream().filter(ProcessHandle::isAlive).toList(),
          is(empty()));
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  private static void awaitLine(Process process, Path log, String text, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (read(log).contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "scripts/kappa exited with " + process.exitValue() + " before:\n" + read(log));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + read(log));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLine(String output) {
    String trimmed = output.strip();
    return trimmed.substring(trimmed.lastIndexOf('\n') + 1);
  }
}
