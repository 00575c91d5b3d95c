package dev.kappa.pipelines.ops;

import dev.kappa.pipelines.report.Charts;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kappa dashboard}'s page: each panel of a Grafana dashboard drawn as Grafana's time series
 * panel would draw it, from the same range queries, in one HTML page that needs no network (the
 * charts are {@code kappa report}'s, {@link Charts}). Panels keep the dashboard's order, title,
 * unit and width (half or whole); a panel whose queries returned nothing says "No data", as
 * Grafana's does. Each panel's queries are under it, as sent.
 *
 * <p>For a headless check, the body gets {@code data-panels} and {@code data-panels-with-data}, and
 * each panel's chart {@code id="panel-<index>"} the pixel counts {@link Charts} describes.
 */
final class DashboardPage {
  private DashboardPage() {}

  /** A series of a panel: its legend and one value (or null) per step of the page's range. */
  record Series(String label, List<Double> values) {}

  /** A panel, the queries sent for it (variables replaced), and what they returned. */
  record PanelData(GrafanaDashboard.Panel panel, List<String> queries, List<Series> series) {}

  /** What the page shows and where it came from. */
  record Header(
      String title,
      String dashboardFile,
      String prometheus,
      String jobName,
      Instant from,
      Instant to,
      Duration step,
      Instant generatedAt) {}

  private static final int HALF_WIDTH = 600;
  private static final int FULL_WIDTH = 1248;

  static String render(Header header, List<Long> x, List<PanelData> panels) {
    long withData = panels.stream().filter(p -> !p.series().isEmpty()).count();
    StringBuilder html =
        new StringBuilder(
            Charts.head(
                header.title(),
                STYLE,
                "data-panels=\""
                    + panels.size()
                    + "\" data-panels-with-data=\""
                    + withData
                    + "\""));
    html.append("<h1>").append(Charts.escape(header.title())).append("</h1>\n");
    html.append("<p class=\"meta\">Job <b>")
        .append(Charts.escape(header.jobName()))
        .append("</b> &middot; ")
        .append(Charts.escape(header.from().toString()))
        .append(" to ")
        .append(Charts.escape(header.to().toString()))
        .append(" (UTC), a point every ")
        .append(header.step().toSeconds())
        .append(" s &middot; Prometheus ")
        .append(Charts.escape(header.prometheus()))
        .append("<br>Panels of <code>")
        .append(Charts.escape(header.dashboardFile()))
        .append("</code>, drawn ")
        .append(Charts.escape(header.generatedAt().truncatedTo(ChronoUnit.SECONDS).toString()))
        .append(" by <code>scripts/kappa dashboard</code>.</p>\n<div class=\"panels\">\n");
    List<Map<String, Object>> charts = new ArrayList<>();
    for (int i = 0; i < panels.size(); i++) {
      PanelData data = panels.get(i);
      GrafanaDashboard.Panel panel = data.panel();
      boolean full = panel.width() > 12;
      String id = "panel-" + i;
      html.append("<section class=\"panel")
          .append(full ? " full" : "")
          .append("\">\n<h2 title=\"")
          .append(Charts.escape(panel.description()))
          .append("\">")
          .append(Charts.escape(panel.title()))
          .append(
              data.series().isEmpty()
                  ? ""
                  : "<span class=\"count\">" + data.series().size() + " series" + "</span>")
          .append("</h2>\n");
      if (data.series().isEmpty()) {
        html.append("<div class=\"nodata\" id=\"")
            .append(id)
            .append("\" data-no-data=\"true\">No data</div>\n");
      } else {
        html.append("<div class=\"chart\" id=\"").append(id).append("\"></div>\n");
        List<Map<String, Object>> series = new ArrayList<>();
        for (Series s : data.series()) {
          series.add(Charts.series(s.label(), s.values()));
        }
        charts.add(
            Charts.chart(
                id,
                x,
                series,
                new Charts.Style(
                    null,
                    1,
                    false,
                    format(panel.unit()),
                    full ? FULL_WIDTH : HALF_WIDTH,
                    190,
                    "time (UTC)",
                    true)));
      }
      html.append("<details><summary>PromQL</summary><pre>");
      for (String query : data.queries()) {
        html.append(Charts.escape(query)).append('\n');
      }
      html.append("</pre></details>\n</section>\n");
    }
    html.append("</div>\n");
    return html.append(Charts.scriptAndEnd(charts)).toString();
  }

  /** The charts' value format for a Grafana unit. */
  static String format(String grafanaUnit) {
    return switch (grafanaUnit) {
      case "s" -> "s";
      case "rps", "reqps" -> "rps";
      case "percentunit" -> "percent";
      default -> "short";
    };
  }

  private static final String STYLE =
      """
      .panels { display: grid; grid-template-columns: repeat(2, 616px); gap: 6px 16px; }
      .panel { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 8px 4px; }
      .panel.full { grid-column: 1 / -1; }
      .panel h2 { font-size: 14px; margin: 0 0 4px; }
      .nodata { height: 190px; display: flex; align-items: center; justify-content: center;
        color: #57606a; font-size: 13px; background: #f6f8fa; }
      details { font-size: 11px; color: #57606a; }
      pre { white-space: pre-wrap; word-break: break-all; margin: 2px 0; }
      .panel h2 .count { float: right; font-weight: normal; font-size: 12px; color: #57606a; }
      .u-legend { display: block; max-height: 50px; overflow-y: auto; font-size: 11px;
        text-align: left; }
      .u-legend .u-series { padding: 0 6px 0 0; }
      .u-legend .u-series > * { padding: 1px 2px; }
      .u-legend .u-label { display: inline-block; max-width: 560px; overflow: hidden;
        text-overflow: ellipsis; white-space: nowrap; vertical-align: middle; }
      .u-legend th { font-weight: normal; }
      """;
}
