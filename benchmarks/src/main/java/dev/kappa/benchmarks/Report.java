package dev.kappa.benchmarks;

import java.util.List;
import java.util.Locale;

/** The race's table (Markdown) and chart (hand-written SVG). */
final class Report {
  private Report() {}

  static String markdown(List<Race.Outcome> outcomes) {
    StringBuilder md = new StringBuilder();
    md.append("| Orders | Contender | Wall time (s) | Records/s | Same results |\n");
    md.append("|---:|---|---:|---:|---|\n");
    for (Race.Outcome outcome : outcomes) {
      for (Race.Lap lap : outcome.laps()) {
        md.append(
            f(
                "| %,d | %s: %s | %.1f | %,.0f | %s |\n",
                outcome.orders(),
                lap.contender().id,
                lap.contender().description,
                lap.seconds(),
                outcome.records() / lap.seconds(),
                lap.differences().isEmpty() ? "yes" : "**no**"));
      }
    }
    md.append("\n| Orders | kappa / native (throughput) | kappa / floor (throughput) |\n");
    md.append("|---:|---:|---:|\n");
    for (Race.Outcome outcome : outcomes) {
      md.append(
          f(
              "| %,d | %.2f | %.2f |\n",
              outcome.orders(),
              ratio(outcome, Race.Contender.NATIVE),
              ratio(outcome, Race.Contender.FLOOR)));
    }
    md.append(
        f(
            "\nRecords: every record of the orders topic (%s dead letters at the first size);"
                + " ground truth: %,d result rows at the first size.\n",
            outcomes.isEmpty() ? "-" : f("%,d", outcomes.get(0).truth().deadLetters()),
            outcomes.isEmpty() ? 0 : outcomes.get(0).truth().rows().size()));
    return md.toString();
  }

  /** Kappa's throughput over {@code other}'s: above 1 is faster. */
  static double ratio(Race.Outcome outcome, Race.Contender other) {
    return outcome.lap(other).seconds() / outcome.lap(Race.Contender.KAPPA).seconds();
  }

