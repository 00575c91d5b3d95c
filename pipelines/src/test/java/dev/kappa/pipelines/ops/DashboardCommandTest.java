package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kappa dashboard} against a stand-in for Prometheus's HTTP API that answers every range
 * query with an empty matrix but the records-in one, as Prometheus 2.42 answers them: the queries
 * sent (variables replaced as Grafana would), the series laid on the page's steps, the panels
 * without data named, and the errors.
 */
class DashboardCommandTest {

  private static final Instant NOW = Instant.parse("2026-03-02T08:10:00Z");
  private static final Pattern QUERY = Pattern.compile("[?&]query=([^&]*)");

  @TempDir Path dir;
  private HttpServer prometheus;
  private final List<String> queries = Collections.synchronizedList(new ArrayList<>());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void startPrometheus() throws IOException {
    prometheus = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    prometheus.createContext(
        "/api/v1/",
        exchange -> {
          String uri = exchange.getRequestURI().getRawPath();
          String query = exchange.getRequestURI().getRawQuery();
          String body;
          if (uri.endsWith("/label/job_name/values")) {
            body = "{\"status\":\"success\",\"data\":[\"order_revenue\",\"visitor_sessions\"]}";
          } else {
            Matcher expr = QUERY.matcher("?" + query);
            String promql =
                expr.find() ? URLDecoder.decode(expr.group(1), StandardCharsets.UTF_8) : "";
            queries.add(promql);
            body =
                promql.contains("numRecordsIn")
                    ? "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                        + "{\"metric\":{\"operator_name\":\"DecodeOrders\"},\"values\":"
                        + "[[1772438700,\"12.5\"],[1772438702,\"NaN\"],[1772438704,\"14\"]]},"
                        + "{\"metric\":{\"operator_name\":\"AddCategories\"},\"values\":"
                        + "[[1772438998,\"3\"]]}]}}"
                    : "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream response = exchange.getResponseBody()) {
            response.write(bytes);
          }
        });
    prometheus.start();
  }

  @AfterEach
  void stopPrometheus() {
    prometheus.stop(0);
  }

  private int dashboard(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--dashboard=" + KappaDashboardTest.dashboardFile().toAbsolutePath());
    return DashboardCommand.run(
        all.toArray(new String[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        dir,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private String prometheusUrl() {
    return "http://localhost:" + prometheus.getAddress().getPort();
  }

  @Test
  void drawsEveryPanelFromTheQueriesGrafanaWouldSend() throws Exception {
    int code =
        dashboard(
            "order-revenue",
            "--prometheus=" + prometheusUrl(),
            "--range=PT5M",
            "--out=pictures/d.html");

    assertThat(err.toString(StandardCharsets.UTF_8), code, is(0));
    GrafanaDashboard grafana = GrafanaDashboard.read(KappaDashboardTest.dashboardFile());
    int panels = grafana.panelTitles().size();
    Path page = dir.resolve("pictures/d.html");
    assertThat(
        out.toString(StandardCharsets.UTF_8),
        startsWith(
            "kappa dashboard: wrote "
                + page
                + " ("
                + panels
                + " panels, 1 with data; no data: Kafka backlog per source split, Records out per"
                + " step, "));
    assertThat(
        out.toString(StandardCharsets.UTF_8),
        containsString("; job order_revenue, 2026-03-02T08:05:00Z to 2026-03-02T08:10:00Z)\n"));
    // Every query of every panel once, for the job, with Grafana's $__rate_interval: 300 s / 300
    // is a 1 s step, so four 5 s scrape intervals.
    assertThat(
        queries, hasSize(grafana.queries(Map.of("job_name", "x", "__rate_interval", "1s")).size()));
    assertThat(queries, everyItem(containsString("job_name=~\"order_revenue\"")));
    assertThat(queries, everyItem(not(containsString("$job_name"))));
    assertThat(queries, everyItem(not(containsString("$__"))));
    assertThat(
        // A range, or a subquery's range (the latency percentiles').
        queries.stream()
            .filter(q -> q.contains("rate("))
            .allMatch(q -> q.contains("[20s]") || q.contains("[20s:]")),
        is(true));

    String html = Files.readString(page);
    assertThat(
        html, containsString("<body data-panels=\"" + panels + "\" data-panels-with-data=\"1\">"));
    assertThat(html, containsString("<h2 title=\"Records per second into each Flink operator"));
    assertThat(html, containsString("id=\"panel-0\" data-no-data=\"true\">No data</div>"));
    assertThat(html, containsString("<div class=\"chart\" id=\"panel-1\"></div>"));
    assertThat(html, not(containsString(" src=")));
    // One point per second from 08:05:00 to 08:10:00 (the samples at 0, 2 and 4 s, the one at 2 s
    // NaN: a gap, as a step without a sample); series sorted by legend.
    String charts = html.substring(html.indexOf("const CHARTS = "));
    String values = charts.substring(charts.indexOf("\"values\":[") + 10);
    List<String> decode = List.of(values.substring(0, values.indexOf(']')).split(","));
    assertThat(charts, containsString("{\"label\":\"AddCategories\",\"values\":[null,"));
    assertThat(decode, hasSize(301));
    assertThat(decode.get(298), is("3.0"));
    assertThat(
        charts,
        containsString("{\"label\":\"DecodeOrders\",\"values\":[12.5,null,null,null,14.0,null,"));
    assertThat(charts, containsString("\"format\":\"rps\""));
  }

  @Test
  void infiniteSamplesOfAQuantileAreGapsNotErrors() throws Exception {
    // What Prometheus returns for a histogram quantile over the +Inf bucket, beside a number.
    var result =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                "{\"result\": [{\"metric\": {\"output\": \"result\"}, \"values\": ["
                    + "[1000, \"+Inf\"], [1010, \"250\"], [1020, \"NaN\"], [1030, \"-Inf\"]]}]}");
    List<DashboardPage.Series> series =
        DashboardCommand.series(
            result, "{{output}}", Instant.ofEpochSecond(1000), java.time.Duration.ofSeconds(10), 4);
    assertThat(series, hasSize(1));
    assertThat(series.get(0).values(), is(Arrays.asList(null, 250.0, null, null)));
    assertThat(DashboardCommand.sampleValue("+Inf"), is(Double.POSITIVE_INFINITY));
    assertThat(DashboardCommand.sampleValue("-Inf"), is(Double.NEGATIVE_INFINITY));
  }

  @Test
  void aJobPrometheusHasNoMetricsOfIsRefusedWithTheJobsItHas() {
    assertThat(dashboard("order-payments", "--prometheus=" + prometheusUrl()), is(2));

    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString(
            " has no metrics of job 'order_payments' from 2026-03-02T07:40:00Z to"
                + " 2026-03-02T08:10:00Z; jobs: order_revenue, visitor_sessions\n"));
    assertThat(queries, hasSize(0));
  }

  @Test
  void anUnreachablePrometheusIsNamed() {
    prometheus.stop(0);
    int port = prometheus.getAddress().getPort();

    assertThat(dashboard("--prometheus=localhost:" + port), is(1));

    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith("kappa dashboard: cannot reach Prometheus at http://localhost:" + port + "/"));
  }

  @Test
  void badRangesAreUsageErrors() {
    assertThat(dashboard("--range=PT5M", "--from=2026-03-02T08:00:00Z"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith(
            "kappa dashboard: --range and --from exclude each other\nusage: kappa dashboard"));
    err.reset();
    assertThat(dashboard("--from=2026-03-02T09:00:00Z"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8), startsWith("kappa dashboard: the range is empty"));
    err.reset();
    assertThat(dashboard("--from=yesterday"), is(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        startsWith("kappa dashboard: --from must be an ISO-8601 instant"));
  }
}
