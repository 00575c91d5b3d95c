package dev.kappa.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The page code that {@code kappa report} ({@link ReportPage}) and {@code kappa dashboard} ({@code
 * ops.DashboardPage}) share: an HTML head with uPlot's script and style inlined (from its webjar on
 * the classpath, so the page needs no network), and a script that draws time series charts from
 * JSON. uPlot was chosen for being small (50 kB minified), dependency-free and maintained; the
 * page's own script only feeds it.
 *
 * <p>Each chart's container gets {@code data-painted-pixels}, the count of pixels its canvas drew;
 * {@code data-first-series-pixels}, those in its first series' colour; and {@code
 * data-series-pixels}, those in any of its series' colours (axes and grid are grey, so these are
 * the data). The body gets {@code data-charts-drawn}. A headless browser's DOM dump shows them to a
 * test.
 */
public final class Charts {
  private Charts() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEBJAR = "META-INF/resources/webjars/uplot/";

  /**
   * How a chart draws its values.
   *
   * @param axisLabel the y axis' label, or null for none
   * @param divisor what each value is divided by before it is drawn (100 for cents)
   * @param bars bars rather than lines with points
   * @param format how the y axis writes a value: {@code plain} (uPlot's own), {@code short} (k, M),
   *     {@code s} (a duration in s, min, h or d), {@code rps} (per second), {@code percent} (of 1,
   *     the axis from 0 to 100 % at least)
   * @param width the chart's width in CSS pixels
   * @param height the chart's height in CSS pixels
   * @param xLabel the legend's name of the x value
   * @param clock the x axis as times of day (HH:MM:SS, UTC) rather than uPlot's dates, and a legend
   *     of names only (no values under the pointer), for many series over a short range
   */
  public record Style(
      String axisLabel,
      int divisor,
      boolean bars,
      String format,
      int width,
      int height,
      String xLabel,
      boolean clock) {}

  /**
   * The head of a page titled {@code title}, uPlot and {@code style} inlined, and {@code <body>}.
   */
  public static String head(String title, String style) {
    return head(title, style, "");
  }

