package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kappa.transforms.metrics.MeasureOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The shape of {@code runners-config/monitoring/kappa-dashboard.json}: what Grafana needs to import
 * it, and queries that all select the chosen job. {@code MetricsPrometheusIT} runs the queries
 * against a real Prometheus.
 */
class KappaDashboardTest {
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

  static Path dashboardFile() {
    return Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
        .resolve("monitoring/kappa-dashboard.json");
  }

  @Test
  void importsWithAPrometheusDatasourceVariableAndAJobVariable() throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.read(dashboardFile());
    JsonNode json = dashboard.json();
    assertThat(json.path("schemaVersion").asInt(), greaterThanOrEqualTo(39));
    assertThat(json.path("uid").asText(), is("kappa-pipeline-health"));
    assertThat(dashboard.variables(), hasItems("DS_PROMETHEUS", "job_name"));
    assertThat(json.path("__inputs").get(0).path("name").asText(), is("DS_PROMETHEUS"));
    assertThat(json.path("__inputs").get(0).path("pluginId").asText(), is("prometheus"));
  }

  @Test
  void everyPanelQueriesTheChosenJobsPrometheusSeries() throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.read(dashboardFile());
    List<String> problems = new ArrayList<>();
    for (JsonNode panel : dashboard.json().path("panels")) {
      String title = panel.path("title").asText();
      if (!panel.path("datasource").path("uid").asText().equals("${DS_PROMETHEUS}")) {
        problems.add(title + ": datasource is not ${DS_PROMETHEUS}");
      }
      if (panel.path("targets").isEmpty()) {
        problems.add(title + ": no query");
      }
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        if (!expr.contains("job_name=~\"$job_name\"")) {
          problems.add(title + " " + target.path("refId").asText() + ": not filtered by $job_name");
        }
      }
    }
    assertThat(problems, empty());
    assertThat(dashboard.panelTitles().size(), greaterThanOrEqualTo(8));
  }

  @Test
  void variablesAreReplacedAndPromqlReplacementGroupsAreLeftAlone() {
    Map<String, String> values = Map.of("job_name", "order_revenue", "__rate_interval", "20s");
    String expr =
        "sum by (split) (label_replace(rate(x{job_name=~\"$job_name\"}[$__rate_interval]),"
            + " \"split\", \"$1\", \"__name__\", \"x_(.+)\")) and y{j=\"${job_name}\"}";
    String replaced = GrafanaDashboard.substitute(expr, values);
    assertThat(replaced, containsString("x{job_name=~\"order_revenue\"}[20s]"));
    assertThat(replaced, containsString("\"split\", \"$1\""));
    assertThat(replaced, containsString("y{j=\"order_revenue\"}"));
    assertThat(replaced, not(containsString("$job_name")));
    Executable unknown = () -> GrafanaDashboard.substitute("rate(x[$__range])", values);
    IllegalArgumentException error =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, unknown);
    assertThat(error.getMessage(), containsString("no value for $__range"));
  }

  @Test
  void theLatencyPercentilesReadMeasureOutputsBucketsWithTheirBoundAsLe() throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.read(dashboardFile());
    JsonNode percentiles = null;
    for (JsonNode panel : dashboard.json().path("panels")) {
      if (panel.path("title").asText().startsWith("End-to-end event-time latency percentiles")) {
        percentiles = panel;
      }
    }
    assertThat("no latency percentiles panel", percentiles != null, is(true));
    List<String> quantiles = new ArrayList<>();
    for (JsonNode target : percentiles.path("targets")) {
      String expr = target.path("expr").asText();
      Matcher quantile =
          Pattern.compile("^clamp_max\\(histogram_quantile\\((0\\.\\d+),").matcher(expr);
      assertThat(expr, quantile.find(), is(true));
      quantiles.add(quantile.group(1));
      // The buckets' names as MeasureOutput writes them, for the results output.
      Matcher selector = Pattern.compile("__name__=~\"([^\"]+)\"").matcher(expr);
      assertThat(expr, selector.find(), is(true));
      Pattern names = Pattern.compile(selector.group(1));
      Matcher bound = Pattern.compile("\"__name__\", \"([^\"]+)\"").matcher(expr);
      assertThat(expr, bound.find(), is(true));
      Pattern le = Pattern.compile(bound.group(1));
      List<String> bounds = new ArrayList<>();
      for (long millis : MeasureOutput.LATENCY_BUCKETS_MILLIS) {
        String name = OPERATOR + "result_" + MeasureOutput.latencyBucket(millis);
        assertThat(name, names.matcher(name).matches(), is(true));
        Matcher value = le.matcher(name);
        assertThat(name, value.matches(), is(true));
        bounds.add(value.group(1));
      }
      String inf = OPERATOR + "result_" + MeasureOutput.LATENCY_BUCKET_INF;
      assertThat(names.matcher(inf).matches(), is(true));
      Matcher infValue = le.matcher(inf);
      assertThat(infValue.matches(), is(true));
      // Prometheus' le values: the bounds as numbers, the last bucket +Inf.
      assertThat(
          bounds, is(MeasureOutput.LATENCY_BUCKETS_MILLIS.stream().map(String::valueOf).toList()));
      assertThat(expr, containsString("\"le\", \"+Inf\", \"le\", \"" + infValue.group(1) + "\""));
      assertThat(expr, containsString("/ 1000"));
    }
    assertThat(quantiles, is(List.of("0.5", "0.99")));
  }
}