  /** Horizontal bars of records/s, one group per size. */
  static String svg(List<Race.Outcome> outcomes) {
    String[] colours = {"#9e9e9e", "#1f77b4", "#d62728"};
    int barHeight = 22;
    int gap = 6;
    int groupGap = 30;
    int left = 190;
    int width = 760;
    int plotWidth = width - left - 120;
    double max = 1;
    for (Race.Outcome outcome : outcomes) {
      for (Race.Lap lap : outcome.laps()) {
        max = Math.max(max, outcome.records() / lap.seconds());
      }
    }
    StringBuilder bars = new StringBuilder();
    int y = 50;
    for (Race.Outcome outcome : outcomes) {
      bars.append(
          f(
              "  <text x=\"10\" y=\"%d\" font-weight=\"bold\">%,d orders</text>\n",
              y + 14, outcome.orders()));
      y += 22;
      for (Race.Lap lap : outcome.laps()) {
        double rate = outcome.records() / lap.seconds();
        int length = (int) Math.max(1, Math.round(plotWidth * rate / max));
        bars.append(
            f(
                "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                left - 8, y + 16, lap.contender().id));
        bars.append(
            f(
                "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                left, y, length, barHeight, colours[lap.contender().ordinal() % colours.length]));
        bars.append(
            f(
                "  <text x=\"%d\" y=\"%d\">%,.0f/s (%.1f s)</text>\n",
                left + length + 6, y + 16, rate, lap.seconds()));
        y += barHeight + gap;
      }
      y += groupGap - gap;
    }
    int height = y + 10;
    return f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n",
            width, height, width, height)
        + f("  <rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height)
        + "  <text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Order-revenue"
        + " backfill: records per second (longer is faster)</text>\n"
        + bars
        + "</svg>\n";
  }

  /** The streaming race's tables: capacity (if measured), then one row per rate and contender. */
  static String streamingMarkdown(
      double capacity, List<StreamingRace.Capacity> capacities, List<StreamingRace.Lap> laps) {
    StringBuilder md = new StringBuilder();
    if (!capacities.isEmpty()) {
      md.append(
          "| Contender | Capacity from a backlog (orders/s) | Load average (before / after) |");
      md.append(" Same results |\n|---|---:|---|---|\n");
      for (StreamingRace.Capacity c : capacities) {
        md.append(
            f(
                "| %s | %,.0f | %s | %s |\n",
                c.contender().id,
                c.ordersPerSecond(),
                c.loadAverage(),
                c.differences().isEmpty() ? "yes" : "**no**"));
      }
      md.append(f("\nCapacity used for the rates: %,.0f orders/s (the lower).\n\n", capacity));
    }
    md.append("| Rate (orders/s) | Contender | Achieved (orders/s) | Results measured |");
    md.append(" p50 latency (ms) | p99 latency (ms) | Max latency (ms) | Start-up max (ms) |");
    md.append(" Load average (before / after) | Same results |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (StreamingRace.Lap lap : laps) {
      md.append(
          f(
              "| %,.0f | %s: %s | %,.0f | %,d | %,d | %,d | %,d | %,d | %s | %s |\n",
              lap.targetRate(),
              lap.contender().id,
              lap.contender().description,
              lap.achievedRate(),
              lap.latency().count(),
              lap.latency().p50(),
              lap.latency().p99(),
              lap.latency().max(),
              lap.startUp().max(),
              lap.loadAverage(),
              lap.differences().isEmpty() ? "yes" : "**no**"));
    }
    md.append("\n| Rate (orders/s) | kappa p99 - native p99 (ms) |\n|---:|---:|\n");
    for (int i = 0; i + 1 < laps.size(); i += 2) {
      md.append(
          f(
              "| %,.0f | %+,d |\n",
              laps.get(i).targetRate(),
              laps.get(i + 1).latency().p99() - laps.get(i).latency().p99()));
    }
    return md.toString();
  }

  /** Horizontal bars of latency per rate and contender: p99 (light) over p50 (dark). */
  static String streamingSvg(List<StreamingRace.Lap> laps) {
    String[][] colours = {{"#9ecae1", "#1f77b4"}, {"#f4a3a3", "#d62728"}};
    int barHeight = 22;
    int left = 190;
    int width = 800;
    int plotWidth = width - left - 250;
    double max = 1;
    for (StreamingRace.Lap lap : laps) {
      max = Math.max(max, lap.latency().p99());
    }
    StringBuilder bars = new StringBuilder();
    int y = 64;
    double rate = -1;
    for (StreamingRace.Lap lap : laps) {
      if (lap.targetRate() != rate) {
        rate = lap.targetRate();
        if (y > 64) {
          y += 24;
        }
        bars.append(
            f(
                "  <text x=\"10\" y=\"%d\" font-weight=\"bold\">%,.0f orders/s</text>\n",
                y + 14, rate));
        y += 22;
      }
      String[] colour = colours[lap.contender().ordinal() % colours.length];
      int p99 = (int) Math.max(1, Math.round(plotWidth * lap.latency().p99() / max));
      int p50 = (int) Math.max(1, Math.round(plotWidth * lap.latency().p50() / max));
      bars.append(
          f(
              "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
              left - 8, y + 16, lap.contender().id));
      bars.append(
          f(
              "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
              left, y, p99, barHeight, colour[0]));
      bars.append(
          f(
              "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
              left, y + 5, p50, barHeight - 10, colour[1]));
      bars.append(
          f(
              "  <text x=\"%d\" y=\"%d\">p50 %,d ms, p99 %,d ms (max %,d)</text>\n",
              left + p99 + 6,
              y + 16,
              lap.latency().p50(),
              lap.latency().p99(),
              lap.latency().max()));
      y += barHeight + 6;
    }
    int height = y + 16;
    return f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n",
            width, height, width, height)
        + f("  <rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height)
        + "  <text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Order-revenue"
        + " stream: event-time latency of window results (shorter is better)</text>\n"
        + "  <text x=\"10\" y=\"44\">dark bar: p50; light bar: p99; result appended to"
        + " Kafka minus window end</text>\n"
        + bars
        + "</svg>\n";
  }

  private static String f(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
