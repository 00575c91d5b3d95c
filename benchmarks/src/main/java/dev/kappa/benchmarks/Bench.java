package dev.kappa.benchmarks;

import dev.kappa.testing.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code scripts/kappa bench}: the backfill race at one or more sizes, in one invocation.
 *
 * <p>Starts a Kafka broker (its own JVM, random ports, data under the output directory), and for
 * each size loads the data and runs the floor, the native Flink job and Kappa's backfill one after
 * the other ({@link Race}). Prints a table of wall time, records/s and ratios, and writes it as
 * Markdown ({@code bench.md}) with an SVG bar chart ({@code bench.svg}) to the output directory.
 * Exits 1 if any contender's results differ from the ground truth: equal work is the condition of
 * the race.
 *
 * <pre>
 * Options: --orders=N[,M...]  sizes (default 1000000,4000000)
 *          --sizes=small      20000 orders, a quick check
 *          --out=DIR          where reports and logs go (default benchmarks/target/bench)
 *          --seed=N           the generator's seed (default 11)
 *          --heap=SIZE        each contender JVM's -Xmx (default 2g)
 * </pre>
 */
public final class Bench {
  private Bench() {}

  static final long SMALL = 20_000;

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    List<Long> sizes = List.of(1_000_000L, 4_000_000L);
    Path root = Race.findRoot();
    Path out = root.resolve("benchmarks/target/bench");
    long seed = 11;
    String heap = "2g";
    for (String arg : args) {
      try {
        if (arg.startsWith("--orders=")) {
          sizes =
              Arrays.stream(arg.substring(9).split(","))
                  .map(s -> Long.parseLong(s.strip().replace("_", "")))
                  .toList();
        } else if (arg.equals("--sizes=small")) {
          sizes = List.of(SMALL);
        } else if (arg.startsWith("--out=")) {
          out = Path.of(arg.substring(6)).toAbsolutePath();
        } else if (arg.startsWith("--seed=")) {
          seed = Long.parseLong(arg.substring(7));
        } else if (arg.startsWith("--heap=")) {
          heap = arg.substring(7);
        } else {
          usage("unknown argument " + arg);
        }
      } catch (NumberFormatException e) {
        usage(arg + " needs a number");
      }
    }
    if (sizes.stream().anyMatch(n -> n < 1000)) {
      System.err.println("kappa bench: --orders must be at least 1000 each");
      System.exit(2);
    }
    Files.createDirectories(out);
    // Under the output directory, so that a run stopped with Ctrl-C leaves nothing elsewhere; the
    // next run starts from an empty broker.
    Path brokerDir = out.resolve("broker-data");
    deleteTree(brokerDir);
    List<Race.Outcome> outcomes = new ArrayList<>();
    Race race = new Race(root, heap);
    try (KafkaBroker broker = KafkaBroker.start(brokerDir)) {
      Race.log("broker at %s; results in %s", broker.bootstrapServers(), out);
      for (long orders : sizes) {
        outcomes.add(
            race.run(
                broker, orders, seed, out.resolve("n" + orders), List.of(Race.Contender.values())));
      }
    } finally {
      deleteTree(brokerDir);
    }
    String table = Report.markdown(outcomes);
    System.out.println();
    System.out.println(table);
    Files.writeString(
        out.resolve("bench.md"),
        "# Backfill race, " + Instant.now() + "\n\n" + table,
        StandardCharsets.UTF_8);
    Files.writeString(out.resolve("bench.svg"), Report.svg(outcomes), StandardCharsets.UTF_8);
    Race.log("wrote %s and %s", out.resolve("bench.md"), out.resolve("bench.svg"));
    if (!outcomes.stream().allMatch(Race.Outcome::allEqual)) {
      System.err.println("kappa bench: a contender's results differ from the ground truth");
      System.exit(1);
    }
  }

  private static void usage(String problem) {
    System.err.println(
        "kappa bench: "
            + problem
            + "; use --orders=N[,M], --sizes=small, --out=DIR, --seed=N, --heap=SIZE");
    System.exit(2);
  }

  /** Deletes {@code dir} and everything under it, if it exists. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
