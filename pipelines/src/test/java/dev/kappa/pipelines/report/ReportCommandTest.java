package dev.kappa.pipelines.report;

import static dev.kappa.pipelines.report.ReportRecords.deadLetter;
import static dev.kappa.pipelines.report.ReportRecords.pane;
import static dev.kappa.pipelines.report.ReportRecords.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.CategoryRevenue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int report(String... args) {
    return ReportCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        dir,
        Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneOffset.UTC));
  }

  private static <T extends SpecificRecordBase> void write(
      Path file, Class<T> type, List<T> records) throws IOException {
    EventCodec<T> codec = EventCodec.of(type);
    Files.createDirectories(file.getParent());
    Files.write(file, records.stream().map(codec::toJson).toList(), StandardCharsets.UTF_8);
  }

  private void writeRun(Path outputs) throws IOException {
    write(
        outputs.resolve("results-00000-of-00002.jsonl"),
        CategoryRevenue.class,
        List.of(
            pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false),
            pane("audio", "USD", 0, 2, 2550, "ON_TIME", 1, true)));
    write(
        outputs.resolve("results-00001-of-00002.jsonl"),
        CategoryRevenue.class,
        List.of(pane("books", "EUR", 1, 1, 1999, "ON_TIME", 0, true)));
    write(
        outputs.resolve("too-late-00000-of-00001.jsonl"),
        dev.kappa.schemas.results.TooLateOrder.class,
        List.of(tooLate("O-7", "USD", 0, 2, 500)));
    write(
        outputs.resolve("dead-letters-00000-of-00001.jsonl"),
        dev.kappa.schemas.common.DeadLetter.class,
        List.of(deadLetter("DecodeOrders", "JsonParseException", "Unexpected <end>", 4)));
  }

  private String page(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** The JSON the page's script draws from. */
  private static String charts(String page) {
    Matcher matcher = Pattern.compile("const CHARTS = (.*);\n").matcher(page);
    assertThat("no chart data in the page", matcher.find(), is(true));
    return matcher.group(1);
  }

  @Test
  void readsTheRunsOutputFilesAndWritesOneSelfContainedPage() throws IOException {
    writeRun(dir.resolve("out"));
    int code =
        report(
            "order-revenue",
            "--source=REPLAY",
            "--input=orders.jsonl",
            "--output=" + dir.resolve("out/results"),
            "--tooLateOutput=" + dir.resolve("out/too-late"),
            "--deadLetterOutput=" + dir.resolve("out/dead-letters"),
            "--allowedLateness=PT30M",
            "--report=reports/r.html");
    assertThat(err.toString(), code, is(0));
    Path file = dir.resolve("reports/r.html");
    assertThat(
        out.toString(),
        is(
            "kappa report order-revenue: wrote "
                + file
                + " (2 results in 2 windows, 1 too-late records, 1 dead letters)\n"));
    String page = page(file);
    // No network: uPlot is inlined, nothing is loaded from elsewhere.
    assertThat(page, containsString("uPlot"));
    assertThat(page, not(containsString(" src=")));
    assertThat(page, not(containsString(" href=")));
    String charts = charts(page);
    assertThat(charts, containsString("\"id\":\"revenue-per-window-usd\""));
    assertThat(charts, containsString("{\"label\":\"audio\",\"values\":[2550,null]}"));
    assertThat(charts, containsString("{\"label\":\"books\",\"values\":[null,1999]}"));
    assertThat(charts, containsString("\"id\":\"too-late\""));
    // The figures, the dead letter's reason (escaped), and the parameters given and defaulted.
    assertThat(page, containsString("Total over all windows: 25.50."));
    assertThat(page, containsString("<td>orders 1, revenue 10.00</td>"));
    assertThat(
        page,
        containsString(
            "<td>JsonParseException</td><td class=\"n\">1</td><td>Unexpected &lt;end&gt;</td>"));
    assertThat(page, containsString("<th>--allowedLateness</th><td>PT30M</td>"));
    assertThat(
        page,
        containsString("<th>--window</th><td>fixed:PT5M <span class=\"note\">(default)</span>"));
    assertThat(page, containsString("3 records from 2 files"));
  }

  @Test
  void outputsLeftAtTheConsoleAreReadFromTheClusterOutputDirectory() throws IOException {
    writeRun(dir.resolve(".kappa/outputs/revenue-prod"));
    int code = report("order-revenue", "--jobName=revenue-prod");
    assertThat(err.toString(), code, is(0));
    assertThat(
        out.toString(),
        containsString("kappa-report-revenue-prod.html (2 results in 2 windows, 1 too-late"));
    assertThat(
        page(dir.resolve("kappa-report-revenue-prod.html")),
        containsString("Kappa report: revenue-prod"));
  }

  @Test
  void outputsThatCannotBeReadBackAreNamedOnThePage() throws IOException {
    writeRun(dir.resolve("out"));
    int code =
        report(
            "order-revenue",
            "--output=" + dir.resolve("out/results"),
            "--tooLateOutput=kafka:too-late",
            "--deadLetterOutput=console");
    assertThat(err.toString(), code, is(0));
    String page = page(dir.resolve("kappa-report-order-revenue.html"));
    assertThat(
        page, containsString("not read: --tooLateOutput=kafka:too-late cannot be read back"));
    assertThat(page, containsString("not read: --deadLetterOutput=console cannot be read back"));
    assertThat(charts(page), not(containsString("too-late")));
    assertThat(charts(page), not(containsString("dead-letters")));
  }

  @Test
  void noResultsToReadIsAUsageError() {
    assertThat(report("order-revenue"), is(2));
    assertThat(err.toString(), containsString("no results to read: give the run's --output="));
    assertThat(dir.resolve("kappa-report-order-revenue.html").toFile().exists(), is(false));
  }

  @Test
  void aPrefixMatchingNoFileIsAUsageError() {
    assertThat(report("order-revenue", "--output=" + dir.resolve("nothing/results")), is(2));
    assertThat(err.toString(), containsString("--output's prefix matches no file"));
  }

  @Test
  void aFileOfOtherRecordsIsAUsageErrorNamingTheFileAndLine() throws IOException {
    Files.createDirectories(dir.resolve("out"));
    Files.writeString(dir.resolve("out/results-0.jsonl"), "{\"order_id\": \"O-1\"}\n");
    assertThat(report("order-revenue", "--output=" + dir.resolve("out/results")), is(2));
    assertThat(err.toString(), containsString("results-0.jsonl:1 is no CategoryRevenue"));
  }

  @Test
  void unknownJobsAndOptionsAreUsageErrors() {
    assertThat(report("no-such-job"), is(2));
    assertThat(
        err.toString(),
        containsString(
            "no pipeline named 'no-such-job'; reports: order-revenue, card-fraud,"
                + " visitor-sessions, inventory, order-payments"));
    err.reset();
    assertThat(report("archive-topics"), is(2));
    assertThat(err.toString(), containsString("kappa report: no report for archive-topics yet"));
    err.reset();
    assertThat(report("order-revenue", "--outptu=x"), is(2));
    assertThat(err.toString(), containsString("outptu"));
  }

  // Each job's report of a Direct-runner run over its test data, against figures computed from the
  // test data's expected files (its independent reference), not from the job's output.

  private static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data")).resolve(relative);
  }

  private static List<JsonNode> jsonLines(String relative) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(testData(relative), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  /** Runs {@code job} to completion on the Direct runner with {@code args}; fails unless DONE. */
  private static void runJob(String job, List<String> args) {
    KappaJob<?> kappaJob = KappaJobs.named(job).orElseThrow();
    PipelineResult.State state =
        JobRunner.run(kappaJob, args.toArray(new String[0])).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
  }

  /** Runs the job, then reports on the same options; returns the page. */
  private String runAndReport(String job, List<String> args) throws IOException {
    List<String> all = new ArrayList<>(List.of("--runner=DirectRunner"));
    if (args.stream().noneMatch(arg -> arg.startsWith("--source="))) {
      all.add("--source=FILES");
    }
    all.addAll(args);
    all.add("--deadLetterOutput=" + dir.resolve("out/dead-letters"));
    runJob(job, all);
    List<String> command = new ArrayList<>(List.of(job));
    command.addAll(all);
    command.add("--report=" + job + ".html");
    assertThat(err.toString(), report(command.toArray(new String[0])), is(0));
    return page(dir.resolve(job + ".html"));
  }

  /**
   * What chart {@code id} of {@code page} draws for series {@code label}: value per x, nulls left
   * out.
   */
  private static SortedMap<Instant, Long> drawn(String page, String id, String label)
      throws IOException {
    for (JsonNode chart : JSON.readTree(charts(page))) {
      if (!chart.get("id").asText().equals(id)) {
        continue;
      }
      for (JsonNode series : chart.get("series")) {
        if (series.get("label").asText().equals(label)) {
          SortedMap<Instant, Long> values = new TreeMap<>();
          for (int i = 0; i < chart.get("x").size(); i++) {
            JsonNode value = series.get("values").get(i);
            if (!value.isNull()) {
              values.put(Instant.ofEpochSecond(chart.get("x").get(i).asLong()), value.asLong());
            }
          }
          return values;
        }
      }
      throw new AssertionError("chart " + id + " has no series " + label + ": " + chart);
    }
    throw new AssertionError("no chart " + id + " in " + charts(page));
  }

  private static Instant floor(Instant time, Duration width) {
    long millis = width.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), millis) * millis);
  }

  private static Instant time(JsonNode row, String field) {
    return Instant.parse(row.get(field).asText());
  }

  @Test
  void cardFraudChartsTransactionsAndAlertsPerRiskWindow() throws IOException {
    String page =
        runAndReport(
            "card-fraud",
            List.of(
                "--input=" + testData("card-fraud/transactions.jsonl"),
                "--customerChanges=" + testData("card-fraud/customers.changelog.jsonl"),
                "--velocityMinAmounts=JPY=1500000",
                "--output=" + dir.resolve("out/scores"),
                "--riskAlertsOutput=" + dir.resolve("out/risk"),
                "--velocityAlertsOutput=" + dir.resolve("out/velocity"),
                "--tooLateOutput=" + dir.resolve("out/too-late")));
    SortedMap<Instant, Long> transactions = new TreeMap<>();
    SortedMap<Instant, Long> foreign = new TreeMap<>();
    for (JsonNode score : jsonLines("card-fraud/expected-risk-scores.jsonl")) {
      transactions.merge(
          time(score, "window_start"), score.get("transaction_count").asLong(), Long::sum);
      foreign.merge(time(score, "window_start"), score.get("foreign_count").asLong(), Long::sum);
    }
    SortedMap<Instant, Long> riskAlerts = new TreeMap<>();
    for (JsonNode alert : jsonLines("card-fraud/expected-risk-alerts.jsonl")) {
      riskAlerts.merge(time(alert, "window_start"), 1L, Long::sum);
    }
    SortedMap<Instant, Long> velocityAlerts = new TreeMap<>();
    for (JsonNode alert : jsonLines("card-fraud/expected-velocity-alerts.jsonl")) {
      velocityAlerts.merge(
          time(alert, "event_time").truncatedTo(ChronoUnit.MINUTES), 1L, Long::sum);
    }
    String windows = "transactions-per-risk-window";
    assertThat(drawn(page, windows, "transactions"), is(transactions));
    assertThat(drawn(page, windows, "outside the home country"), is(foreign));
    assertThat(drawn(page, "alerts", "risk alerts"), is(riskAlerts));
    assertThat(drawn(page, "alerts", "velocity alerts"), is(velocityAlerts));
    assertThat(riskAlerts.isEmpty() || velocityAlerts.isEmpty(), is(false));
    // The two malformed transactions, by step and error, in the dead letters' chart and table.
    long deadLetters =
        Files.readAllLines(testData("card-fraud/expected-dead-letters.jsonl")).stream()
            .filter(line -> !line.isBlank())
            .count();
    assertThat(out.toString(), containsString(", " + deadLetters + " dead letters)"));
    assertThat(charts(page), containsString("\"id\":\"dead-letters\""));
  }

  @Test
  void visitorSessionsChartsSessionsPerTenMinutesOfTheirStartAfterRetractions() throws IOException {
    String page =
        runAndReport(
            "visitor-sessions",
            List.of(
                // A stream: sessions come out, late views merge them and retract what they
                // replaced, and the report applies the retractions. The lateness keeps every
                // event in, as the reference assumes.
                "--source=REPLAY",
                "--replaySpeedUp=max",
                "--allowedLateness=PT24H",
                "--input=" + testData("visitor-sessions/events.jsonl"),
                "--output=" + dir.resolve("out/sessions"),
                "--retractionsOutput=" + dir.resolve("out/retractions"),
                "--tooLateOutput=" + dir.resolve("out/too-late")));
    // The run's own outputs with its retractions applied by hand: each session's last version,
    // none that a retraction names.
    Map<List<String>, JsonNode> latest = new HashMap<>();
    for (String line : outputLines("out/sessions")) {
      JsonNode session = JSON.readTree(line);
      List<String> key =
          List.of(session.get("visitor_id").asText(), session.get("session_start").asText());
      JsonNode before = latest.get(key);
      if (before == null || events(session) > events(before)) {
        latest.put(key, session);
      }
    }
    for (String line : outputLines("out/retractions")) {
      JsonNode retraction = JSON.readTree(line);
      latest.remove(
          List.of(retraction.get("visitor_id").asText(), retraction.get("session_start").asText()));
    }
    String id = "sessions-per-10-minutes-of-their-start";
    assertThat(drawn(page, id, "sessions"), is(perTenMinutes(latest.values(), s -> 1L)));
    assertThat(
        drawn(page, id, "converted (an order)"),
        is(perTenMinutes(latest.values(), s -> s.get("converted").asBoolean() ? 1L : 0L)));
    assertThat(
        drawn(page, "page-views-and-orders-per-10-minutes-of-their-session-s-start", "page views"),
        is(perTenMinutes(latest.values(), s -> s.get("page_count").asLong())));
    // With nothing too late (a replay as fast as possible may see the last lines after its
    // watermark reached the end of time), they are the reference's sessions.
    List<String> tooLate = outputLines("out/too-late");
    System.out.printf(
        "visitor-sessions report: %d sessions after %d retractions, %d events too late%n",
        latest.size(), outputLines("out/retractions").size(), tooLate.size());
    if (tooLate.isEmpty()) {
      assertThat(
          drawn(page, id, "sessions"),
          is(perTenMinutes(jsonLines("visitor-sessions/expected-sessions.jsonl"), s -> 1L)));
    } else {
      assertThat(page, containsString("Too-late records per window they missed"));
    }
  }

  private static long events(JsonNode session) {
    return session.get("page_count").asLong() + session.get("orders").asLong();
  }

  private static SortedMap<Instant, Long> perTenMinutes(
      java.util.Collection<JsonNode> sessions, java.util.function.ToLongFunction<JsonNode> value) {
    SortedMap<Instant, Long> buckets = new TreeMap<>();
    for (JsonNode session : sessions) {
      buckets.merge(
          floor(time(session, "session_start"), Duration.ofMinutes(10)),
          value.applyAsLong(session),
          Long::sum);
    }
    return buckets;
  }

  /** Every line of the files a file target with prefix {@code dir/prefix} wrote. */
  private List<String> outputLines(String prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path file : RunOutputs.files(dir.resolve(prefix).toString())) {
      Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .forEach(lines::add);
    }
    return lines;
  }

  @Test
  void orderPaymentsChartsOrdersByOutcomePerFiveMinutesOfOrderTime() throws IOException {
    String page =
        runAndReport(
            "order-payments",
            List.of(
                "--input=" + testData("order-payments/events.jsonl"),
                "--output=" + dir.resolve("out/paid"),
                "--alertsOutput=" + dir.resolve("out/unpaid"),
                "--orphansOutput=" + dir.resolve("out/orphans"),
                "--tooLateEventsOutput=" + dir.resolve("out/too-late")));
    Map<String, Instant> orderTimes = new HashMap<>();
    for (String line :
        Files.readAllLines(testData("order-payments/events.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (IOException malformed) {
        continue; // a dead letter of the test data
      }
      if (event.has("product_id") && event.hasNonNull("event_time")) {
        orderTimes.putIfAbsent(event.get("order_id").asText(), time(event, "event_time"));
      }
    }
    Duration bucket = Duration.ofMinutes(5);
    Map<String, SortedMap<Instant, Long>> byStatus = new HashMap<>();
    for (JsonNode status : jsonLines("order-payments/expected-statuses.jsonl")) {
      Instant at = floor(orderTimes.get(status.get("order_id").asText()), bucket);
      byStatus
          .computeIfAbsent(status.get("status").asText(), s -> new TreeMap<>())
          .merge(at, 1L, Long::sum);
    }
    String id = "orders-by-outcome-per-5-minutes-of-order-time";
    assertThat(drawn(page, id, "paid"), is(byStatus.get("PAID")));
    assertThat(drawn(page, id, "unpaid"), is(byStatus.get("UNPAID")));
    assertThat(
        drawn(page, id, "underpaid"), is(byStatus.getOrDefault("UNDERPAID", new TreeMap<>())));
    SortedMap<Instant, Long> orphans = new TreeMap<>();
    for (JsonNode orphan : jsonLines("order-payments/expected-orphans.jsonl")) {
      orphans.merge(floor(time(orphan, "event_time"), bucket), 1L, Long::sum);
    }
    assertThat(drawn(page, id, "orphan payments"), is(orphans));
  }

  @Test
  void inventoryChartsEachProductsLevelAndUnitsOrderedPerMinute() throws IOException {
    String page =
        runAndReport(
            "inventory",
            List.of(
                "--input=" + testData("inventory/orders.jsonl"),
                "--inventoryChanges=" + testData("inventory/inventory.changelog.jsonl"),
                "--output=" + dir.resolve("out/levels"),
                "--alertsOutput=" + dir.resolve("out/alerts"),
                "--historyOutput=" + dir.resolve("out/history"),
                "--tooLateOutput=" + dir.resolve("out/too-late")));
    Map<String, SortedMap<Instant, Long>> levels = new TreeMap<>();
    Map<String, SortedMap<Instant, Long>> units = new TreeMap<>();
    for (JsonNode minute : jsonLines("inventory/expected-history.jsonl")) {
      String product = minute.get("product_id").asText();
      levels
          .computeIfAbsent(product, p -> new TreeMap<>())
          .put(time(minute, "minute_start"), minute.get("level").asLong());
      units
          .computeIfAbsent(product, p -> new TreeMap<>())
          .put(time(minute, "minute_start"), minute.get("units_ordered").asLong());
    }
    assertThat(levels.size() > 1, is(true));
    for (String product : levels.keySet()) {
      assertThat(
          drawn(page, "stock-level-at-the-end-of-each-minute", product), is(levels.get(product)));
      assertThat(drawn(page, "units-ordered-per-minute", product), is(units.get(product)));
    }
  }

  @Test
  void aTableNameThatIsNoIdentifierIsAUsageErrorNamingItsOption() {
    assertThat(
        report(
            "inventory",
            "--historyTable=history; drop table x",
            "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/never-contacted"),
        is(2));
    assertThat(
        err.toString(), containsString("--historyTable: 'history; drop table x' is no table name"));
  }

  @Test
  void inventoryWithoutItsHistoryOutputSaysWhatToGive() {
    assertThat(report("inventory", "--output=" + dir.resolve("out/levels")), is(2));
    assertThat(
        err.toString(),
        containsString(
            "no results to read: give the run's --historyOutput=<path prefix> (the files it"
                + " wrote) or --historyTable=<table> with --jdbcUrl and --jdbcUser"));
  }
}
