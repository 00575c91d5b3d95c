package dev.kappa.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * OrderRevenue's report as one HTML page that needs no network: uPlot's script and style (from its
 * webjar on the classpath) and the report's numbers are inlined. uPlot was chosen for being small
 * (50 kB minified), dependency-free and maintained; the page's own script only feeds it.
 *
 * <p>Each chart's container gets {@code data-painted-pixels}, the count of pixels its canvas drew,
 * and {@code data-first-series-pixels}, those in its first series' colour (axes and grid are grey,
 * so these are the data); the body gets {@code data-charts-drawn}. A headless browser's DOM dump
 * shows them to a test.
 */
public final class ReportPage {
  private ReportPage() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEBJAR = "META-INF/resources/webjars/uplot/";

  /** An option of the run and its value; {@code given} when the command line set it. */
  public record Parameter(String name, String value, boolean given) {}

  /** Where a kind of record was read from, or why it was not. */
  public record Source(String what, String where) {}

  /** The page for {@code report} of job {@code title}. */
  public static String render(
      String title,
      Instant generatedAt,
      RevenueReport report,
      List<Source> sources,
      List<Parameter> parameters) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append(uplot("dist/uPlot.min.css"))
        .append('\n')
        .append(STYLE)
        .append("</style>\n<script>\n")
        .append(uplot("dist/uPlot.iife.min.js"))
        .append("\n</script>\n</head>\n<body>\n");
    html.append("<h1>").append(escape(title)).append("</h1>\n");
    html.append("<p class=\"meta\">Generated ")
        .append(escape(generatedAt.toString()))
        .append(" by <code>scripts/kappa report</code>. Times are UTC.</p>\n");

    html.append("<div class=\"cards\">\n");
    card(
        html,
        "windows",
        report.windows().size() + "",
        report.closedWindows() + " closed (final pane)");
    card(html, "orders counted", report.orders() + "", "in each window's latest result");
    report
        .revenueByCurrency()
        .forEach(
            (currency, cents) -> card(html, "revenue " + currency, money(cents), "all windows"));
    card(html, "too-late orders", report.tooLateCount() + "", "counted in no window");
    card(html, "dead letters", report.deadLetterCount() + "", "records no step could process");
    StringBuilder panes = new StringBuilder();
    report
        .panesByTiming()
        .forEach((timing, count) -> panes.append(timing).append(' ').append(count).append("  "));
    card(html, "panes read", panes.toString().trim(), "by timing");
    html.append("</div>\n");

    List<Map<String, Object>> charts = new ArrayList<>();
    List<Long> x = report.windowStarts().stream().map(Instant::getEpochSecond).toList();
    for (String currency : report.currencies()) {
      String id = "revenue-" + currency.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
      html.append("<h2>Revenue per window, ")
          .append(escape(currency))
          .append("</h2>\n<p class=\"note\">Each window's latest result per category (its final")
          .append(" pane once closed).</p>\n<div class=\"chart\" id=\"")
          .append(id)
          .append("\"></div>\n");
      List<Map<String, Object>> series = new ArrayList<>();
      report
          .revenueSeries(currency)
          .forEach((category, values) -> series.add(labelled(category, values)));
      charts.add(chart(id, x, series, "revenue (" + currency + ")", false));
    }

    html.append("<h2>Too-late orders per window they missed</h2>\n");
    if (report.tooLateByWindow().isEmpty()) {
      html.append("<p class=\"note\">None read.</p>\n");
    } else {
      html.append("<p class=\"note\">Orders that arrived after their window's allowed lateness:")
          .append(" what each would have added to the window it missed.</p>\n")
          .append("<div class=\"chart\" id=\"too-late\"></div>\n");
      List<Long> missedX = new ArrayList<>();
      Map<String, List<Long>> byCurrency = new LinkedHashMap<>();
      List<Instant> starts = new ArrayList<>(report.tooLateByWindow().keySet());
      for (int i = 0; i < starts.size(); i++) {
        missedX.add(starts.get(i).getEpochSecond());
        for (Map.Entry<String, RevenueReport.Missed> entry :
            report.tooLateByWindow().get(starts.get(i)).entrySet()) {
          List<Long> counts =
              byCurrency.computeIfAbsent(
                  entry.getKey(),
                  c -> new ArrayList<>(java.util.Collections.nCopies(starts.size(), null)));
          counts.set(i, entry.getValue().orders());
        }
      }
      List<Map<String, Object>> series = new ArrayList<>();
      byCurrency.forEach((currency, counts) -> series.add(labelled(currency, counts)));
      charts.add(chart("too-late", missedX, series, "too-late orders", true));
      html.append("<table><tr><th>missed window</th><th>currency</th><th>orders</th>")
          .append("<th>revenue they would have added</th></tr>\n");
      report
          .tooLateByWindow()
          .forEach(
              (start, byCur) ->
                  byCur.forEach(
                      (currency, missed) ->
                          html.append("<tr><td>")
                              .append(escape(start.toString()))
                              .append("</td><td>")
                              .append(escape(currency))
                              .append("</td><td class=\"n\">")
                              .append(missed.orders())
                              .append("</td><td class=\"n\">")
                              .append(money(missed.revenueCents()))
                              .append("</td></tr>\n")));
      html.append("</table>\n");
    }

