package dev.kappa.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.process.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One race at one size: loads the data into a broker, runs each contender in a JVM of its own, one
 * after the other, timing each from its start to its exit, and compares what each computed with the
 * ground truth.
 *
 * <p>Contender JVMs are killed (with anything they started) if they outlive their timeout, and by a
 * shutdown hook if this JVM is stopped (Ctrl-C) while one runs.
 */
final class Race {

  /** The three contenders, in the order they run. */
  enum Contender {
    FLOOR("floor", "plain KafkaConsumer, read and decode"),
    NATIVE("native", "native Flink 1.19 DataStream job, BATCH"),
    KAPPA("kappa", "kappa backfill order-revenue, embedded Flink");

    final String id;
    final String description;

    Contender(String id, String description) {
      this.id = id;
      this.description = description;
    }
  }

  /** How one contender did. */
  record Lap(Contender contender, double seconds, List<String> differences) {}

  /** A race's outcome at one size. */
  record Outcome(long orders, long records, double loadSeconds, RaceResult truth, List<Lap> laps) {
    Lap lap(Contender contender) {
      return laps.stream().filter(l -> l.contender() == contender).findFirst().orElseThrow();
    }

    boolean allEqual() {
      return laps.stream().allMatch(l -> l.differences().isEmpty());
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(60);
  static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    RUNNING.forEach(
                        p -> ChildProcesses.killTree(p.toHandle(), Duration.ofSeconds(10))),
                "kill-contenders"));
  }

  private final Path root;
  private final String heap;
  private final List<String> kappaOptions;

  /**
   * @param root the repository root (runners-config, pipelines' bundled jar)
   * @param heap each contender JVM's {@code -Xmx}
   */
  Race(Path root, String heap) {
    this(root, heap, List.of());
  }

  /**
   * @param kappaOptions more options for Kappa's job (experiments), after the race's own, so that a
   *     later value wins
   */
  Race(Path root, String heap, List<String> kappaOptions) {
    this.root = root;
    this.heap = heap;
    this.kappaOptions = List.copyOf(kappaOptions);
  }

  /**
   * The repository root: {@code kappa.root}, else the first parent of the working directory with
   * runners-config.
   */
  static Path findRoot() {
    String property = System.getProperty("kappa.root");
    if (property != null) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("runners-config"))
          && Files.isDirectory(dir.resolve("benchmarks"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root from "
            + Path.of("").toAbsolutePath()
            + "; set -Dkappa.root");
  }

  /** Runs {@code contenders} on {@code orders} orders loaded into {@code broker}. */
  Outcome run(KafkaBroker broker, long orders, long seed, Path dir, List<Contender> contenders)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    GenerateRaceData.Topics topics =
        new GenerateRaceData.Topics(
            "bench-orders-" + orders + "-" + stamp,
            "bench-products-" + orders + "-" + stamp,
            "bench-customers-" + orders + "-" + stamp);
    broker.createTopic(topics.orders(), GenerateRaceData.ORDER_PARTITIONS);
    broker.createTopic(topics.products(), 1);
    broker.createTopic(topics.customers(), 1);
    try {
      long begin = System.nanoTime();
      RaceResult truth = GenerateRaceData.load(broker.bootstrapServers(), topics, orders, seed);
      double loadSeconds = (System.nanoTime() - begin) / 1e9;
      Files.createDirectories(dir.resolve("truth"));
      truth.write(dir.resolve("truth"));
      log(
          "%,d orders loaded in %.1f s: %,d valid, %,d dead letters, %,d result rows",
          orders, loadSeconds, truth.validOrders(), truth.deadLetters(), truth.rows().size());
      List<Lap> laps = new ArrayList<>();
      for (Contender contender : contenders) {
        laps.add(race(contender, broker.bootstrapServers(), topics, orders, dir, truth));
      }
      return new Outcome(orders, orders, loadSeconds, truth, laps);
    } finally {
      deleteTopics(broker.bootstrapServers(), topics);
    }
  }

  /**
   * Deletes a race's topics in one request, to free the broker's disk before the next size. (One by
   * one, a topic still being deleted can fail the next deletion's listing.)
   */
  private static void deleteTopics(String servers, GenerateRaceData.Topics topics)
      throws InterruptedException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      admin
          .deleteTopics(List.of(topics.orders(), topics.products(), topics.customers()))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log("could not delete the topics of this race (%s); they stay until the end of the run", e);
    }
  }

  private Lap race(
      Contender contender,
      String servers,
      GenerateRaceData.Topics topics,
      long orders,
      Path dir,
      RaceResult truth)
      throws IOException, InterruptedException {
    Path out = dir.resolve(contender.id);
    // An earlier race's files under the same output directory would be read as this one's.
    Bench.deleteTree(out);
    Files.createDirectories(out);
    List<String> command = new ArrayList<>();
    command.add(ChildProcesses.javaExecutable());
    command.add("-Xmx" + heap);
    command.add("@" + root.resolve("runners-config/jvm/java17-opens.args"));
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    switch (contender) {
      case FLOOR -> {
        command.addAll(List.of("-cp", classpath(), ReadAndDecode.class.getName()));
        command.addAll(List.of(servers, topics.orders(), out.toString()));
      }
      case NATIVE -> {
        command.addAll(List.of("-cp", classpath(), NativeFlinkJob.class.getName()));
        command.addAll(
            List.of(
                servers, topics.orders(), topics.products(), topics.customers(), out.toString()));
      }
      case KAPPA -> {
        Path jar = bundledJar(root);
        // What scripts/kappa adds: the class archive it made from this jar, if there is one.
        Path archive =
            jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".jsa"));
        if (Files.isRegularFile(archive)
            && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
          command.addAll(
              List.of(
                  "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        // What scripts/kappa gives a backfill: runners-config/jvm/backfill.args, then the JVM
        // options of KAPPA_JAVA_OPTS, whose values win (for experiments).
        command.add("@" + root.resolve("runners-config/jvm/backfill.args"));
        String javaOptions = System.getenv().getOrDefault("KAPPA_JAVA_OPTS", "").strip();
        if (!javaOptions.isEmpty()) {
          command.addAll(List.of(javaOptions.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), "backfill", "order-revenue"));
        command.add("@" + root.resolve("runners-config/flink-embedded.args"));
        command.add("--bootstrapServers=" + servers);
        command.add("--inputTopics=" + topics.orders());
        command.add("--from=" + GenerateRaceData.START.minus(Duration.ofDays(2)));
        command.add("--to=" + GenerateRaceData.end(orders).plus(Duration.ofDays(1)));
        command.add("--productChanges=kafka:" + topics.products());
        command.add("--customerChanges=kafka:" + topics.customers());
        command.add("--output=" + out.resolve("out/results"));
        command.add("--deadLetterOutput=" + out.resolve("out/dead-letters"));
        command.add("--tooLateOutput=" + out.resolve("out/too-late"));
        command.add("--correctionsOutput=" + out.resolve("out/corrections"));
        command.addAll(kappaOptions);
      }
    }
    Path log = dir.resolve(contender.id + ".log");
    Files.writeString(log, String.join(" ", command) + "\n\n");
    long begin = System.nanoTime();
    Process process = ChildProcesses.startLogged(command, root, log);
    RUNNING.add(process);
    int exit;
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.killTree(process.toHandle(), Duration.ofSeconds(10));
        throw new IllegalStateException(contender.id + " did not finish in " + TIMEOUT);
      }
      exit = process.exitValue();
    } catch (InterruptedException e) {
      // Whoever interrupted this race stops it: the contender must not outlive it.
      ChildProcesses.killTree(process.toHandle(), Duration.ofSeconds(10));
      throw e;
    } finally {
      RUNNING.remove(process);
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException(
          contender.id + " exited with " + exit + "; the end of " + log + ":\n" + tail(log));
    }
    RaceResult result =
        contender == Contender.KAPPA ? readKappa(out.resolve("out")) : RaceResult.read(out);
    if (contender == Contender.KAPPA) {
      result.write(out);
    }
    List<String> differences = truth.differences(result);
    log(
        "%-6s %7.1f s  %,9.0f records/s  %s",
        contender.id,
        seconds,
        orders / seconds,
        differences.isEmpty() ? "equal to the ground truth" : "DIFFERENT: " + differences);
    return new Lap(contender, seconds, differences);
  }

  /**
   * What Kappa's backfill wrote: each window's final result (JSON lines of CategoryRevenue, read
   * with Jackson, not our codec), its dead letters, and a check that nothing was too late.
   */
  static RaceResult readKappa(Path out) throws IOException {
    TreeMap<String, String> rows = new TreeMap<>();
    long orders = 0;
    for (String line : lines(out, "results")) {
      JsonNode row = JSON.readTree(line);
      if (!row.path("final_pane").asBoolean()) {
        continue;
      }
      String key =
          RaceResult.key(
              Instant.parse(row.path("window_start").asText()).toEpochMilli(),
              row.path("category").asText(),
              row.path("currency").asText());
      long count = row.path("order_count").asLong();
      orders += count;
      if (rows.put(key, count + " " + row.path("revenue_cents").asLong()) != null) {
        throw new IllegalStateException("two final results for " + key);
      }
    }
    long deadLetters = lines(out, "dead-letters").size();
    int tooLate = lines(out, "too-late").size();
    if (tooLate != 0) {
      throw new IllegalStateException("a backfill diverted " + tooLate + " orders as too late");
    }
    return new RaceResult(rows, true, orders, deadLetters);
  }

  private static List<String> lines(Path dir, String prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "-*.jsonl")) {
      for (Path file : files) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      }
    }
    return lines;
  }

  /** This module's classes and its runtime dependencies (target/benchmarks.classpath). */
  static String classpath() {
    try {
      Path classes =
          Path.of(Race.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path file = classes.getParent().resolve("benchmarks.classpath");
      return classes + java.io.File.pathSeparator + Files.readString(file).strip();
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException(
          "cannot read the contenders' classpath (build with 'mvn -pl benchmarks -am package')", e);
    }
  }

  /** Pipelines' bundled jar: {@code kappa.bundledJar}, else the one built under {@code root}. */
  static Path bundledJar(Path root) {
    Path jar =
        Path.of(
            System.getProperty(
                "kappa.bundledJar",
                root.resolve("pipelines/target/kappa-pipelines-bundled.jar").toString()));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with 'mvn -pl pipelines -am package -DskipTests'");
    }
    return jar;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
    System.out.flush();
  }
}
