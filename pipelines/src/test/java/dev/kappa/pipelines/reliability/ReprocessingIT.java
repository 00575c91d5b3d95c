package dev.kappa.pipelines.reliability;

import static dev.kappa.pipelines.reliability.ReprocessingOrders.AHEAD;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.onTime;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.produce;
import static dev.kappa.pipelines.reliability.ReprocessingOrders.totals;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.OutputVersions;
import dev.kappa.pipelines.ops.CutoverCommand;
import dev.kappa.pipelines.ops.FlinkRestClient;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import dev.kappa.pipelines.reliability.ReprocessingOrders.Order;
import dev.kappa.testing.flink.FlinkCluster;
import dev.kappa.testing.flink.FlinkClusterExtension;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import dev.kappa.testing.process.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logic change of OrderRevenue end to end on a Flink session cluster, with Kafka and PostgreSQL
 * (docs/reprocessing.md): version 1 (allowed lateness 5 minutes) streams; two orders arrive too
 * late for it; version 2 (allowed lateness 2 hours) reprocesses the topic from its start beside it,
 * with its own consumer group and versioned outputs; {@code kappa cutover} refuses while the
 * differences go unexplained, then explains them by version 1's too-late orders, switches the view
 * and stops version 1 with a savepoint; a forced cutover rolls back. A reader polling the stable
 * view throughout sees version 1's totals, then version 2's, then version 1's again: never an empty
 * or partial table.
 *
 * <p>It runs on the JVM's shared Flink cluster: its two jobs, of parallelism 1, take two slots
 * while both run, and both end by the cutovers (or are cancelled if the test fails).
 *
 * <p>Small data: eleven orders on one partition. Expected totals are sums over the orders produced
 * here, per window and currency, sharing no code with the job.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class, FlinkClusterExtension.class})
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ReprocessingIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Pattern GROUP_LINE =
      Pattern.compile("^(EXPLAINED  |UNEXPLAINED) \\[(\\S+) (\\S+), ", Pattern.MULTILINE);

  /** Then, too late for 5 minutes of lateness, in time for 2 hours. */
  private static final List<Order> LATE =
      List.of(new Order("O-L1", 7, 2, 2100), new Order("O-L2", 17, 3, 3100));

  @Test
  void aNewVersionReprocessesBesideTheLiveOneAndTheCutoverSwitchesReadersAtOnce(
      KafkaBroker broker, PostgresServer postgres, FlinkCluster cluster, @TempDir Path dir)
      throws Exception {
    long stamp = System.nanoTime();
    String orders = "orders-reprocess-" + stamp;
    broker.createTopic(orders, 1);
    String schema = postgres.createSchema("reprocess");
    String jdbcUrl = postgres.jdbcUrl(schema);
    // The results of an unversioned run: a table of the stable name.
    postgres.execute(
        "SET search_path TO "
            + schema
            + ";\n"
            + Files.readString(Path.of("../scripts/sql/schema.sql"), StandardCharsets.UTF_8));

    Path jar = dir.resolve("kappa-pipelines-bundled.jar");
    Files.copy(
        Path.of(System.getProperty("kappa.bundledJar")), jar, StandardCopyOption.REPLACE_EXISTING);
    try (FlinkRestClient flink = FlinkRestClient.at(cluster.flinkMaster())) {
      List<String> common =
          List.of(
              "--runner=FlinkRunner",
              "--flinkMaster=" + cluster.flinkMaster(),
              "--filesToStage=" + jar,
              "--attachedMode=false",
              "--streaming=true",
              "--parallelism=1",
              "--maxParallelism=128",
              "--checkpointingInterval=2000",
              "--source=KAFKA",
              "--bootstrapServers=" + broker.bootstrapServers(),
              "--inputTopics=" + orders,
              "--maxOutOfOrderness=PT1M",
              "--earlyFirings=none",
              "--productChanges=" + testData("enrichment/products.changelog.jsonl"),
              "--customerChanges=" + testData("enrichment/customers.changelog.jsonl"),
              "--output=kafka:revenue-" + stamp,
              "--tooLateOutput=kafka:too-late-" + stamp,
              "--resultsTable=category_revenue",
              "--jdbcUrl=" + jdbcUrl,
              "--jdbcUser=" + postgres.user(),
              "--jdbcPassword=" + postgres.password());

      // 1. An unversioned table of the stable name is refused, with the statements that adopt it.
      InvalidOptionException refused =
          assertThrows(
              InvalidOptionException.class,
              () -> submit(common, "v1", "PT5M"),
              "a table of the stable name");
      assertThat(refused.option(), equalTo("resultsTable"));
      assertThat(
          refused.getMessage(),
          containsString(OutputVersions.migration("order-revenue", "category_revenue")));
      postgres.execute(
          "SET search_path TO "
              + schema
              + ";\n"
              + OutputVersions.migration("order-revenue", "category_revenue"));

      // 2. Version 1 streams: on-time orders, one far ahead, then two too late for it.
      submit(common, "v1", "PT5M");
      String v1 = awaitJob(flink, "order-revenue-v1");
      produce(broker, orders, onTime());
      produce(broker, orders, List.of(AHEAD));
      awaitWatermark(flink, v1, AHEAD.eventTime().minus(Duration.ofMinutes(60)));
      produce(broker, orders, LATE);
      Map<String, List<Long>> expectedV1 = totals(onTime());
      List<Order> all = new ArrayList<>(onTime());
      all.addAll(LATE);
      Map<String, List<Long>> expectedV2 = totals(all);
      awaitTotals(postgres, schema, "category_revenue_v1", expectedV1);
      // The cutover explains differences by version 1's too-late output, read as committed: its
      // two records are visible once a checkpoint of version 1 commits them.
      try (CommittedTopic tooLate =
          CommittedTopic.follow(broker.bootstrapServers(), "too-late-" + stamp + "_v1")) {
        tooLate.await("version 1's too-late orders", WAIT, seen -> seen.size() >= LATE.size());
      }

      // 3. Version 2 reprocesses from the start beside it: kappa reprocess, in a JVM of its own
      // as a user runs it, its output to a file (not a terminal). It submits version 2 to the
      // cluster, shows its progress, and exits 0 once caught up, leaving the job running.
      List<String> v2Options = new ArrayList<>();
      for (String option : common) {
        if (!SUBMISSION.matcher(option).lookingAt()) {
          v2Options.add(option);
        }
      }
      v2Options.addAll(List.of("--outputVersion=v2", "--allowedLateness=PT2H"));
      Path runnersConfig =
          Path.of(System.getProperty("kappa.runnersConfig")).toAbsolutePath().normalize();
      long launched = System.nanoTime();
      String printed;
      try (LaunchedJob reprocess =
          LaunchedJob.start(
              List.of("reprocess", "order-revenue", "--from=earliest"),
              "order-revenue-v2",
              jar,
              runnersConfig,
              cluster.flinkMaster(),
              v2Options,
              Map.of(),
              // Its working directory: where the outputs a cluster job writes to files by default
              // (dead letters, corrections) go, under .kappa/outputs.
              dir,
              dir.resolve("logs"))) {
        int exit = reprocess.awaitExit(LAUNCH);
        printed = reprocess.output();
        // In the test's output: what docs/reprocessing.md quotes.
        System.out.println(printed + "exit " + exit);
        // A job that failed on the shared cluster leaves its cause in the cluster's logs, which
        // go with the JVM's cluster: in the failure message while they are still there.
        assertThat(printed + (exit == 0 ? "" : cluster.logTails()), exit, is(0));
      }
      System.out.printf(
          "kappa reprocess returned after %d s%n",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - launched));
      assertProgress(printed, orders, onTime().size() + 1 + LATE.size());
      // Caught up, and still running on the cluster.
      String v2 = awaitJob(flink, "order-revenue-v2");
      awaitTotals(postgres, schema, "category_revenue_v2", expectedV2);
      // Flink's metrics are up to 10 s old: wait until they show version 2 past the late orders.
      awaitWatermark(flink, v2, AHEAD.eventTime().minus(Duration.ofMinutes(60)));
      assertThat(query(postgres, schema, "category_revenue"), equalTo(expectedV1));

      // A reader of the stable view, from here to the end.
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean reading = new AtomicBoolean(true);
      Thread reader =
          new Thread(
              () -> {
                try (Connection connection =
                    DriverManager.getConnection(jdbcUrl, postgres.user(), postgres.password())) {
                  while (reading.get()) {
                    Map<String, List<Long>> now = query(connection, "category_revenue");
                    String label =
                        now.equals(expectedV1)
                            ? "v1"
                            : now.equals(expectedV2) ? "v2" : now.toString();
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(label)) {
                      seen.add(label);
                    }
                  }
                } catch (SQLException e) {
                  seen.add("reader failed: " + e);
                }
              },
              "stable-view-reader");
      reader.start();

      // 4. Without too-late orders to explain them, the differences refuse the cutover.
      String cutover = "--flinkMaster=" + cluster.flinkMaster();
      String slack = "--watermarkSlack=PT10M";
      // A refused cutover changes nothing, so it is asked again until Flink's REST metrics (up to
      // 10 s old, fetched on first request) show both versions' watermarks.
      Result unexplained =
          JobProbes.await(
              "a cutover that finds both versions caught up",
              WAIT,
              () -> {
                Result tried =
                    cutover(
                        postgres,
                        jdbcUrl,
                        "order-revenue",
                        "--to=v2",
                        cutover,
                        slack,
                        "--tooLate=none");
                return tried.text().contains("caught up: yes") ? tried : null;
              });
      assertThat(unexplained.text(), unexplained.exit(), is(1));
      assertThat(unexplained.text(), containsString("caught up: yes"));
      assertThat(unexplained.text(), containsString("refused, nothing changed"));
      assertThat(
          unexplained.text(), groups(unexplained.text(), "UNEXPLAINED"), equalTo(lateWindows()));
      assertThat(flink.job(v1).orElseThrow().job().state(), equalTo("RUNNING"));

      // 5. Version 1's too-late orders explain exactly the windows the change affected.
      Result switched = cutover(postgres, jdbcUrl, "order-revenue", "--to=v2", cutover, slack);
      assertThat(switched.text(), switched.exit(), is(0));
      assertThat(switched.text(), groups(switched.text(), "EXPLAINED  "), equalTo(lateWindows()));
      assertThat(switched.text(), not(containsString("UNEXPLAINED")));
      assertThat(
          switched.text(),
          containsString("switched: view category_revenue -> category_revenue_v2"));
      assertThat(switched.text(), containsString("fallback savepoint: "));
      awaitEnded(flink, v1);
      assertThat(query(postgres, schema, "category_revenue"), equalTo(expectedV2));

      // 6. Rolling back: version 1 is stopped, so only --force switches back.
      Result back =
          cutover(postgres, jdbcUrl, "order-revenue", "--to=v1", cutover, slack, "--force");
      assertThat(back.text(), back.exit(), is(0));
      assertThat(back.text(), containsString("caught up: NO"));
      assertThat(
          back.text(), containsString("switched: view category_revenue -> category_revenue_v1"));
      awaitEnded(flink, v2);
      assertThat(query(postgres, schema, "category_revenue"), equalTo(expectedV1));

      reading.set(false);
      reader.join(10_000);
      // Never empty, never a mix: one version's totals or the other's, switching at the cutovers.
      assertThat(seen, equalTo(List.of("v1", "v2", "v1")));
      assertThat(live(postgres, schema), equalTo("v1"));

      // 7. Without a Flink cluster (versions on the embedded runner, or the cluster down) a
      // cutover cannot check the versions: exit 3, nothing changed; forced, it switches, and
      // exits 4 as it cannot stop the old version with a savepoint, saying how to.
      String nowhere = "--flinkMaster=localhost:" + unusedPort();
      Result unchecked = cutover(postgres, jdbcUrl, "order-revenue", "--to=v2", nowhere, slack);
      assertThat(unchecked.text(), unchecked.exit(), is(3));
      assertThat(unchecked.text(), containsString("cannot reach the Flink REST API"));
      assertThat(live(postgres, schema), equalTo("v1"));
      Result forced =
          cutover(postgres, jdbcUrl, "order-revenue", "--to=v2", nowhere, slack, "--force");
      assertThat(forced.text(), forced.exit(), is(4));
      assertThat(forced.text(), containsString("caught up: NO"));
      assertThat(forced.text(), containsString("no Flink cluster answers at localhost:"));
      assertThat(
          forced.text(), containsString("switched: view category_revenue -> category_revenue_v2"));
      assertThat(
          forced.text(),
          containsString(
              "could not be stopped with a savepoint: cannot reach the Flink REST API at"));
      assertThat(forced.text(), containsString("on the embedded runner, stop its launcher"));
      assertThat(live(postgres, schema), equalTo("v2"));
      assertThat(query(postgres, schema, "category_revenue"), equalTo(expectedV2));
    } finally {
      // Both versions end with the cutovers; after a failure, whichever still runs is cancelled.
      cluster.cancelJobs(
          name -> name.equals("order-revenue-v1") || name.equals("order-revenue-v2"));
    }
  }

  /** The options of a submission from this JVM that the launcher's cluster argument file sets. */
  private static final Pattern SUBMISSION =
      Pattern.compile("--(runner|flinkMaster|filesToStage|attachedMode)=");

  /** The longest kappa reprocess may take: a JVM, the job's translation and submission, the run. */
  private static final Duration LAUNCH = Duration.ofSeconds(240);

  private static final String WATERMARK = "(none yet|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)";

  /**
   * What kappa reprocess printed, not on a terminal: the backlog per partition, then plain progress
   * lines (records read, the estimate, its watermark against the live version's, per partition),
   * read counts never going back, the last one caught up with the live watermark past the order
   * ahead, then the caught-up line naming the cutover. No bar, no carriage return.
   */
  private static void assertProgress(String printed, String topic, int backlog) {
    assertThat(
        printed,
        containsString(
            "kappa reprocess order-revenue: version v2 reads "
                + topic
                + " from the earliest offsets with consumer group kappa-order-revenue-v2: a"
                + " backlog of "
                + backlog
                + " records ("
                + topic
                + "[0] 0/"
                + backlog
                + ")\n"));
    Pattern progress =
        Pattern.compile(
            "^(\\d+)% (\\d+)/"
                + backlog
                + " records, (caught up|time left unknown until the first checkpoint commits"
                + " offsets|.+ left); watermark "
                + WATERMARK
                + " \\(live (none|"
                + WATERMARK
                + ")"
                + "\\) \\("
                + Pattern.quote(topic)
                + "\\[0\\] (\\d+)/"
                + backlog
                + "\\)$",
            Pattern.MULTILINE);
    Matcher line = progress.matcher(printed);
    List<Long> read = new ArrayList<>();
    String last = null;
    List<String> live = new ArrayList<>();
    while (line.find()) {
      long records = Long.parseLong(line.group(2));
      assertThat(line.group(), Long.parseLong(line.group(7)), is(records));
      assertThat(
          line.group(), Long.parseLong(line.group(1)), is(Math.round(100.0 * records / backlog)));
      read.add(records);
      last = line.group();
      if (!line.group(5).equals("none")) {
        live.add(line.group(5));
      }
    }
    assertThat(printed, read, not(empty()));
    assertThat(printed, read, equalTo(read.stream().sorted().toList()));
    assertThat(printed, last, containsString(backlog + "/" + backlog + " records, caught up;"));
    // The live version read the order two hours ahead: its watermark is past every window. (A
    // line shows the watermarks last known when the cluster did not answer in time: none at
    // first, so at least one line, not every one, has the live watermark.)
    assertThat(printed, live, not(empty()));
    for (String watermark : live) {
      assertThat(
          printed,
          Instant.parse(watermark.replace(' ', 'T') + "Z"),
          greaterThanOrEqualTo(AHEAD.eventTime().minus(Duration.ofMinutes(1))));
    }
    assertThat(
        printed,
        Pattern.compile(
                "^kappa reprocess: v2 has caught up with the backlog in .+; compare and switch"
                    + " with: kappa cutover order-revenue --to=v2 \\(the job keeps running\\)$",
                Pattern.MULTILINE)
            .matcher(printed)
            .find(),
        is(true));
    assertThat(printed, not(containsString("\r")));
    assertThat(printed, not(containsString("[#")));
  }

  /** A port nothing listens on: free, below the range outgoing connections take theirs from. */
  private static int unusedPort() {
    return Ports.freePorts("127.0.0.1", 1)[0];
  }

  /** The window starts of the late orders, as the report prints them. */
  private static List<String> lateWindows() {
    return LATE.stream().map(o -> o.windowStart().toString()).sorted().toList();
  }

  /** The window starts of the report's groups with {@code verdict}. */
  private static List<String> groups(String report, String verdict) {
    List<String> windows = new ArrayList<>();
    Matcher matcher = GROUP_LINE.matcher(report);
    while (matcher.find()) {
      if (matcher.group(1).equals(verdict)) {
        windows.add(Instant.parse(matcher.group(2) + "T" + matcher.group(3) + ":00Z").toString());
      }
    }
    return windows.stream().sorted().toList();
  }

  private record Result(int exit, String text) {}

  private static Result cutover(
      PostgresServer postgres, String jdbcUrl, String job, String... options) {
    List<String> args = new ArrayList<>(List.of(job, "--jdbcUrl=" + jdbcUrl));
    args.add("--jdbcUser=" + postgres.user());
    args.addAll(List.of(options));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(text, true, StandardCharsets.UTF_8);
    int exit =
        CutoverCommand.run(
            args.toArray(String[]::new),
            both,
            both,
            Map.of("KAPPA_JDBC_PASSWORD", postgres.password()));
    Result result = new Result(exit, text.toString(StandardCharsets.UTF_8));
    // In the test's output: what docs/reprocessing.md quotes.
    System.out.println(
        "$ kappa cutover " + String.join(" ", args) + "\n" + result.text() + "exit " + exit);
    return result;
  }

  /** Submits a version of OrderRevenue, detached, named as the launcher names it. */
  private static void submit(List<String> common, String version, String allowedLateness) {
    List<String> args = new ArrayList<>(common);
    args.add("--outputVersion=" + version);
    args.add("--jobName=order-revenue-" + version);
    args.add("--allowedLateness=" + allowedLateness);
    OrderRevenue job = new OrderRevenue();
    JobRunner.run(job, JobRunner.parse(job, args.toArray(String[]::new)));
  }

  private static String awaitJob(FlinkRestClient flink, String name) {
    return JobProbes.await(
        "job " + name + " running",
        WAIT,
        () ->
            flink.jobs().stream()
                .filter(j -> j.name().equals(name) && j.state().equals("RUNNING"))
                .map(FlinkRestClient.Job::id)
                .findFirst()
                .orElse(null));
  }

  private static void awaitEnded(FlinkRestClient flink, String jobId) {
    JobProbes.await(
        "job " + jobId + " ended",
        WAIT,
        () ->
            flink.job(jobId).map(d -> d.job().isActive() ? null : d.job().state()).orElse("gone"));
  }

  /** Waits until every running vertex of the job has an input watermark at or past {@code at}. */
  private static void awaitWatermark(FlinkRestClient flink, String jobId, Instant at) {
    JobProbes.await(
        "the watermark of " + jobId + " at " + at,
        WAIT,
        () -> {
          long lowest = Long.MAX_VALUE;
          for (FlinkRestClient.Vertex vertex : flink.job(jobId).orElseThrow().vertices()) {
            if (vertex.status().equals("RUNNING")) {
              OptionalLong mark = flink.inputWatermark(jobId, vertex.id());
              if (mark.isPresent()) {
                lowest = Math.min(lowest, mark.getAsLong());
              }
            }
          }
          return lowest != Long.MAX_VALUE && lowest >= at.toEpochMilli() ? lowest : null;
        });
  }

  private static void awaitTotals(
      PostgresServer postgres, String schema, String table, Map<String, List<Long>> expected) {
    JobProbes.await(
        table + " holding " + expected,
        WAIT,
        () -> query(postgres, schema, table).equals(expected) ? true : null);
  }

  private static Map<String, List<Long>> query(
      PostgresServer postgres, String schema, String table) {
    try (Connection connection =
        DriverManager.getConnection(
            postgres.jdbcUrl(schema), postgres.user(), postgres.password())) {
      return query(connection, table);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Totals per window start and currency, in one statement: one snapshot of the table. */
  private static Map<String, List<Long>> query(Connection connection, String table)
      throws SQLException {
    Map<String, List<Long>> totals = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT window_start, currency, sum(order_count), sum(revenue_cents) FROM "
                    + table
                    + " GROUP BY window_start, currency")) {
      while (rows.next()) {
        totals.put(
            rows.getTimestamp(1).toInstant() + " " + rows.getString(2),
            List.of(rows.getLong(3), rows.getLong(4)));
      }
    }
    return totals;
  }

  private static String live(PostgresServer postgres, String schema) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                postgres.jdbcUrl(schema), postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT version FROM kappa_live_versions WHERE job = 'order-revenue'")) {
      return row.next() ? row.getString(1) : null;
    }
  }

  private static String testData(String path) {
    return Path.of(System.getProperty("kappa.testData"), path)
        .toAbsolutePath()
        .normalize()
        .toString();
  }
}
