package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Grafana dashboard file ({@code runners-config/monitoring/kappa-dashboard.json}) as {@code kappa
 * dashboard} and the tests read it: its panels with their titles, units and queries, the template
 * variables replaced by values as Grafana replaces them before it sends a query to Prometheus. Only
 * what a time series panel over Prometheus needs is read; Grafana itself is not available here.
 */
final class GrafanaDashboard {

  /** A variable reference Grafana would replace: {@code $name} or {@code ${name}}. */
  private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)\\}|([A-Za-z_]\\w*))");

  /** One query of a panel; {@code legendFormat} names its series ({@code {{label}}} templates). */
  record Query(String panel, String refId, String expr, String legendFormat) {
    @Override
    public String toString() {
      return "panel '" + panel + "' query " + refId + ": " + expr;
    }
  }

  /**
   * A panel: its title, description, Grafana unit ({@code short}, {@code s}, {@code rps}, {@code
   * percentunit}), its width in Grafana's 24 columns, and its queries (variables not replaced).
   */
  record Panel(String title, String description, String unit, int width, List<Query> queries) {}

  private final JsonNode dashboard;

  private GrafanaDashboard(JsonNode dashboard) {
    this.dashboard = dashboard;
  }

  static GrafanaDashboard read(Path file) throws IOException {
    return new GrafanaDashboard(new ObjectMapper().readTree(file.toFile()));
  }

  JsonNode json() {
    return dashboard;
  }

  /** The dashboard's title. */
  String title() {
    return dashboard.path("title").asText("Grafana dashboard");
  }

  /** The names of the dashboard's template variables. */
  List<String> variables() {
    List<String> names = new ArrayList<>();
    dashboard.path("templating").path("list").forEach(v -> names.add(v.path("name").asText()));
    return names;
  }

  /** The panels' titles, in order. */
  List<String> panelTitles() {
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    return titles;
  }

  /** The panels, in order, their queries as written (variables not replaced). */
  List<Panel> panels() {
    List<Panel> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      List<Query> queries = new ArrayList<>();
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                title,
                target.path("refId").asText(),
                target.path("expr").asText(),
                target.path("legendFormat").asText("")));
      }
      panels.add(
          new Panel(
              title,
              panel.path("description").asText(""),
              panel.path("fieldConfig").path("defaults").path("unit").asText("short"),
              panel.path("gridPos").path("w").asInt(12),
              List.copyOf(queries)));
    }
    return panels;
  }

  /**
   * Every query of every panel, each variable replaced by its value in {@code values} (Grafana's
   * built-in {@code __rate_interval} included). A variable without a value fails.
   */
  List<Query> queries(Map<String, String> values) {
    List<Query> queries = new ArrayList<>();
    for (Panel panel : panels()) {
      for (Query query : panel.queries()) {
        queries.add(
            new Query(
                query.panel(),
                query.refId(),
                substitute(query.expr(), values),
                query.legendFormat()));
      }
    }
    return queries;
  }

  static String substitute(String expr, Map<String, String> values) {
    Matcher variable = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (variable.find()) {
      String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("no value for $" + name + " in " + expr);
      }
      variable.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    variable.appendTail(out);
    return out.toString();
  }
}
