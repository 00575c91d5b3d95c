package dev.kappa.pipelines.report;

import dev.kappa.pipelines.job.JobReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A job's report as one HTML page that needs no network: uPlot and the report's numbers are
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
      ReportContent report,
      List<Source> sources,
      List<Parameter> parameters) {
    StringBuilder html = new StringBuilder(Charts.head(title, STYLE));
    html.append("<h1>").append(escape(title)).append("</h1>\n");
    html.append("<p class=\"meta\">Generated ")
        .append(escape(generatedAt.toString()))
        .append(" by <code>scripts/kappa report</code>. Times are UTC.</p>\n");

    String windows = report.bucket() == null ? "windows" : "buckets of " + report.bucket();
    html.append("<div class=\"cards\">\n");
    card(html, windows, report.windowStarts().size() + "", "with at least one result");
    card(
        html,
        "results",
        report.results().size() + "",
        "latest of " + report.rowsRead() + " records read (panes, versions)");
    card(html, "too-late records", report.tooLateCount() + "", "counted in no window");
    card(html, "dead letters", report.deadLetterCount() + "", "records no step could process");
    html.append("</div>\n");

    List<Map<String, Object>> charts = new ArrayList<>();
    String xLabel = report.bucket() == null ? "window start (UTC)" : "bucket start (UTC)";
    for (ReportContent.DrawnChart drawn : report.charts()) {
      html.append("<h2>")
          .append(escape(drawn.title()))
          .append("</h2>\n<p class=\"note\">")
          .append(escape(drawn.note()))
          .append(" Total over all windows: ")
          .append(escape(format(drawn.total(), drawn.measure().divisor())))
          .append(".</p>\n<div class=\"chart\" id=\"")
          .append(drawn.id())
          .append("\"></div>\n");
      List<Map<String, Object>> series = new ArrayList<>();
      drawn.series().forEach((label, values) -> series.add(Charts.series(label, values)));
      charts.add(
          chart(
              drawn.id(),
              drawn.x(),
              series,
              drawn.measure().label(),
              drawn.measure().divisor(),
              false,
              xLabel));
    }
    if (report.charts().isEmpty()) {
      html.append("<h2>Results per window</h2>\n<p class=\"note\">None read.</p>\n");
    }

    html.append("<h2>Too-late records per window they missed</h2>\n");
    if (report.tooLateByWindow().isEmpty()) {
      html.append("<p class=\"note\">None read.</p>\n");
    } else {
      html.append("<p class=\"note\">Records that arrived after their window's allowed")
          .append(" lateness, by ")
          .append(escape(report.tooLateGroup()))
          .append(": how many missed each window and what they would have added to it.</p>\n")
          .append("<div class=\"chart\" id=\"too-late\"></div>\n");
      SortedMap<Instant, Map<String, Long>> counts = new TreeMap<>();
      report
          .tooLateByWindow()
          .forEach(
              (start, byGroup) -> {
                Map<String, Long> row = new LinkedHashMap<>();
                byGroup.forEach((group, missed) -> row.put(group, missed.records()));
                counts.put(start, row);
              });
      charts.add(bars("too-late", counts, "too-late records", xLabel));
      html.append("<table><tr><th>missed window</th><th>")
          .append(escape(report.tooLateGroup()))
          .append("</th><th>records</th><th>what they would have added</th>")
          .append("<th>first of them</th></tr>\n");
      report
          .tooLateByWindow()
          .forEach(
              (start, byGroup) ->
                  byGroup.forEach(
                      (group, missed) ->
                          html.append("<tr><td>")
                              .append(escape(start.toString()))
                              .append("</td><td>")
                              .append(escape(group))
                              .append("</td><td class=\"n\">")
                              .append(missed.records())
                              .append("</td><td>")
                              .append(escape(added(report, missed)))
                              .append("</td><td>")
                              .append(escape(abbreviate(missed.example(), 160)))
                              .append("</td></tr>\n")));
      html.append("</table>\n");
    }

    html.append("<h2>Dead letters</h2>\n");
    if (report.rejections().isEmpty()) {
      html.append("<p class=\"note\">None read.</p>\n");
    } else {
      html.append("<p class=\"note\">Per minute they failed in (processing time), by step and")
          .append(" error.</p>\n<div class=\"chart\" id=\"dead-letters\"></div>\n");
      charts.add(
          bars("dead-letters", report.deadLettersPerMinute(), "dead letters", "minute (UTC)"));
      html.append(
          "<table><tr><th>step</th><th>error</th><th>count</th><th>first message</th></tr>\n");
      for (ReportContent.Rejection rejection : report.rejections()) {
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

  /** {@code revenue 25.00, orders 2} for what too-late records would have added. */
  private static String added(ReportContent report, ReportContent.Missed missed) {
    List<String> parts = new ArrayList<>();
    missed
        .measures()
        .forEach(
            (name, value) -> {
              JobReport.Measure measure = report.measure(name);
              parts.add(
                  measure == null
                      ? name + " " + value
                      : measure.label() + " " + format(value, measure.divisor()));
            });
    return String.join(", ", parts);
  }

  /** A bar chart of counts per time and label. */
  private static Map<String, Object> bars(
      String id, SortedMap<Instant, ? extends Map<String, Long>> counts, String unit, String x) {
    List<Instant> starts = new ArrayList<>(counts.keySet());
    SortedMap<String, List<Long>> series = new TreeMap<>();
    for (int i = 0; i < starts.size(); i++) {
      int index = i;
      counts
          .get(starts.get(i))
          .forEach(
              (label, count) ->
                  series
                      .computeIfAbsent(
                          label, l -> new ArrayList<>(Collections.nCopies(starts.size(), null)))
                      .set(index, count));
    }
    List<Map<String, Object>> drawn = new ArrayList<>();
    series.forEach((label, values) -> drawn.add(Charts.series(label, values)));
    return chart(
        id, starts.stream().map(Instant::getEpochSecond).toList(), drawn, unit, 1, true, x);
  }

  /** {@code value} divided by {@code divisor}, with the decimals the divisor needs. */
  static String format(long value, int divisor) {
    if (divisor == 1) {
      return String.format(Locale.ROOT, "%,d", value);
    }
    int decimals = (int) Math.ceil(Math.log10(divisor));
    return new java.math.BigDecimal(value)
        .divide(java.math.BigDecimal.valueOf(divisor))
        .setScale(decimals, java.math.RoundingMode.HALF_UP)
        .toPlainString()
        .replaceAll("(\\d)(?=(\\d{3})+\\.)", "$1,");
  }

  private static Map<String, Object> chart(
      String id,
      List<Long> x,
      List<Map<String, Object>> series,
      String unit,
      int divisor,
      boolean bars,
      String xLabel) {
    return Charts.chart(
        id, x, series, new Charts.Style(unit, divisor, bars, "plain", 960, 300, xLabel, false));
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
}
