package dev.kappa.benchmarks;

import dev.kappa.testing.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
 * <p>With {@code --streaming}, the streaming race instead ({@link StreamingRace}): the native job
 * and {@code kappa run order-revenue} as streams, one after the other, on orders produced at fixed
 * rates (by default 50% and 90% of the capacity measured first: the lower of the two contenders'
 * rates on a backlog), with the event-time latency of their window results. Writes {@code
 * streaming.md} and {@code streaming.svg}.
 *
 * <pre>
 * Options: --orders=N[,M...]  sizes (default 1000000,4000000)
 *          --sizes=small      20000 orders, a quick check
 *          --out=DIR          where reports and logs go (default benchmarks/target/bench)
 *          --seed=N           the generator's seed (default 11)
 *          --heap=SIZE        each contender JVM's -Xmx (default 2g)
 * Streaming: --streaming      the streaming race instead of the backfill race
 *          --rates=R[,R...]   orders per second (default 50% and 90% of the capacity)
 *          --capacity=R       the capacity the default rates are taken from, instead of measuring it
 *          --backlog=N        orders in the capacity measurement's backlog (default 300000)
 *          --seconds=N        how long each contender is fed at each rate (default 60; 0: measure
 *                             the capacity only)
 *          --window=DURATION  the tumbling window (default PT10S)
 *          --maxOutOfOrderness=DURATION  the watermark's bound (default PT1S)
 *          --settle=DURATION  the live phase's start whose windows are the start-up, reported
 *                             apart from the measured ones (default PT20S)
 *          --contenders=native,kappa  which contenders run (default both)
 *          --kappaOptions="--a=b --c=d"  more options for kappa's job, for experiments (both races;
 *                             an --autoWatermarkInterval there is the native stream's too)
 * Environment: KAPPA_JAVA_OPTS  JVM options for the backfill race's kappa contender, as
 *                             scripts/kappa adds them to its launches (e.g. -XX:+UseParallelGC)
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
    boolean streaming = false;
    List<Double> rates = List.of();
    double capacity = 0;
    long backlog = 300_000;
    long seconds = 60;
    Duration window = Duration.ofSeconds(10);
    Duration maxOutOfOrderness = Duration.ofSeconds(1);
    Duration settle = Duration.ofSeconds(20);
    List<String> kappaOptions = List.of();
    List<StreamingRace.Contender> contenders = List.of(StreamingRace.Contender.values());
    for (String arg : args) {
      try {
        if (arg.equals("--streaming")) {
          streaming = true;
        } else if (arg.startsWith("--rates=")) {
          rates =
              Arrays.stream(arg.substring(8).split(","))
                  .map(r -> Double.parseDouble(r.strip().replace("_", "")))
                  .toList();
        } else if (arg.startsWith("--capacity=")) {
          capacity = Double.parseDouble(arg.substring(11).replace("_", ""));
        } else if (arg.startsWith("--backlog=")) {
          backlog = Long.parseLong(arg.substring(10).replace("_", ""));
        } else if (arg.startsWith("--seconds=")) {
          seconds = Long.parseLong(arg.substring(10));
        } else if (arg.startsWith("--window=")) {
          window = Duration.parse(arg.substring(9));
        } else if (arg.startsWith("--kappaOptions=")) {
          kappaOptions = List.of(arg.substring(15).strip().split("\\s+"));
        } else if (arg.startsWith("--contenders=")) {
          contenders =
              Arrays.stream(arg.substring(13).split(","))
                  .map(c -> StreamingRace.Contender.valueOf(c.strip().toUpperCase(Locale.ROOT)))
                  .toList();
        } else if (arg.startsWith("--maxOutOfOrderness=")) {
          maxOutOfOrderness = Duration.parse(arg.substring(20));
        } else if (arg.startsWith("--settle=")) {
          settle = Duration.parse(arg.substring(9));
        } else if (arg.startsWith("--orders=")) {
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
      } catch (DateTimeParseException e) {
        usage(arg + " needs an ISO-8601 duration such as PT10S");
      } catch (IllegalArgumentException e) {
        usage(arg + ": " + e.getMessage());
      }
    }
    if (streaming) {
      if (rates.stream().anyMatch(r -> r <= 0)
          || capacity < 0
          || (seconds < 10 && seconds != 0)
          || backlog < 10_000) {
        usage(
            "--rates and --capacity must be positive, --seconds at least 10 (or 0: the capacity"
                + " only), --backlog at least 10000");
      }
      if (window.toMillis() < 1000 || maxOutOfOrderness.isNegative()) {
        usage("--window must be at least PT1S, --maxOutOfOrderness not negative");
      }
      if (settle.isNegative()
          || (seconds > 0
              && settle.plus(window.multipliedBy(2)).plus(maxOutOfOrderness).getSeconds()
                  > seconds)) {
        usage(
            "--settle must not be negative and must leave two windows and the out-of-orderness"
                + " bound of the --seconds measured");
      }
      streaming(
          root,
          out,
          seed,
          heap,
          rates,
          capacity,
          backlog,
          seconds,
          contenders,
          new StreamingRace(root, heap, window, maxOutOfOrderness, settle, kappaOptions));
      return;
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
    Race race = new Race(root, heap, kappaOptions);
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

  private static void streaming(
      Path root,
      Path out,
      long seed,
      String heap,
      List<Double> rates,
      double capacity,
      long backlog,
      long seconds,
      List<StreamingRace.Contender> contenders,
      StreamingRace race)
      throws IOException, InterruptedException {
    Files.createDirectories(out);
    Path brokerDir = out.resolve("broker-data");
    deleteTree(brokerDir);
    List<StreamingRace.Capacity> capacities = new ArrayList<>();
    List<StreamingRace.Lap> laps = new ArrayList<>();
    Path dir = out.resolve("streaming");
    deleteTree(dir);
    try (KafkaBroker broker = KafkaBroker.start(brokerDir)) {
      Race.log("broker at %s; results in %s", broker.bootstrapServers(), out);
      if (rates.isEmpty()) {
        if (capacity == 0) {
          for (StreamingRace.Contender contender : contenders) {
            capacities.add(race.capacity(broker, contender, backlog, seed, dir));
          }
          capacity =
              capacities.stream()
                  .mapToDouble(StreamingRace.Capacity::ordersPerSecond)
                  .min()
                  .orElseThrow();
        }
        rates = List.of(Math.floor(capacity * 0.5), Math.floor(capacity * 0.9));
        Race.log("capacity %,.0f orders/s: rates %s", capacity, rates);
      }
      for (double rate : seconds == 0 ? List.<Double>of() : rates) {
        for (StreamingRace.Contender contender : contenders) {
          laps.add(race.run(broker, contender, rate, seconds, seed, dir));
        }
      }
    } finally {
      deleteTree(brokerDir);
    }
    String table = Report.streamingMarkdown(capacity, capacities, laps);
    System.out.println();
    System.out.println(table);
    Files.writeString(
        out.resolve("streaming.md"),
        "# Streaming race, " + Instant.now() + "\n\n" + table,
        StandardCharsets.UTF_8);
    Files.writeString(
        out.resolve("streaming.svg"), Report.streamingSvg(laps), StandardCharsets.UTF_8);
    Race.log("wrote %s and %s", out.resolve("streaming.md"), out.resolve("streaming.svg"));
    boolean equal =
        laps.stream().allMatch(l -> l.differences().isEmpty())
            && capacities.stream().allMatch(c -> c.differences().isEmpty());
    if (!equal) {
      System.err.println("kappa bench: a contender's results differ from the ground truth");
      System.exit(1);
    }
  }

  private static void usage(String problem) {
    System.err.println(
        "kappa bench: "
            + problem
            + "; use --orders=N[,M], --sizes=small, --out=DIR, --seed=N, --heap=SIZE, or"
            + " --streaming [--rates=R[,R]] [--capacity=R] [--backlog=N] [--seconds=N]"
            + " [--window=PT10S] [--maxOutOfOrderness=PT1S] [--settle=PT20S]");
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