  /** {@link #head(String, String)} with attributes of the body ({@code name="value" ...}). */
  public static String head(String title, String style, String bodyAttributes) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + escape(title)
        + "</title>\n<style>\n"
        + uplot("dist/uPlot.min.css")
        + '\n'
        + BASE_STYLE
        + style
        + "</style>\n<script>\n"
        + uplot("dist/uPlot.iife.min.js")
        + "\n</script>\n</head>\n<body"
        + (bodyAttributes.isEmpty() ? "" : " " + bodyAttributes)
        + ">\n";
  }

  /**
   * One chart for {@link #script}: drawn into the element {@code id}, with x values {@code x}
   * (epoch seconds, UTC) and {@code series} from {@link #series}.
   */
  public static Map<String, Object> chart(
      String id, List<Long> x, List<Map<String, Object>> series, Style style) {
    Map<String, Object> chart = new LinkedHashMap<>();
    chart.put("id", id);
    chart.put("x", x);
    chart.put("series", series);
    chart.put("style", style);
    return chart;
  }

  /** A chart series: its label, then its values (in that order in the page's JSON), null gaps. */
  public static Map<String, Object> series(String label, List<? extends Number> values) {
    Map<String, Object> series = new LinkedHashMap<>();
    series.put("label", label);
    series.put("values", values);
    return series;
  }

  /** The script that draws {@code charts}, then the end of the page. */
  public static String scriptAndEnd(List<Map<String, Object>> charts) {
    return "<script>\nconst CHARTS = "
        + json(charts).replace("</", "<\\/")
        + ";\n"
        + SCRIPT
        + "</script>\n</body>\n</html>\n";
  }

  /** {@code text} escaped for HTML text and attribute values. */
  public static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the charts' data as JSON", e);
    }
  }

  /** A file of uPlot's webjar, of the version on the classpath. */
  private static String uplot(String file) {
    ClassLoader loader = Charts.class.getClassLoader();
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

  private static final String BASE_STYLE =
      """
      body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
      h1 { font-size: 22px; margin: 0 0 4px; }
      h2 { font-size: 17px; margin: 28px 0 6px; }
      .meta, .note { color: #57606a; font-size: 13px; }
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
      // Axis labels in a unit chosen for the largest tick, with the decimals the ticks' spacing
      // needs (Grafana's units: short, s as durations, rps, percentunit).
      const short = top => top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
      const UNITS = {
        short: short,
        rps: top => { const [d, s] = short(top); return [d, s + '/s']; },
        s: top => top >= 86400 ? [86400, ' d'] : top >= 3600 ? [3600, ' h']
          : top >= 60 ? [60, ' min'] : top >= 1 || top === 0 ? [1, ' s'] : [0.001, ' ms'],
        percent: top => [0.01, '%'],
      };
      const ticks = unit => (u, vals) => {
        const finite = vals.filter(v => v !== null && v !== undefined);
        const top = Math.max(0, ...finite.map(Math.abs));
        const [div, suffix] = unit(top);
        const spacing = finite.length > 1 ? Math.abs(finite[1] - finite[0]) / div : 1;
        const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(spacing) - 1e-9)));
        return vals.map(v => v === null ? '' : (v / div).toFixed(decimals) + suffix);
      };
      const rgb = hex => [1, 3, 5].map(i => parseInt(hex.substring(i, i + 2), 16));
      const near = (pixels, i, c) => Math.abs(pixels[i] - c[0]) < 40
        && Math.abs(pixels[i + 1] - c[1]) < 40 && Math.abs(pixels[i + 2] - c[2]) < 40;
      let drawn = 0;
      for (const chart of CHARTS) {
        const el = document.getElementById(chart.id);
        const style = chart.style;
        const unit = UNITS[style.format];
        const data = [chart.x].concat(chart.series.map(
          s => s.values.map(v => v === null ? null : v / style.divisor)));
        const series = [{ label: style.xLabel }].concat(chart.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          fill: style.bars ? PALETTE[i % PALETTE.length] + '99' : undefined,
          width: 2,
          spanGaps: false,
          points: { show: !style.bars && !style.clock, size: 5 },
          paths: style.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
        })));
        const y = { label: style.axisLabel || undefined, size: style.axisLabel ? 100 : 70 };
        if (unit) y.values = ticks(unit);
        const x = {};
        if (style.clock) {
          x.space = 80;
          x.values = (u, vals) => vals.map(v => new Date(v * 1e3).toISOString().substring(11, 19));
        }
        const scales = { x: { time: true } };
        if (style.format === 'percent') {
          scales.y = { range: (u, min, max) => [0, Math.max(1, max)] };
        } else if (style.bars) {
          // Bars are counts: from 0, so that a bar of 1 is not drawn as nothing.
          scales.y = { range: (u, min, max) => [0, Math.max(1, max) * 1.1] };
        }
        new uPlot({
          width: style.width,
          height: style.height,
          tzDate: utc,
          scales: scales,
          series: series,
          axes: [x, y],
          legend: { live: !style.clock },
        }, data, el);
        drawn++;
      }
      // After uPlot's deferred first draw: what each canvas painted, for a headless check.
      setTimeout(() => {
        for (const chart of CHARTS) {
          const canvas = document.querySelector('#' + chart.id + ' canvas');
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = PALETTE.slice(0, Math.min(chart.series.length, PALETTE.length)).map(rgb);
          let painted = 0;
          let firstSeries = 0;
          let anySeries = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            if (pixels[i + 3] === 0) continue;
            painted++;
            if (colours.length && near(pixels, i, colours[0])) firstSeries++;
            if (colours.some(c => near(pixels, i, c))) anySeries++;
          }
          const el = document.getElementById(chart.id);
          el.dataset.paintedPixels = painted;
          el.dataset.firstSeriesPixels = firstSeries;
          el.dataset.seriesPixels = anySeries;
        }
        document.body.dataset.chartsDrawn = drawn;
      }, 100);
      """;
}
