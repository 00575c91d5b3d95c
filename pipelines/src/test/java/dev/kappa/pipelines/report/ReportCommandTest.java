package dev.kappa.pipelines.report;

import static dev.kappa.pipelines.report.ReportRecords.deadLetter;
import static dev.kappa.pipelines.report.ReportRecords.pane;
import static dev.kappa.pipelines.report.ReportRecords.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.results.CategoryRevenue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

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
                + " (2 windows, 1 too-late orders, 1 dead letters)\n"));
    String page = page(file);
    // No network: uPlot is inlined, nothing is loaded from elsewhere.
    assertThat(page, containsString("uPlot"));
    assertThat(page, not(containsString(" src=")));
    assertThat(page, not(containsString(" href=")));
    String charts = charts(page);
    assertThat(charts, containsString("\"id\":\"revenue-usd\""));
    assertThat(charts, containsString("{\"label\":\"audio\",\"values\":[2550,null]}"));
    assertThat(charts, containsString("{\"label\":\"books\",\"values\":[null,1999]}"));
    assertThat(charts, containsString("\"id\":\"too-late\""));
    // The figures, the dead letter's reason (escaped), and the parameters given and defaulted.
    assertThat(page, containsString("<div class=\"value\">25.50</div>"));
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
        out.toString(), containsString("kappa-report-revenue-prod.html (2 windows, 1 too-late"));
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
        err.toString(), containsString("no pipeline named 'no-such-job'; reports: order-revenue"));
    err.reset();
    assertThat(report("card-fraud", "--output=" + dir.resolve("out/risk")), is(2));
    assertThat(
        err.toString(), is("kappa report: no report for card-fraud yet; reports: order-revenue\n"));
    err.reset();
    assertThat(report("order-revenue", "--outptu=x"), is(2));
    assertThat(err.toString(), containsString("outptu"));
  }
}
