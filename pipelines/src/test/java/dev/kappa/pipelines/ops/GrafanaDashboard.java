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
 * The queries of a Grafana dashboard file ({@code runners-config/monitoring/kappa-dashboard.json}),
 * with its template variables replaced by values, as Grafana sends them to Prometheus.
 */
final class GrafanaDashboard {

  /** A variable reference Grafana would replace: {@code $name} or {@code ${name}}. */
  private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)\\}|([A-Za-z_]\\w*))");

  /** One query of a panel. */
  record Query(String panel, String refId, String expr) {
    @Override
    public String toString() {
      return "panel '" + panel + "' query " + refId + ": " + expr;
    }
  }

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

  /**
   * Every query of every panel, each variable replaced by its value in {@code values} (Grafana's
   * built-in {@code __rate_interval} included). A variable without a value fails.
   */
  List<Query> queries(Map<String, String> values) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                panel.path("title").asText(),
                target.path("refId").asText(),
                substitute(target.path("expr").asText(), values)));
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
