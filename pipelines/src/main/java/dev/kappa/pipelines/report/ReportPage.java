package dev.kappa.pipelines.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OrderRevenue's report as one HTML page that needs no network: uPlot and the report's numbers are
 * inlined, and its charts are drawn by the script that {@code kappa dashboard} uses too ({@link
 * Charts}, which also says what a headless browser can check of them).
 */
public final class ReportPage {
  private ReportPage() {}

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
    StringBuilder html = new StringBuilder(Charts.head(title, STYLE));
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

    html.append(Charts.scriptAndEnd(charts));
    return html.toString();
  }

  private static Map<String, Object> chart(
      String id, List<Long> x, List<Map<String, Object>> series, String unit, boolean counts) {
    return Charts.chart(
        id,
        x,
        series,
        new Charts.Style(
            unit, counts ? 1 : 100, counts, "plain", 960, 300, "window start (UTC)", false));
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
    return Charts.escape(text);
  }

  private static String abbreviate(String text, int width) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() <= width ? line : line.substring(0, width - 3) + "...";
  }

  private static final String STYLE =
      """
      .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
      .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 130px; }
      .card .label { font-size: 12px; color: #57606a; }
      .card .value { font-size: 20px; font-weight: 600; }
      """;

  private static Map<String, Object> labelled(String label, List<Long> values) {
    return Charts.series(label, values);
  }
}
