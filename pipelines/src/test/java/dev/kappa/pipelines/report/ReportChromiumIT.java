package dev.kappa.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Report pages drawn by a real browser: headless Chromium runs the inlined uPlot with no network,
 * and the charts' canvases hold the data's colours. The pages are {@code kappa report}'s of real
 * Direct-runner runs: OrderRevenue replaying {@code test-data/orders} as a stream (early, on-time
 * and late panes, too-late orders, dead letters) and CardFraud over {@code test-data/card-fraud}.
 *
 * <p>When system property {@code kappa.reportScreenshot} names a file, the OrderRevenue page's
 * screenshot is copied there: how {@code docs/images/kappa-report.png} is made.
 */
class ReportChromiumIT {

  /**
   * How much faster than event time OrderRevenue's replay runs: about 45 s for the file's 1 h 30 of
   * event time. Paced, the Direct runner's watermark keeps up with the replay, so the orders the
   * test data's reference calls too late are diverted (as fast as possible it moves the watermark
   * per bundle, and may divert none).
   */
  private static final String REPLAY_SPEED_UP = "120";

  @TempDir static Path dir;
  private static Path revenuePage;
  private static Path fraudPage;
  private static String revenueLine;
  private static Chromium chromium;

  private static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data")).resolve(relative);
  }

  /**
   * Runs {@code job} to completion on the Direct runner, then {@code kappa report} on its options.
   */
  private static String runAndReport(String job, Path page, List<String> args) {
    KappaJob<?> kappaJob = KappaJobs.named(job).orElseThrow();
    long started = System.nanoTime();
    PipelineResult.State state =
        JobRunner.run(kappaJob, args.toArray(new String[0])).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
    System.out.printf(
        "ReportChromiumIT: %s ran in %.1f s%n", job, (System.nanoTime() - started) / 1e9);
    List<String> command = new ArrayList<>(List.of(job));
    command.addAll(args);
    command.add("--report=" + page);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ReportCommand.run(
            command.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            dir,
            Clock.systemUTC());
    assertThat(err.toString(StandardCharsets.UTF_8), code, is(0));
    String line = out.toString(StandardCharsets.UTF_8).trim();
    System.out.println(line);
    return line;
  }

  @BeforeAll
  static void runTheJobsAndWriteTheirReports() throws IOException, InterruptedException {
    Path revenue = dir.resolve("order-revenue");
    revenuePage = dir.resolve("order-revenue.html");
    revenueLine =
        runAndReport(
            "order-revenue",
            revenuePage,
            List.of(
                "--runner=DirectRunner",
                "--source=REPLAY",
                "--replaySpeedUp=" + REPLAY_SPEED_UP,
                "--input=" + testData("orders/orders.jsonl"),
                "--productChanges=" + testData("enrichment/products.changelog.jsonl"),
                "--customerChanges=" + testData("enrichment/customers.changelog.jsonl"),
                "--output=" + revenue.resolve("results"),
                "--tooLateOutput=" + revenue.resolve("too-late"),
                "--correctionsOutput=" + revenue.resolve("corrections"),
                "--deadLetterOutput=" + revenue.resolve("dead-letters")));
    Path fraud = dir.resolve("card-fraud");
    fraudPage = dir.resolve("card-fraud.html");
    runAndReport(
        "card-fraud",
        fraudPage,
        List.of(
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("card-fraud/transactions.jsonl"),
            "--customerChanges=" + testData("card-fraud/customers.changelog.jsonl"),
            "--velocityMinAmounts=JPY=1500000",
            "--output=" + fraud.resolve("scores"),
            "--riskAlertsOutput=" + fraud.resolve("risk"),
            "--velocityAlertsOutput=" + fraud.resolve("velocity"),
            "--tooLateOutput=" + fraud.resolve("too-late"),
            "--deadLetterOutput=" + fraud.resolve("dead-letters")));
    Path repository =
        Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
            .toAbsolutePath()
            .normalize()
            .getParent();
    chromium = Chromium.install(repository, dir.resolve("chromium"));
  }

  private static int attribute(String dom, String id, String attribute) {
    Matcher matcher =
        Pattern.compile("id=\"" + id + "\"[^>]*" + attribute + "=\"(\\d+)\"").matcher(dom);
    assertThat(
        "no "
            + attribute
            + " on #"
            + id
            + " in:\n"
            + dom.substring(0, Math.min(dom.length(), 2000)),
        matcher.find(),
        is(true));
    return Integer.parseInt(matcher.group(1));
  }

  /** The ids of the page's chart containers, in page order. */
  private static List<String> chartIds(String page) {
    List<String> ids = new ArrayList<>();
    Matcher matcher = Pattern.compile("<div class=\"chart\" id=\"([^\"]+)\"").matcher(page);
    while (matcher.find()) {
      ids.add(matcher.group(1));
    }
    return ids;
  }

  /** Every chart of {@code page} drew at least {@code least} pixels of its series' colours. */
  private static void assertEveryChartDrew(Path page, int least)
      throws IOException, InterruptedException {
    String dom = chromium.dumpDom(page);
    Matcher drawn = Pattern.compile("data-charts-drawn=\"(\\d+)\"").matcher(dom);
    assertThat("the page's script did not finish", drawn.find(), is(true));
    List<String> ids = chartIds(Files.readString(page, StandardCharsets.UTF_8));
    assertThat(Integer.parseInt(drawn.group(1)), is(ids.size()));
    List<String> problems = new ArrayList<>();
    for (String id : ids) {
      int pixels = attribute(dom, id, "data-series-pixels");
      if (pixels < least) {
        problems.add(id + " drew " + pixels + " pixels of its series");
      }
    }
    assertThat(problems, empty());
  }

  @Test
  void orderRevenuesChartsDrawTheirDataInTheBrowser() throws IOException, InterruptedException {
    List<String> ids = chartIds(Files.readString(revenuePage, StandardCharsets.UTF_8));
    // Revenue per currency, orders, the too-late orders the paced replay diverted, dead letters.
    assertThat(
        ids,
        contains(
            "revenue-per-window-eur",
            "revenue-per-window-usd",
            "orders-per-window",
            "too-late",
            "dead-letters"));
    assertEveryChartDrew(revenuePage, 100);
    String dom = chromium.dumpDom(revenuePage);
    assertThat(
        attribute(dom, "revenue-per-window-usd", "data-first-series-pixels"), greaterThan(500));
  }

  @Test
  void cardFraudsChartsDrawTheirDataInTheBrowser() throws IOException, InterruptedException {
    assertThat(
        chartIds(Files.readString(fraudPage, StandardCharsets.UTF_8)),
        contains("transactions-per-risk-window", "alerts", "dead-letters"));
    assertEveryChartDrew(fraudPage, 100);
  }

  @Test
  void aScreenshotShowsTheCharts() throws IOException, InterruptedException {
    Path png = chromium.screenshot(revenuePage, dir.resolve("report.png"), 1040, 3300);
    BufferedImage image = ImageIO.read(png.toFile());
    int background = image.getRGB(2, 2) & 0xffffff;
    int ink = 0;
    int lineColour = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        if (rgb != background) {
          ink++;
        }
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        if (Math.abs(r - 0x09) < 40 && Math.abs(g - 0x69) < 40 && Math.abs(b - 0xda) < 40) {
          lineColour++;
        }
      }
    }
    assertThat(background, is(0xffffff));
    assertThat(ink, greaterThan(10_000));
    assertThat(lineColour, greaterThan(500));
    String keep = System.getProperty("kappa.reportScreenshot");
    if (keep != null && !keep.isBlank()) {
      Files.copy(png, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
      System.out.println("report screenshot of '" + revenueLine + "' copied to " + keep);
    }
  }
}
