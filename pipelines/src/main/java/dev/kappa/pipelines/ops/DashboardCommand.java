package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kappa dashboard [<job name>] [--prometheus=http://localhost:9090] [--range=PT30M |
 * --from=<instant> [--to=<instant>]] [--out=kappa-dashboard.html]}: the Grafana dashboard of {@code
 * runners-config/monitoring/kappa-dashboard.json} drawn without Grafana, as one HTML page ({@link
 * DashboardPage}) that needs no network: every panel's queries are sent to Prometheus as Grafana
 * sends them ({@code /api/v1/query_range}, the variables {@code $job_name} and {@code
 * $__rate_interval} replaced the same way), and each panel is drawn with its title, unit and width.
 *
 * <p>For a picture of a job's health to keep or send (an incident, a release), and where Grafana is
 * not at hand: this project's machines cannot install it. {@code $__rate_interval} is Grafana's:
 * the larger of four scrape intervals ({@code --scrapeInterval}, default 5 s as in {@code
 * runners-config/monitoring/prometheus.yml}) and the step plus one scrape interval. The step
 * defaults to a three-hundredth of the range, at least 1 s.
 *
 * <p>Exit codes: 0 written, 1 Prometheus unreachable or refusing a query (its reason printed), 2 a
 * usage error, a dashboard file that is missing, or a job Prometheus has no metrics of.
 */
public final class DashboardCommand {
  private DashboardCommand() {}

