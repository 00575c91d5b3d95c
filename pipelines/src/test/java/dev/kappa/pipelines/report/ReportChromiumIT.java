package dev.kappa.pipelines.report;

import static dev.kappa.pipelines.report.ReportRecords.deadLetter;
import static dev.kappa.pipelines.report.ReportRecords.pane;
import static dev.kappa.pipelines.report.ReportRecords.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.results.CategoryRevenue;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page drawn by a real browser: headless Chromium runs the inlined uPlot with no
 * network, and the charts' canvases hold the data's colours.
 */
class ReportChromiumIT {

  @TempDir static Path dir;
  private static Path page;
  private static Chromium chromium;

  @BeforeAll
  static void writeReport() throws IOException, InterruptedException {
    List<CategoryRevenue> panes = new ArrayList<>();
    for (int window = 0; window < 24; window++) {
      panes.add(
          pane("audio", "USD", window, 3, 10_000 + 1_500L * (window % 7), "ON_TIME", 0, true));
      panes.add(pane("books", "USD", window, 2, 4_000 + 900L * (window % 5), "ON_TIME", 0, true));
    }
    RevenueReport report =
        RevenueReport.of(
            panes,
            List.of(tooLate("O-1", "USD", 2, 1, 2500), tooLate("O-2", "USD", 5, 2, 1200)),
            List.of(deadLetter("DecodeOrders", "JsonParseException", "Unexpected end", 4)));
    page = dir.resolve("report.html");
    java.nio.file.Files.writeString(
        page,
        ReportPage.render(
            "Kappa report: order-revenue",
            Instant.parse("2026-03-02T08:00:00Z"),
            report,
            List.of(new ReportPage.Source("results", "test records")),
            List.of(new ReportPage.Parameter("window", "PT5M", false))));
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

  @Test
  void theChartsDrawTheirDataInTheBrowser() throws IOException, InterruptedException {
    String dom = chromium.dumpDom(page);
    Matcher drawn = Pattern.compile("data-charts-drawn=\"(\\d+)\"").matcher(dom);
    assertThat("the page's script did not finish", drawn.find(), is(true));
    assertThat(drawn.group(1), is("2"));
    // The revenue line of the first category and the too-late bars, not only axes and grid.
    assertThat(attribute(dom, "revenue-usd", "data-first-series-pixels"), greaterThan(500));
    assertThat(attribute(dom, "too-late", "data-first-series-pixels"), greaterThan(200));
  }

  @Test
  void aScreenshotShowsTheCharts() throws IOException, InterruptedException {
    BufferedImage image =
        ImageIO.read(chromium.screenshot(page, dir.resolve("report.png"), 1100, 900).toFile());
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
  }
}
