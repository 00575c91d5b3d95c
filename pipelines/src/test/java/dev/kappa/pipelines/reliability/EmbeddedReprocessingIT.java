package dev.kappa.pipelines.reliability;

import static dev.kappa.pipelines.reliability.ReprocessingOrders.AHEAD;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.onTime;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.produce;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.totals;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.pipelines.job.OutputVersions;
import dev.kappa.pipelines.reliability.ReprocessingOrders.Order;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import dev.kappa.testing.process.ChildProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kappa reprocess} on the embedded Flink runner (docs/reprocessing.md), as a user runs it:
 * {@code java -jar kappa-pipelines-bundled.jar reprocess order-revenue --from=earliest
 * @runners-config/flink-embedded.args ...} in a JVM of its own, its output (not a terminal) to a
 * file. It positions version 2's consumer group at the earliest offsets of a small topic, runs the
 * job in the launcher's JVM, prints plain progress lines (the embedded job's watermark {@code n/a
 * (embedded)}, no live version on a cluster to ask) and the caught-up line naming {@code kappa
 * cutover --force}; the job then keeps running, its versioned table holding the orders' totals,
 * until SIGTERM cancels it and the launcher exits as {@code kappa run} does (143, the JVM's code
 * for SIGTERM, after "kappa: stopped in").
 *
 * <p>Small data: eleven orders on one partition; the totals expected are sums over the orders
 * produced here, sharing no code with the job.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class EmbeddedReprocessingIT {

  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final String GROUP = "kappa-order-revenue-embedded-it";

  @Test
  void reprocessOnTheEmbeddedRunnerShowsItsProgressThenRunsOnUntilStopped(
      KafkaBroker broker, PostgresServer postgres, @TempDir Path dir) throws Exception {
    long stamp = System.nanoTime();
    String topic = "orders-embedded-" + stamp;
    broker.createTopic(topic, 1);
    List<Order> orders = new ArrayList<>(onTime());
    orders.add(AHEAD);
    produce(broker, topic, orders);
    String schema = postgres.createSchema("reprocess_embedded");
    // The stable name as a view of the live version 1's table (the documented migration), and
    // version 2's table like it: with version 1 never launched as such, nothing records the table
    // the launcher would create it like.
    postgres.execute(
        "SET search_path TO "
            + schema
            + ";\n"
            + Files.readString(Path.of("../scripts/sql/schema.sql"), StandardCharsets.UTF_8)
            + "\n"
            + OutputVersions.migration("order-revenue", "category_revenue")
            + "\nCREATE TABLE category_revenue_v2 (LIKE category_revenue_v1 INCLUDING ALL);");

    Path runnersConfig =
        Path.of(System.getProperty("kappa.runnersConfig")).toAbsolutePath().normalize();
    Path jar = dir.resolve("kappa-pipelines-bundled.jar");
    Files.copy(
        Path.of(System.getProperty("kappa.bundledJar")), jar, StandardCopyOption.REPLACE_EXISTING);
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> command =
        new ArrayList<>(
            List.of(
                ChildProcesses.javaExecutable(),
                "@" + runnersConfig.resolve("jvm/java17-opens.args"),
                // The mini cluster's temporary files stay in the test's directory.
                "-Djava.io.tmpdir=" + tmp,
                "-jar",
                jar.toString(),
                "reprocess",
                "order-revenue",
                "--from=earliest",
                "@" + runnersConfig.resolve("flink-embedded.args"),
                // The argument file names it relative to the repository root.
                "--flinkConfDir=" + runnersConfig.resolve("flink/embedded"),
                "--parallelism=1",
                "--checkpointingInterval=2000",
                "--streaming=true",
                "--source=KAFKA",
                "--bootstrapServers=" + broker.bootstrapServers(),
                "--inputTopics=" + topic,
                // A group of its own: ReprocessingIT's version 2 shares this JVM's broker, and a
                // group that committed offsets before is refused.
                "--consumerGroup=" + GROUP,
                "--maxOutOfOrderness=PT1M",
                "--earlyFirings=none",
                "--allowedLateness=PT2H",
                "--productChanges=" + testData("enrichment/products.changelog.jsonl"),
                "--customerChanges=" + testData("enrichment/customers.changelog.jsonl"),
                "--output=kafka:revenue-" + stamp,
                "--tooLateOutput=kafka:too-late-" + stamp,
                "--resultsTable=category_revenue",
                "--jdbcUrl=" + postgres.jdbcUrl(schema),
                "--jdbcUser=" + postgres.user(),
                "--jdbcPassword=" + postgres.password(),
                "--outputVersion=v2"));
    Path log = dir.resolve("reprocess.log");
    long launched = System.nanoTime();
    Process process = ChildProcesses.startLogged(command, dir, log);
    try {
      String caughtUp = "kappa reprocess: v2 has caught up with the backlog in ";
      awaitText(process, log, caughtUp, WAIT);
      double caughtUpAfter = (System.nanoTime() - launched) / 1e9;
      String printed = ChildProcesses.logTailOrReason(log, 256 * 1024);
      assertProgress(printed, topic, orders.size());
      assertThat(
          printed,
          Pattern.compile(
                  "^kappa reprocess: v2 has caught up with the backlog in .+; compare and switch"
                      + " with: kappa cutover order-revenue --to=v2 --force \\(the job keeps"
                      + " running in this launcher until it is stopped: Ctrl-C or SIGTERM\\)$",
                  Pattern.MULTILINE)
              .matcher(printed)
              .find(),
          is(true));

      // Caught up, the job runs on in the launcher: its versioned table gets every window.
      Map<String, List<Long>> expected = totals(onTime());
      JobProbes.await(
          "category_revenue_v2 holding " + expected,
          WAIT,
          () -> {
            if (!process.isAlive()) {
              throw new AssertionError(
                  "the launcher exited with "
                      + process.exitValue()
                      + ":\n"
                      + ChildProcesses.logTailOrReason(log, 64 * 1024));
            }
            return query(postgres, schema, "category_revenue_v2").equals(expected) ? true : null;
          });
      assertThat(process.isAlive(), is(true));

      long signalled = System.nanoTime();
      process.destroy(); // SIGTERM
      boolean exited = ChildProcesses.awaitExit(process.toHandle(), Duration.ofSeconds(60));
      String output = ChildProcesses.logTailOrReason(log, 256 * 1024);
      System.out.printf(
          "EmbeddedReprocessingIT: caught up %.1f s after the launch; SIGTERM: exited %s after"
              + " %.1f s%n",
          caughtUpAfter,
          exited ? "with " + process.exitValue() : "NOT",
          (System.nanoTime() - signalled) / 1e9);
      // In the test's output: what docs/reprocessing.md quotes.
      output
          .lines()
          .filter(line -> line.startsWith("kappa") || line.matches("^\\d+% .*"))
          .forEach(line -> System.out.println("EmbeddedReprocessingIT:   " + line));
      assertThat(output, exited, is(true));
      assertThat(output, process.exitValue(), is(143));
      assertThat(output, containsString("kappa: stopping: cancelling order-revenue-v2 ("));
      assertThat(output, containsString(", embedded Flink)\n"));
      // The cancellation completed (a failed one says "kappa: stopping ... failed").
      assertThat(output, containsString("\nkappa: stopped in "));
      assertThat(output, not(containsString("Exception in thread")));
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Plain progress lines: records read never going back, the embedded watermark not asked, no live
   * version to ask, the last one caught up; no bar, no carriage return.
   */
  private static void assertProgress(String printed, String topic, int backlog) {
    assertThat(
        printed,
        containsString(
            "kappa reprocess order-revenue: version v2 reads "
                + topic
                + " from the earliest offsets with consumer group "
                + GROUP
                + "-v2: a"
                + " backlog of "
                + backlog
                + " records ("
                + topic
                + "[0] 0/"
                + backlog
                + ")\n"));
    Matcher line =
        Pattern.compile(
                "^(\\d+)% (\\d+)/"
                    + backlog
                    + " records, (caught up|time left unknown until the first checkpoint commits"
                    + " offsets|.+ left); watermark n/a \\(embedded\\) \\(live n/a\\) \\("
                    + Pattern.quote(topic)
                    + "\\[0\\] (\\d+)/"
                    + backlog
                    + "\\)$",
                Pattern.MULTILINE)
            .matcher(printed);
    List<Long> read = new ArrayList<>();
    String last = null;
    while (line.find()) {
      long records = Long.parseLong(line.group(2));
      assertThat(line.group(), Long.parseLong(line.group(4)), is(records));
      assertThat(
          line.group(), Long.parseLong(line.group(1)), is(Math.round(100.0 * records / backlog)));
      read.add(records);
      last = line.group();
    }
    assertThat(printed, read, not(empty()));
    assertThat(printed, read, equalTo(read.stream().sorted().toList()));
    assertThat(printed, last, containsString(backlog + "/" + backlog + " records, caught up;"));
    assertThat(printed, not(containsString("\r")));
    assertThat(printed, not(containsString("[#")));
  }

  /**
   * Polls the launcher's log (JobProbes.await) until it holds {@code text}; fails at once, with the
   * log, if the launcher exits first.
   */
  private static void awaitText(Process process, Path log, String text, Duration timeout) {
    JobProbes.await(
        "'" + text + "' in " + log,
        timeout,
        () -> {
          String output = ChildProcesses.logTailOrReason(log, 256 * 1024);
          if (output.contains(text)) {
            return true;
          }
          if (!process.isAlive()) {
            throw new AssertionError(
                "the launcher exited with "
                    + process.exitValue()
                    + " before '"
                    + text
                    + "':\n"
                    + output);
          }
          return null;
        });
  }

  private static Map<String, List<Long>> query(
      PostgresServer postgres, String schema, String table) {
    try (Connection connection =
            DriverManager.getConnection(
                postgres.jdbcUrl(schema), postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT window_start, currency, sum(order_count), sum(revenue_cents) FROM "
                    + table
                    + " GROUP BY window_start, currency")) {
      Map<String, List<Long>> totals = new TreeMap<>();
      while (rows.next()) {
        totals.put(
            rows.getTimestamp(1).toInstant() + " " + rows.getString(2),
            List.of(rows.getLong(3), rows.getLong(4)));
      }
      return totals;
    } catch (SQLException e) {
      // Not created yet: the job creates it at launch.
      return Map.of();
    }
  }

  private static String testData(String path) {
    return Path.of(System.getProperty("kappa.testData"), path)
        .toAbsolutePath()
        .normalize()
        .toString();
  }
}
