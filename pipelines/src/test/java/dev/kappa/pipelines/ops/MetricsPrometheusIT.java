package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kappa.pipelines.report.Chromium;
import dev.kappa.testing.flink.FlinkCluster;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OrderRevenue on a real Flink session cluster, operated as a user would: submitted with {@code
 * kappa run ... @runners-config/flink-cluster.args} (the bundled jar, a JVM of its own), watched
 * through the TaskManager's Prometheus endpoint and {@code kappa status}, stopped with {@code kappa
 * stop --savepoint}, and started again with the exact command that printed. The replay (test orders
 * at 600x) must come out complete across the stop: every window's final result plus the orders
 * diverted as too late equals the expected revenue, every dead letter once. A third launch reads
 * the same orders from a Kafka topic on the shared broker (loaded with {@code kappa
 * produce-orders}), so that every panel of the Grafana dashboard has data, the Kafka backlog's too:
 * each query is checked against the test's Prometheus, {@code kappa dashboard} draws the panels,
 * checked in headless Chromium, and the third job is cancelled with {@code kappa stop --cancel}.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MetricsPrometheusIT {

  private static final String JOB = "order-revenue";
  private static final Pattern PROMETHEUS_PORT =
      Pattern.compile("Started PrometheusReporter HTTP server on port (\\d+)");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The test's Prometheus scrapes more often than runners-config/monitoring's (5 s). */
  private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);

  @TempDir Path dir;

  /** The repository root: where users run scripts/kappa, so @runners-config/... resolves. */
  private static Path repository() {
    return Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
        .toAbsolutePath()
        .normalize()
        .getParent();
  }

  @Test
  void metricsReachPrometheusStatusShowsTheJobAndASavepointResumesIt(KafkaBroker broker)
      throws Exception {
    long testStart = System.nanoTime();
    Path out = dir.resolve("out");
    try (FlinkCluster cluster = FlinkCluster.start(dir.resolve("flink"), 1);
        FlinkRestClient flink = FlinkRestClient.at(cluster.flinkMaster());
        // A real Prometheus server scraping the JobManager and the TaskManager, for the dashboard.
        PrometheusServer prometheusServer =
            PrometheusServer.start(
                repository(),
                dir.resolve("prometheus"),
                List.of(
                    prometheusPort(cluster.jobManagerLog()),
                    prometheusPort(cluster.taskManagers().get(0).logFile())),
                SCRAPE_INTERVAL)) {
      Instant prometheusStart = Instant.now();
      String master = cluster.flinkMaster();
      int prometheus = prometheusPort(cluster.taskManagers().get(0).logFile());

      // 1. Submitted like a user would, without --jobName: the launcher names it order-revenue.
      List<String> run = new ArrayList<>(List.of("run", JOB, "@runners-config/flink-cluster.args"));
      run.addAll(
          List.of(
              "--flinkMaster=" + master,
              "--source=REPLAY",
              "--input=" + RevenueAccounting.testData("orders/orders.jsonl"),
              "--replaySpeedUp=300",
              "--productChanges="
                  + RevenueAccounting.testData("enrichment/products.changelog.jsonl"),
              "--customerChanges="
                  + RevenueAccounting.testData("enrichment/customers.changelog.jsonl"),
              "--output=" + out.resolve("results"),
              "--tooLateOutput=" + out.resolve("too-late"),
              "--deadLetterOutput=" + out.resolve("dead-letters"),
              "--correctionsOutput=" + out.resolve("corrections")));
      Process first = kappa(run, dir.resolve("run-1.log"));
      FlinkRestClient.Job job = awaitRunning(flink, Set.of(), first, dir.resolve("run-1.log"));
      assertThat(job.name(), is(JOB));

      // 2. Beam's counters and Flink's own metrics at the TaskManager's Prometheus endpoint.
      Map<String, Double> metrics =
          await(
              "the first job's metrics at http://localhost:" + prometheus + "/metrics",
              () -> scrape(prometheus, job.id()),
              m ->
                  m.getOrDefault(OPERATOR + "DecodeOrders_decoded", 0.0) >= 60
                      && m.getOrDefault(OPERATOR + "result_recordsOut", 0.0) > 0
                      && m.getOrDefault(OPERATOR + "dead_letter_recordsOut", 0.0) > 0);
      assertThat(metrics.get(OPERATOR + "numRecordsIn"), greaterThan(0.0));
      assertThat(metrics.get(OPERATOR + "numRecordsOut"), greaterThan(0.0));
      assertThat(metrics.get("flink_taskmanager_job_task_numRecordsOut"), greaterThan(0.0));
      assertThat(metrics.get(OPERATOR + "DecodeOrders_deadLetters"), greaterThan(0.0));
      assertThat(
          metrics.get(OPERATOR + "dev_kappa_io_file_ReplayFile_recordsEmitted"), greaterThan(0.0));
      // A Beam distribution reaches Flink as a gauge of text, which the Prometheus reporter
      // exports as 0: the family is there, its value is not (kappa status shows it instead).
      assertThat(metrics, hasKey(OPERATOR + "result_eventTimeLatencyMillis"));
      assertThat(metrics, hasKey(OPERATOR + "currentInputWatermark"));

      // 3. kappa stop with a savepoint, a third of the way through the replay.
      long stopStart = System.nanoTime();
      Result stop = kappaAndWait(List.of("stop", JOB, "--savepoint", "--flinkMaster=" + master));
      long stopMillis = millisSince(stopStart);
      System.out.println("kappa stop " + JOB + " --savepoint:\n" + stop.out() + stop.err());
      assertThat(stop.err(), stop.code(), is(0));
      assertThat(stop.out(), containsString("; the job is FINISHED\nsavepoint: file:"));
      assertThat(first.waitFor(60, TimeUnit.SECONDS), is(true));
      assertThat("the first launcher's exit code", first.exitValue(), is(0));
      String savepoint = line(stop.out(), "savepoint: ").orElseThrow();
      assertThat(Files.isDirectory(Path.of(URI.create(savepoint))), is(true));

      // 4. The printed command, run as it is, resumes the job from the savepoint.
      List<String> resume = resumeCommand(stop.out());
      assertThat(
          resume.subList(0, 4),
          equalTo(List.of("scripts/kappa", "run", JOB, "@runners-config/flink-cluster.args")));
      assertThat(resume.get(resume.size() - 1), is("--savepointPath=" + savepoint));
      long resumeStart = System.nanoTime();
      Process second = kappa(resume.subList(1, resume.size()), dir.resolve("run-2.log"));
      FlinkRestClient.Job resumed =
          awaitRunning(flink, Set.of(job.id()), second, dir.resolve("run-2.log"));
      long restoreMillis = millisSince(resumeStart);
      // The resumed replay lasts about 40 s. On a loaded machine the steps below can take longer,
      // and a finished job's metrics leave the TaskManager's reporter: each metric's highest value
      // while the job ran is kept for step 6.
      MetricsSampler resumedMetrics = MetricsSampler.start(() -> scrape(prometheus, resumed.id()));
      FlinkRestClient.Restore restore = flink.checkpoints(resumed.id()).restored();
      assertThat(restore.savepoint(), is(true));
      assertThat(restore.path(), is(savepoint));

      // 5. kappa status of the resumed job: its vertices, checkpoints and Beam metrics; and a stop
      // that does not say how is refused.
      Result status = kappaAndWait(List.of("status", JOB, "--flinkMaster=" + master));
      System.out.println("kappa status " + JOB + " (resumed):\n" + status.out());
      assertThat(status.err(), status.code(), is(0));
      assertThat(status.out(), startsWith("Job order-revenue (" + resumed.id() + ") at http://"));
      assertThat(status.out(), containsString("\n  state RUNNING for "));
      assertThat(status.out(), containsString("\n  restored from savepoint at "));
      assertThat(status.out(), containsString("; restarts: 0\n"));
      assertThat(status.out(), containsString("\n  Source: ReadOrders/ReplayRecords -> ...  "));
      assertThat(
          status.out(),
          containsString(
              "\nKafka: the job reads no Kafka topic (--source=REPLAY): no consumer lag"));
      Result list = kappaAndWait(List.of("status", "--flinkMaster=" + master));
      // RUNNING, or already FINISHED on a loaded machine (the resumed replay lasts about 40 s).
      assertThat(
          list.out(),
          list.out().contains("\n  " + resumed.id() + "  order-revenue  RUNNING  ")
              || list.out().contains("\n  " + resumed.id() + "  order-revenue  FINISHED  "),
          is(true));

      Result refused = kappaAndWait(List.of("stop", JOB, "--flinkMaster=" + master));
      assertThat(refused.code(), is(2));
      assertThat(refused.err(), startsWith("kappa stop: say how to stop it: --savepoint"));

      // 6. Late data in the resumed part of the replay: accepted late, and diverted as too late.
      Map<String, Double> late =
          await(
              "the resumed job's late-data metrics",
              resumedMetrics::highest,
              m ->
                  m.getOrDefault(
                              OPERATOR
                                  + "dev_kappa_transforms_lateness_DivertTooLateEvents_tooLateRecords",
                              0.0)
                          > 0
                      && m.getOrDefault(OPERATOR + "too_late_recordsOut", 0.0) > 0
                      && m.getOrDefault(
                              OPERATOR
                                  + "dev_kappa_transforms_lateness_DivertTooLateEvents_lateRecordsAccepted",
                              0.0)
                          > 0);
      resumedMetrics.close();

      // The REST API's metrics lag by up to metrics.fetcher.update-interval (10 s).
      Result resumedStatus =
          await(
              "kappa status to show the decoded and too-late records",
              () ->
                  kappaAndWaitUnchecked(List.of("status", resumed.id(), "--flinkMaster=" + master)),
              // Each metric appears once its task first reports it: wait for both asserted below.
              r ->
                  r.out().contains("DivertTooLateEvents/tooLateRecords")
                      && r.out().contains("  DecodeOrders/decoded  "));
      System.out.println("kappa status " + resumed.id() + " (resumed):\n" + resumedStatus.out());
      assertThat(resumedStatus.out(), containsString("\n  restored from savepoint at "));
      assertThat(resumedStatus.out(), containsString("DivertTooLateEvents/tooLateRecords"));
      assertThat(resumedStatus.out(), containsString("  DecodeOrders/decoded  "));
      assertThat(
          resumedStatus
              .out()
              .lines()
              .anyMatch(
                  l -> l.contains("result/eventTimeLatencyMillis  ") && l.contains("  count ")),
          is(true));

      assertThat(second.waitFor(120, TimeUnit.SECONDS), is(true));
      assertThat("the resumed launcher's exit code", second.exitValue(), is(0));

      // 7. Nothing lost, nothing counted twice across the stop. Final panes are summed per window:
      // after a restore, every operator's watermark starts from nothing again, so an order that
      // arrives in the restored job's first moments can be taken as live for a window that
      // closed before the stop, and opens a second final pane for it (counted once all the same).
      // windowsWithSeveralFinalPanes() reports it; docs/operations.md explains it.
      RevenueAccounting.Accounting accounting =
          RevenueAccounting.account(out.resolve("results"), out.resolve("too-late"));
      assertThat(accounting.finalPlusTooLate(), equalTo(RevenueAccounting.expectedRevenue()));
      List<String> tooLate = RevenueAccounting.tooLateOrderIds(out.resolve("too-late"));
      assertThat("too-late orders, once each", new HashSet<>(tooLate).size(), is(tooLate.size()));
      assertThat(
          RevenueAccounting.deadLetterLines(out.resolve("dead-letters")),
          equalTo(RevenueAccounting.expectedDeadLetterLines()));

      // 8. A third launch of the same job reads Kafka: the test orders, loaded with kappa
      // produce-orders into a topic of 2 partitions on the shared broker, so that KafkaIO's
      // backlog per source split reaches Prometheus (reported at each checkpoint) for the
      // dashboard's Kafka backlog panel.
      long kafkaStart = System.nanoTime();
      String topic = "orders-dashboard-" + UUID.randomUUID();
      Result produced =
          kappaAndWait(
              List.of(
                  "produce-orders",
                  RevenueAccounting.testData("orders/orders.jsonl").toString(),
                  "--topic=" + topic,
                  "--partitions=2",
                  "--bootstrapServers=" + broker.bootstrapServers()));
      assertThat(produced.err(), produced.code(), is(0));
      // Its dead letters and too-late orders left at their default, console: on a cluster the
      // launcher sends them to files under <working directory>/.kappa/outputs/<job name>/ and
      // says so. Only the files this launch writes count (the directory outlives the test).
      Path clusterOutputs = repository().resolve(Path.of(".kappa", "outputs", JOB));
      Set<Path> earlierOutputs = outputFiles(clusterOutputs);
      List<String> fromKafka = new ArrayList<>();
      for (String option : run) {
        if (!option.startsWith("--source=")
            && !option.startsWith("--input=")
            && !option.startsWith("--replaySpeedUp=")
            && !option.startsWith("--deadLetterOutput=")
            && !option.startsWith("--tooLateOutput=")) {
          fromKafka.add(option.replace(out.toString(), dir.resolve("from-kafka").toString()));
        }
      }
      fromKafka.addAll(
          List.of(
              "--source=KAFKA",
              "--bootstrapServers=" + broker.bootstrapServers(),
              "--inputTopics=" + topic));
      Process third = kappa(fromKafka, dir.resolve("run-3.log"));
      FlinkRestClient.Job kafkaJob =
          awaitRunning(flink, Set.of(job.id(), resumed.id()), third, dir.resolve("run-3.log"));
      assertThat(kafkaJob.name(), is(JOB));
      long outputsStart = System.nanoTime();
      String submitted = Files.readString(dir.resolve("run-3.log"));
      List<String> goesToFiles =
          List.of(
              "kappa: on a Flink cluster --deadLetterOutput goes to files "
                  + clusterOutputs.resolve("dead-letter")
                  + "-*.jsonl, not to a TaskManager's stdout (set it to console or kafka:<topic>"
                  + " to change that)",
              "kappa: on a Flink cluster --tooLateOutput goes to files "
                  + clusterOutputs.resolve("too-late")
                  + "-*.jsonl, not to a TaskManager's stdout (set it to console or kafka:<topic>"
                  + " to change that)");
      for (String line : goesToFiles) {
        assertThat(submitted, containsString(line + "\n"));
      }
      // The files are there once the sink's first flush (every 5 s) after the job's first dead
      // letter: as many dead letters as the test orders hold (Kafka offsets, not file lines).
      int expectedDeadLetters = RevenueAccounting.expectedDeadLetterLines().size();
      await(
          "the third job's " + expectedDeadLetters + " dead letters in " + clusterOutputs,
          () -> newDeadLetters(clusterOutputs, earlierOutputs),
          count -> count == expectedDeadLetters);
      long outputsMillis = millisSince(outputsStart);

      // 8b. The Grafana dashboard over what Prometheus scraped from the three jobs (range queries:
      // the first two have finished): every query of every panel, as Grafana would send it,
      // returns data, the Kafka backlog's from the third job.
      long dashboardStart = System.nanoTime();
      int queriesChecked = assertDashboardQueriesReturnData(prometheusServer, prometheusStart);
      long dashboardMillis = millisSince(dashboardStart);
      long kafkaMillis = millisSince(kafkaStart);

      // 8c. kappa dashboard: the same panels drawn from Prometheus without Grafana, over the three
      // jobs, and checked in a browser. docs/images/kappa-dashboard.png is this page's screenshot.
      long pictureStart = System.nanoTime();
      String picture = assertDashboardPageDrawsEveryPanel(prometheusServer, prometheusStart);
      long pictureMillis = millisSince(pictureStart);

      // 9. kappa stop --cancel of a running stream: exit 0 and one line, from the stop and from
      // the launcher whose job it cancelled (no JobCancellationException). The stream reading
      // Kafka is the only order-revenue job running: the name finds it.
      long cancelStart = System.nanoTime();
      Result cancel = kappaAndWait(List.of("stop", JOB, "--cancel", "--flinkMaster=" + master));
      System.out.println("kappa stop " + JOB + " --cancel:\n" + cancel.out() + cancel.err());
      assertThat(cancel.err(), cancel.code(), is(0));
      String described = JOB + " (" + kafkaJob.id() + ")";
      assertThat(
          cancel.err(), is("kappa stop: cancelling " + described + " without a savepoint ...\n"));
      assertThat(
          cancel.out(),
          startsWith("kappa stop: " + described + " cancelled; the job is CANCELED\n"));
      assertThat(third.waitFor(60, TimeUnit.SECONDS), is(true));
      String launcherLog = Files.readString(dir.resolve("run-3.log"));
      assertThat(
          "the cancelled launcher's exit code; its log:\n" + launcherLog, third.exitValue(), is(0));
      assertThat(
          launcherLog,
          is(
              String.join("\n", goesToFiles)
                  + "\nkappa run "
                  + JOB
                  + ": CANCELLED (by kappa stop --cancel, the Flink web UI or its REST API)\n"));
      for (Path written : outputFiles(clusterOutputs)) {
        if (!earlierOutputs.contains(written)) {
          Files.delete(written);
        }
      }
      long cancelMillis = millisSince(cancelStart);

      System.out.printf(
          "measured: kappa stop %d ms (%s), launch to restored job running %d ms, late data in"
              + " the resumed job %s, %d results, %d too late, windows with several final panes"
              + " %s, orders produced to Kafka and a third job reading them launched and"
              + " checked in %d ms (%d dashboard queries checked in %d ms), kappa dashboard and"
              + " its page in Chromium %d ms (%s), its dead letters in files under the cluster"
              + " outputs %d ms after it ran, the third job cancelled in %d ms, whole test"
              + " %d ms%n",
          stopMillis,
          line(stop.out(), "kappa stop: ").orElse(""),
          restoreMillis,
          late.entrySet().stream()
              .filter(e -> e.getKey().contains("TooLateEvents") || e.getKey().contains("too_late_"))
              .map(e -> e.getKey().replace(OPERATOR, "") + "=" + e.getValue())
              .toList(),
          accounting.results(),
          accounting.tooLate(),
          accounting.windowsWithSeveralFinalPanes(),
          kafkaMillis,
          queriesChecked,
          dashboardMillis,
          pictureMillis,
          picture,
          outputsMillis,
          cancelMillis,
          millisSince(testStart));
    }
  }

  // ---- Running kappa as a user would ------------------------------------------------------

  private record Result(int code, String out, String err) {}

  /**
   * What {@code scripts/kappa <args>} runs once the jar is built: the bundled jar in a JVM of its
   * own, in the repository root. A copy of the jar, so that a build running meanwhile in the same
   * tree cannot replace it under the test.
   */
  private ProcessBuilder kappaCommand(List<String> args) throws IOException {
    Path jar = dir.resolve("kappa-pipelines-bundled.jar");
    if (!Files.isRegularFile(jar)) {
      Path built = Path.of(System.getProperty("kappa.bundledJar"));
      if (!Files.isRegularFile(built)) {
        throw new IllegalStateException(
            built + " is missing: the package phase builds it before the integration tests");
      }
      Files.copy(built, jar);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@runners-config/jvm/java17-opens.args");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return new ProcessBuilder(command).directory(repository().toFile());
  }

  /** Starts {@code kappa <args>}, its output to {@code log}. */
  private Process kappa(List<String> args, Path log) throws IOException {
    return kappaCommand(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Runs {@code kappa <args>} to its end. */
  private Result kappaAndWait(List<String> args) throws Exception {
    Path stdout = Files.createTempFile(dir, "kappa-", ".out");
    Path stderr = Files.createTempFile(dir, "kappa-", ".err");
    Process process =
        kappaCommand(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("kappa " + args + " did not finish within 3 minutes");
    }
    return new Result(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private Result kappaAndWaitUnchecked(List<String> args) {
    try {
      return kappaAndWait(args);
    } catch (Exception e) {
      throw new IllegalStateException("kappa " + args + " failed", e);
    }
  }

  /** The resume command {@code kappa stop} printed, as the shell would split it. */
  static List<String> resumeCommand(String stopOutput) {
    String text = stopOutput.substring(stopOutput.indexOf("  scripts/kappa "));
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      lines.add(line);
      if (!line.endsWith("\\")) {
        break;
      }
    }
    String joined = String.join("\n", lines).replace("\\\n", " ");
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (char c : joined.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
        inWord = true;
      } else if (!quoted && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** The rest of the first line of {@code text} that starts with {@code prefix}. */
  private static Optional<String> line(String text, String prefix) {
    return text.lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .findFirst();
  }

  // ---- Flink and Prometheus ---------------------------------------------------------------

  /**
   * Runs every query of {@code runners-config/monitoring/kappa-dashboard.json} through the
   * Prometheus HTTP API as a range query from {@code since} to now (what Grafana's time series
   * panels ask), the variables replaced as Grafana would for the job {@code order-revenue}, until
   * each returned a finite sample (the Kafka backlog's, from the job reading Kafka: at five
   * instants) or 60 s passed. Returns how many queries were checked.
   */
  private static int assertDashboardQueriesReturnData(PrometheusServer prometheus, Instant since)
      throws Exception {
    GrafanaDashboard dashboard =
        GrafanaDashboard.read(
            repository().resolve("runners-config/monitoring/kappa-dashboard.json"));
    // The job_name variable's query: label_values(flink_jobmanager_job_uptime, job_name).
    JsonNode jobNames =
        prometheus.api("label/job_name/values", "match[]", "flink_jobmanager_job_uptime");
    List<String> names = new ArrayList<>();
    jobNames.forEach(n -> names.add(n.asText()));
    assertThat(names, hasItem("order_revenue"));

    Map<String, String> values =
        Map.of(
            "DS_PROMETHEUS", "prometheus",
            "job_name", "order_revenue",
            // Grafana's $__rate_interval: four scrape intervals at least.
            "__rate_interval", SCRAPE_INTERVAL.multipliedBy(4).toSeconds() + "s");
    List<GrafanaDashboard.Query> queries = dashboard.queries(values);
    assertThat(queries.size(), greaterThanOrEqualTo(dashboard.panelTitles().size()));
    assertThat(
        "the Kafka backlog panel's query",
        queries.stream().anyMatch(q -> q.expr().contains("_backlog_elements")),
        is(true));
    List<GrafanaDashboard.Query> pending = new ArrayList<>(queries);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      // The Kafka backlog comes at the third job's checkpoints (every 10 s): five samples, so that
      // the page drawn next has a line of it, not a point at its right edge.
      pending.removeIf(
          q ->
              finiteSampleTimes(prometheus.queryRange(q.expr(), since, SCRAPE_INTERVAL))
                  >= (q.expr().contains("_backlog_elements") ? 5 : 1));
      if (pending.isEmpty() || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(1000);
    }
    assertThat("dashboard queries that returned no data within 60 s", pending, empty());
    System.out.printf(
        "dashboard: all %d queries of %d panels returned data%n",
        queries.size(), dashboard.panelTitles().size());
    return queries.size();
  }

  /**
   * Runs {@code kappa dashboard order-revenue} over what Prometheus scraped since {@code since},
   * renders its page in headless Chromium and checks that every panel drew its data. The screenshot
   * is copied to the path in system property {@code kappa.dashboardScreenshot} when it is set (how
   * {@code docs/images/kappa-dashboard.png} is made). Returns the command's line.
   */
  private String assertDashboardPageDrawsEveryPanel(PrometheusServer prometheus, Instant since)
      throws Exception {
    Path page = dir.resolve("dashboard/kappa-dashboard.html");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code =
        DashboardCommand.run(
            new String[] {
              JOB,
              "--prometheus=" + prometheus.url(),
              "--from=" + since,
              "--step=" + SCRAPE_INTERVAL,
              "--scrapeInterval=" + SCRAPE_INTERVAL,
              "--out=" + page
            },
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8),
            repository(),
            Clock.systemUTC());
    String line = stdout.toString(StandardCharsets.UTF_8).trim();
    assertThat(stderr.toString(StandardCharsets.UTF_8), code, is(0));
    System.out.println(line);

    List<GrafanaDashboard.Panel> panels =
        GrafanaDashboard.read(
                repository().resolve("runners-config/monitoring/kappa-dashboard.json"))
            .panels();
    Chromium chromium = Chromium.install(repository(), dir.resolve("chromium"));
    String dom = chromium.dumpDom(page);
    Matcher drawn = Pattern.compile("data-charts-drawn=\"(\\d+)\"").matcher(dom);
    assertThat("the page's script did not finish", drawn.find(), is(true));
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < panels.size(); i++) {
      GrafanaDashboard.Panel panel = panels.get(i);
      // The Kafka backlog has data for the last seconds of the range only (the third job's).
      int least =
          panel.queries().stream().anyMatch(q -> q.expr().contains("_backlog_elements")) ? 10 : 100;
      Matcher pixels =
          Pattern.compile("id=\"panel-" + i + "\"[^>]*data-series-pixels=\"(\\d+)\"").matcher(dom);
      if (!pixels.find()) {
        problems.add(panel.title() + ": drew no series");
      } else if (Integer.parseInt(pixels.group(1)) < least) {
        problems.add(panel.title() + ": drew " + pixels.group(1) + " pixels of series");
      }
    }
    assertThat(problems, empty());
    assertThat(Integer.parseInt(drawn.group(1)), is(panels.size()));

    Path png = chromium.screenshot(page, dir.resolve("dashboard/kappa-dashboard.png"), 1300, 1940);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getRGB(2, 2) & 0xffffff, is(0xffffff));
    String keep = System.getProperty("kappa.dashboardScreenshot");
    if (keep != null && !keep.isBlank()) {
      Files.copy(png, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
      System.out.println("dashboard screenshot copied to " + keep);
    }
    return line;
  }

  /** At how many instants a query_range result holds a finite value (in any of its series). */
  private static int finiteSampleTimes(JsonNode rangeResult) {
    Set<String> times = new HashSet<>();
    for (JsonNode series : rangeResult.path("result")) {
      for (JsonNode sample : series.path("values")) {
        // Prometheus writes infinities as "+Inf" and "-Inf", which Double.parseDouble refuses.
        String text = sample.get(1).asText();
        double value = text.endsWith("Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(text);
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
          times.add(sample.get(0).asText());
        }
      }
    }
    return times.size();
  }

  /** Waits until a job other than {@code earlier} runs with every task RUNNING (or finished). */
  private static FlinkRestClient.Job awaitRunning(
      FlinkRestClient flink, Set<String> earlier, Process launcher, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      for (FlinkRestClient.Job job : flink.jobs()) {
        if (earlier.contains(job.id()) || !job.state().equals("RUNNING")) {
          continue;
        }
        FlinkRestClient.JobDetails details = flink.job(job.id()).orElseThrow();
        if (details.vertices().stream()
            .allMatch(v -> v.status().equals("RUNNING") || v.status().equals("FINISHED"))) {
          return job;
        }
      }
      if (!launcher.isAlive()) {
        throw new IllegalStateException(
            "kappa run exited with " + launcher.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no job ran within 90 s:\n" + Files.readString(log));
  }

  /** The port the Prometheus reporter of a JobManager or TaskManager bound, from its log. */
  private static int prometheusPort(Path taskManagerLog) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Matcher port = PROMETHEUS_PORT.matcher(Files.readString(taskManagerLog));
      if (port.find()) {
        return Integer.parseInt(port.group(1));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "no Prometheus reporter started (ports 9249-9259 all taken?); see " + taskManagerLog);
  }

  /**
   * The samples of one job at {@code http://localhost:<port>/metrics}, summed by metric name over
   * their labels (subtasks, operators).
   */
  static Map<String, Double> scrape(int port, String jobId) {
    String body;
    try {
      body =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Map<String, Double> sums = new TreeMap<>();
    for (String line : body.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.matches() || sample.group(2) == null) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher label = LABEL.matcher(sample.group(2));
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
      if (jobId.equals(labels.get("job_id"))) {
        double value = Double.parseDouble(sample.group(3));
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
          sums.merge(sample.group(1), value, Double::sum);
        }
      }
    }
    return sums;
  }

  /** The files under {@code directory}, none if it does not exist. */
  private static Set<Path> outputFiles(Path directory) {
    if (!Files.isDirectory(directory)) {
      return Set.of();
    }
    try (var files = Files.list(directory)) {
      return new HashSet<>(files.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many dead letters the files of {@code directory} not in {@code earlier} hold. */
  private static int newDeadLetters(Path directory, Set<Path> earlier) {
    int count = 0;
    for (Path file : outputFiles(directory)) {
      String name = file.getFileName().toString();
      if (!earlier.contains(file) && name.startsWith("dead-letter-") && name.endsWith(".jsonl")) {
        count += RevenueAccounting.rows(file).size();
      }
    }
    return count;
  }

  private static <T> T await(String what, Supplier<T> probe, Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 60 s for " + what + "; last seen: " + last);
      }
      Thread.sleep(250);
      last = probe.get();
    }
    return last;
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