  static final String DEFAULT_DASHBOARD = "runners-config/monitoring/kappa-dashboard.json";
  private static final Set<String> OPTIONS =
      Set.of("prometheus", "range", "from", "to", "step", "scrapeInterval", "dashboard", "out");
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*\\}\\}");

  static final String USAGE =
      "kappa dashboard [<job name>] [--prometheus=http://localhost:9090]"
          + " [--range=PT30M | --from=<instant> [--to=<instant>]] [--step=<duration>]\n"
          + "             [--scrapeInterval=PT5S] [--dashboard="
          + DEFAULT_DASHBOARD
          + "] [--out=kappa-dashboard.html]";

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, Path.of(""), Clock.systemUTC());
  }

  static int run(
      String[] args, PrintStream out, PrintStream err, Path workingDirectory, Clock clock) {
    OpsArguments arguments;
    Instant from;
    Instant to;
    Duration step;
    Duration scrape;
    try {
      arguments = OpsArguments.parse(args, Set.of(), OPTIONS);
      if (arguments.positional().size() > 1) {
        throw new OpsArguments.UsageException(
            "name one job at most, got " + arguments.positional());
      }
      if (arguments.option("range").isPresent() && arguments.option("from").isPresent()) {
        throw new OpsArguments.UsageException("--range and --from exclude each other");
      }
      to = instant(arguments, "to", clock.instant());
      from =
          arguments.option("from").isPresent()
              ? instant(arguments, "from", null)
              : to.minus(arguments.duration("range", Duration.ofMinutes(30)));
      if (!from.isBefore(to)) {
        throw new OpsArguments.UsageException(
            "the range is empty: from " + from + " to " + to + " (--from must be before --to)");
      }
      Duration range = Duration.between(from, to);
      step =
          arguments.duration(
              "step", Duration.ofSeconds(Math.max(1, (range.toSeconds() + 299) / 300)));
      scrape = arguments.duration("scrapeInterval", Duration.ofSeconds(5));
      if (step.toSeconds() < 1 || scrape.toSeconds() < 1) {
        throw new OpsArguments.UsageException("--step and --scrapeInterval are 1 s at least");
      }
    } catch (OpsArguments.UsageException | IllegalArgumentException e) {
      err.println("kappa dashboard: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    Path dashboardFile =
        workingDirectory.toAbsolutePath().resolve(arguments.option("dashboard", DEFAULT_DASHBOARD));
    if (!Files.isRegularFile(dashboardFile)) {
      err.println(
          "kappa dashboard: no dashboard file "
              + dashboardFile.normalize()
              + ": run it from the repository's root, or give --dashboard=<Grafana dashboard JSON>");
      return 2;
    }
    // Flink's Prometheus reporter writes a job's name with '_' for what Prometheus forbids.
    String job =
        arguments.positional().isEmpty()
            ? ".+"
            : arguments.positional().get(0).replaceAll("[^A-Za-z0-9_]", "_");
    PrometheusApi prometheus = PrometheusApi.at(arguments.option("prometheus", "localhost:9090"));
    try {
      GrafanaDashboard dashboard = GrafanaDashboard.read(dashboardFile);
      if (!arguments.positional().isEmpty()) {
        List<String> jobs = jobNames(prometheus, from, to);
        if (!jobs.contains(job)) {
          err.println(
              "kappa dashboard: Prometheus at "
                  + prometheus.url()
                  + " has no metrics of job '"
                  + job
                  + "' from "
                  + from
                  + " to "
                  + to
                  + (jobs.isEmpty()
                      ? "; it has no Flink job's (is it scraping the cluster?)"
                      : "; jobs: " + String.join(", ", jobs)));
          return 2;
        }
      }
      long rateInterval = Math.max(4 * scrape.toSeconds(), step.toSeconds() + scrape.toSeconds());
      Map<String, String> variables =
          Map.of(
              "DS_PROMETHEUS", "prometheus",
              "job_name", job,
              "__rate_interval", rateInterval + "s",
              "__interval", step.toSeconds() + "s",
              "__range", Duration.between(from, to).toSeconds() + "s");
      from = Instant.ofEpochSecond(from.getEpochSecond());
      to = Instant.ofEpochSecond(to.getEpochSecond());
      List<Long> x = new ArrayList<>();
      for (long t = from.getEpochSecond(); t <= to.getEpochSecond(); t += step.toSeconds()) {
        x.add(t);
      }
      List<DashboardPage.PanelData> panels = new ArrayList<>();
      List<String> empty = new ArrayList<>();
      for (GrafanaDashboard.Panel panel : dashboard.panels()) {
        List<String> queries = new ArrayList<>();
        List<DashboardPage.Series> series = new ArrayList<>();
        for (GrafanaDashboard.Query query : panel.queries()) {
          String expr = GrafanaDashboard.substitute(query.expr(), variables);
          queries.add(expr);
          series.addAll(
              series(
                  prometheus.queryRange(expr, from, to, step),
                  query.legendFormat(),
                  from,
                  step,
                  x.size()));
        }
        if (series.isEmpty()) {
          empty.add(panel.title());
        }
        panels.add(new DashboardPage.PanelData(panel, queries, series));
      }
      String html =
          DashboardPage.render(
              new DashboardPage.Header(
                  dashboard.title(),
                  arguments.option("dashboard", DEFAULT_DASHBOARD),
                  prometheus.url().toString(),
                  arguments.positional().isEmpty() ? "all" : job,
                  from,
                  to,
                  step,
                  clock.instant()),
              x,
              panels);
      Path target =
          workingDirectory
              .toAbsolutePath()
              .resolve(arguments.option("out", "kappa-dashboard.html"))
              .normalize();
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      Files.writeString(target, html, StandardCharsets.UTF_8);
      out.printf(
          "kappa dashboard: wrote %s (%d panels, %d with data%s; job %s, %s to %s)%n",
          target,
          panels.size(),
          panels.size() - empty.size(),
          empty.isEmpty() ? "" : "; no data: " + String.join(", ", empty),
          arguments.positional().isEmpty() ? "all" : job,
          from,
          to);
      return 0;
    } catch (PrometheusApi.PrometheusException e) {
      err.println("kappa dashboard: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      // A dashboard query with a variable other than the job's and Grafana's intervals.
      err.println("kappa dashboard: " + dashboardFile.getFileName() + ": " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("kappa dashboard: " + e.getMessage());
      return 2;
    }
  }

  private static Instant instant(OpsArguments arguments, String name, Instant otherwise) {
    String text = arguments.option(name).orElse(null);
    if (text == null) {
      return otherwise;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new OpsArguments.UsageException(
          "--"
              + name
              + " must be an ISO-8601 instant such as 2026-03-01T10:00:00Z, was '"
              + text
              + "'");
    }
  }

  /** The {@code job_name}s of the Flink jobs Prometheus has metrics of in the range. */
  private static List<String> jobNames(PrometheusApi prometheus, Instant from, Instant to) {
    JsonNode names =
        prometheus.get(
            "label/job_name/values",
            "match[]",
            "flink_jobmanager_job_uptime",
            "start",
            Long.toString(from.getEpochSecond()),
            "end",
            Long.toString(to.getEpochSecond()));
    List<String> jobs = new ArrayList<>();
    names.forEach(n -> jobs.add(n.asText()));
    return jobs;
  }

  /**
   * The series of a range query's {@code result}, each named by {@code legendFormat} (Grafana's
   * {@code {{label}}} templates; the series' labels when it is empty) and laid on the page's steps.
   */
  static List<DashboardPage.Series> series(
      JsonNode rangeResult, String legendFormat, Instant from, Duration step, int steps) {
    List<DashboardPage.Series> series = new ArrayList<>();
    for (JsonNode result : rangeResult.path("result")) {
      List<Double> values = new ArrayList<>(Collections.nCopies(steps, (Double) null));
      boolean any = false;
      for (JsonNode sample : result.path("values")) {
        long index =
            Math.round((sample.get(0).asDouble() - from.getEpochSecond()) / step.toSeconds());
        double value = sampleValue(sample.get(1).asText());
        if (index >= 0 && index < steps && Double.isFinite(value)) {
          values.set((int) index, value);
          any = true;
        }
      }
      if (any) {
        series.add(new DashboardPage.Series(legend(result.path("metric"), legendFormat), values));
      }
    }
    series.sort(Comparator.comparing(DashboardPage.Series::label));
    return series;
  }

  /**
   * A sample's value as Prometheus writes it: a number, or {@code +Inf}, {@code -Inf} or {@code
   * NaN} (a quantile of a histogram can be infinite), which Java's parser does not all take.
   */
  static double sampleValue(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  /** A series' legend: {@code legendFormat} with each {@code {{label}}} replaced by its value. */
  static String legend(JsonNode metric, String legendFormat) {
    if (legendFormat.isBlank() || legendFormat.equals("__auto")) {
      Set<String> labels = new TreeSet<>();
      for (Iterator<String> names = metric.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.equals("__name__")) {
          labels.add(name + "=\"" + metric.path(name).asText() + "\"");
        }
      }
      return metric.path("__name__").asText("") + "{" + String.join(", ", labels) + "}";
    }
    Matcher label = LEGEND_LABEL.matcher(legendFormat);
    StringBuilder text = new StringBuilder();
    while (label.find()) {
      label.appendReplacement(
          text, Matcher.quoteReplacement(metric.path(label.group(1)).asText("")));
    }
    label.appendTail(text);
    return text.toString();
  }
}