    html.append("<h2>Dead letters by reason</h2>\n");
    if (report.rejections().isEmpty()) {
      html.append("<p class=\"note\">None read.</p>\n");
    } else {
      html.append(
          "<table><tr><th>step</th><th>error</th><th>count</th><th>first message</th></tr>\n");
      for (RevenueReport.Rejection rejection : report.rejections()) {
        html.append("<tr><td>")
            .append(escape(rejection.step()))
            .append("</td><td>")
            .append(escape(rejection.errorClass()))
            .append("</td><td class=\"n\">")
            .append(rejection.count())
            .append("</td><td>")
            .append(escape(abbreviate(rejection.example(), 160)))
            .append("</td></tr>\n");
      }
      html.append("</table>\n");
    }

    html.append("<h2>Read from</h2>\n<table>\n");
    for (Source source : sources) {
      html.append("<tr><th>")
          .append(escape(source.what()))
          .append("</th><td>")
          .append(escape(source.where()))
          .append("</td></tr>\n");
    }
    html.append("</table>\n<h2>The run's parameters</h2>\n<table>\n");
    for (Parameter parameter : parameters) {
      html.append("<tr><th>--")
          .append(escape(parameter.name()))
          .append("</th><td>")
          .append(escape(parameter.value()))
          .append(parameter.given() ? "" : " <span class=\"note\">(default)</span>")
          .append("</td></tr>\n");
    }
    html.append("</table>\n");

    html.append("<script>\nconst CHARTS = ")
        .append(json(charts).replace("</", "<\\/"))
        .append(";\n")
        .append(SCRIPT)
        .append("</script>\n</body>\n</html>\n");
    return html.toString();
  }

  private static Map<String, Object> chart(
      String id, List<Long> x, List<Map<String, Object>> series, String unit, boolean counts) {
    Map<String, Object> chart = new LinkedHashMap<>();
    chart.put("id", id);
    chart.put("x", x);
    chart.put("series", series);
    chart.put("unit", unit);
    chart.put("counts", counts);
    return chart;
  }

  private static void card(StringBuilder html, String label, String value, String note) {
    html.append("<div class=\"card\"><div class=\"label\">")
        .append(escape(label))
        .append("</div><div class=\"value\">")
        .append(escape(value))
        .append("</div><div class=\"note\">")
        .append(escape(note))
        .append("</div></div>\n");
  }

  /** {@code 1234.05} for 123405 cents. */
  static String money(long cents) {
    return String.format(
        Locale.ROOT,
        "%s%,d.%02d",
        cents < 0 ? "-" : "",
        Math.abs(cents / 100),
        Math.abs(cents % 100));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String abbreviate(String text, int width) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() <= width ? line : line.substring(0, width - 3) + "...";
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report's data as JSON", e);
    }
  }

  /** A file of uPlot's webjar, of the version on the classpath. */
  private static String uplot(String file) {
    ClassLoader loader = ReportPage.class.getClassLoader();
    try (InputStream pom =
        loader.getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (pom == null) {
        throw new IllegalStateException(
            "uPlot's webjar (org.webjars.npm:uplot) is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(pom);
      String path = WEBJAR + properties.getProperty("version") + "/" + file;
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("uPlot's webjar has no " + path);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String STYLE =
      """
      body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
      h1 { font-size: 22px; margin: 0 0 4px; }
      h2 { font-size: 17px; margin: 28px 0 6px; }
      .meta, .note { color: #57606a; font-size: 13px; }
      .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
      .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 130px; }
      .card .label { font-size: 12px; color: #57606a; }
      .card .value { font-size: 20px; font-weight: 600; }
      table { border-collapse: collapse; font-size: 13px; }
      th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
      td.n { text-align: right; font-variant-numeric: tabular-nums; }
      .chart { margin: 4px 0 8px; }
      """;

  private static final String SCRIPT =
      """
      const PALETTE = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e',
        '#116329', '#0550ae', '#953800', '#6e7781'];
      const utc = ts => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
      let drawn = 0;
      for (const chart of CHARTS) {
        const el = document.getElementById(chart.id);
        const scale = chart.counts ? 1 : 100;
        const data = [chart.x].concat(chart.series.map(
          s => s.values.map(v => v === null ? null : v / scale)));
        const series = [{ label: 'window start (UTC)' }].concat(chart.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          fill: chart.counts ? PALETTE[i % PALETTE.length] + '99' : undefined,
          width: 2,
          spanGaps: false,
          points: { show: !chart.counts, size: 5 },
          paths: chart.counts ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
        })));
        new uPlot({
          width: 960,
          height: 300,
          tzDate: utc,
          scales: { x: { time: true } },
          series: series,
          axes: [{}, { label: chart.unit, size: 100 }],
        }, data, el);
        drawn++;
      }
      // After uPlot's deferred first draw: what each canvas painted, for a headless check.
      setTimeout(() => {
        for (const chart of CHARTS) {
          const canvas = document.querySelector('#' + chart.id + ' canvas');
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          let firstSeries = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            if (pixels[i + 3] === 0) continue;
            painted++;
            if (Math.abs(pixels[i] - 0x09) < 40 && Math.abs(pixels[i + 1] - 0x69) < 40
                && Math.abs(pixels[i + 2] - 0xda) < 40) firstSeries++;
          }
          const el = document.getElementById(chart.id);
          el.dataset.paintedPixels = painted;
          el.dataset.firstSeriesPixels = firstSeries;
        }
        document.body.dataset.chartsDrawn = drawn;
      }, 100);
      """;

  /** A chart series: its label, then its values (in that order in the page's JSON). */
  private static Map<String, Object> labelled(String label, List<Long> values) {
    Map<String, Object> series = new LinkedHashMap<>();
    series.put("label", label);
    series.put("values", values);
    return series;
  }
}
