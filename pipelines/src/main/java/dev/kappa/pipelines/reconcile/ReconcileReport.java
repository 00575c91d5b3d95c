package dev.kappa.pipelines.reconcile;

import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.reconcile.Comparison.Group;
import dev.kappa.pipelines.reconcile.Comparison.KeyDifference;
import dev.kappa.pipelines.reconcile.Comparison.Side;
import dev.kappa.pipelines.reconcile.Comparison.Verdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import javax.annotation.Nullable;

/** A {@link Comparison} as text for the terminal and as a self-contained HTML page. */
public final class ReconcileReport {
  private ReconcileReport() {}

  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  /**
   * What was compared with what, for the report's heading.
   *
   * @param leftRows rows read from the left (every pane)
   * @param rightRows rows read from the right
   * @param tooLateRecords too-late records read, or -1 when none were given
   */
  public record Sources(
      String job,
      String left,
      int leftRows,
      String right,
      int rightRows,
      @Nullable String tooLate,
      int tooLateRecords,
      @Nullable Instant from,
      @Nullable Instant to) {}

  /** The summary line: keys compared, equal, explained and unexplained. */
  public static String summary(Comparison comparison) {
    return String.format(
        Locale.ROOT,
        "%d keys compared: %d equal, %d differ explained by too-late records, %d differ unexplained",
        comparison.keys(),
        comparison.equal(),
        comparison.keysWith(Verdict.EXPLAINED),
        comparison.keysWith(Verdict.UNEXPLAINED));
  }

  /** The report as lines of text: heading, summary, then each group with a difference. */
  public static String text(
      Sources sources, Comparison comparison, List<String> keyNames, List<String> groupNames) {
    StringBuilder out = new StringBuilder();
    out.append("kappa reconcile ").append(sources.job()).append('\n');
    out.append(
        String.format(
            Locale.ROOT, "  left:     %s (%d rows)%n", sources.left(), sources.leftRows()));
    out.append(
        String.format(
            Locale.ROOT, "  right:    %s (%d rows)%n", sources.right(), sources.rightRows()));
    if (sources.tooLate() != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "  too-late: %s (%d records)%n",
              sources.tooLate(),
              sources.tooLateRecords()));
    }
    if (sources.from() != null || sources.to() != null) {
      out.append("  windows:  within [")
          .append(sources.from() == null ? "-" : sources.from())
          .append(", ")
          .append(sources.to() == null ? "-" : sources.to())
          .append(")\n");
    }
    out.append('\n').append(summary(comparison)).append('\n');
    for (Group group : comparison.groups()) {
      out.append('\n').append(heading(group, groupNames)).append('\n');
      for (KeyDifference key : group.keys()) {
        out.append("    ")
            .append(named(keyNames, key.key()))
            .append(": left ")
            .append(measures(key.left()))
            .append(", right ")
            .append(measures(key.right()))
            .append('\n');
      }
      for (TooLate record : group.tooLate()) {
        out.append("    too late: ").append(record.description()).append('\n');
      }
    }
    if (!comparison.unmatchedTooLate().isEmpty()) {
      out.append('\n')
          .append(comparison.unmatchedTooLate().size())
          .append(" too-late records fall where both sides agree (neither counted them):\n");
      for (TooLate record : comparison.unmatchedTooLate()) {
        out.append("    ").append(record.description()).append('\n');
      }
    }
    return out.toString();
  }

  private static String heading(Group group, List<String> groupNames) {
    String where =
        window(group.windowStart(), group.windowEnd()) + " " + named(groupNames, group.group());
    String delta = signed(group.rightMinusLeft());
    if (group.verdict() == Verdict.UNEXPLAINED) {
      return "UNEXPLAINED "
          + where
          + ": right - left = "
          + delta
          + (group.tooLate().isEmpty()
              ? "; no too-late record here"
              : "; its " + records(group.tooLate().size()) + " add up to something else");
    }
    return "EXPLAINED   "
        + where
        + ": right - left = "
        + delta
        + ", the "
        + records(group.tooLate().size())
        + " the "
        + (group.countedBy() == Side.RIGHT ? "left" : "right")
        + " diverted";
  }

  private static String records(int count) {
    return count + (count == 1 ? " too-late record" : " too-late records");
  }

  static String window(Instant start, Instant end) {
    return "[" + DATE_TIME.format(start) + ", " + TIME.format(end) + ")";
  }

  private static String named(List<String> names, List<String> values) {
    StringJoiner joined = new StringJoiner(" ");
    for (int i = 0; i < values.size(); i++) {
      joined.add((i < names.size() ? names.get(i) : "#" + i) + "=" + values.get(i));
    }
    return joined.toString();
  }

  private static String measures(@Nullable Row row) {
    if (row == null) {
      return "none";
    }
    StringJoiner joined = new StringJoiner(" ");
    row.measures().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> joined.add(e.getKey() + "=" + e.getValue()));
    return joined.toString();
  }

  private static String signed(Map<String, Long> values) {
    StringJoiner joined = new StringJoiner(" ");
    values.forEach((name, value) -> joined.add(name + (value >= 0 ? " +" : " ") + value));
    return joined.toString();
  }

  /**
   * The report as an HTML page with no outside resources: the summary, a bar chart of the differing
   * keys per window (explained and unexplained stacked), and the text report.
   */
  public static String html(
      Sources sources, Comparison comparison, List<String> keyNames, List<String> groupNames) {
    Map<String, int[]> perWindow = new LinkedHashMap<>();
    for (Group group : comparison.groups()) {
      int[] counts =
          perWindow.computeIfAbsent(
              window(group.windowStart(), group.windowEnd()), w -> new int[2]);
      counts[group.verdict() == Verdict.EXPLAINED ? 0 : 1] += group.keys().size();
    }
    int max = perWindow.values().stream().mapToInt(c -> c[0] + c[1]).max().orElse(1);
    int barWidth = 28;
    int gap = 8;
    int chartHeight = 160;
    int width = Math.max(320, 60 + perWindow.size() * (barWidth + gap));
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-label=\"differing keys per window\">",
            width,
            chartHeight + 110));
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
            chartHeight + 10,
            width - 10,
            chartHeight + 10));
    svg.append(
        String.format(Locale.ROOT, "<text x=\"4\" y=\"20\" font-size=\"11\">%d</text>", max));
    int x = 50;
    List<String> labels = new ArrayList<>(perWindow.keySet());
    for (String label : labels) {
      int[] counts = perWindow.get(label);
      int explained = counts[0] * chartHeight / max;
      int unexplained = counts[1] * chartHeight / max;
      int base = chartHeight + 10;
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"explained\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                  + " fill=\"#4c9a6a\"><title>%s: %d explained</title></rect>",
              x,
              base - explained,
              barWidth,
              explained,
              escape(label),
              counts[0]));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"unexplained\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                  + " fill=\"#c8553d\"><title>%s: %d unexplained</title></rect>",
              x,
              base - explained - unexplained,
              barWidth,
              unexplained,
              escape(label),
              counts[1]));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"10\" transform=\"rotate(60 %d %d)\">%s</text>",
              x + 4,
              base + 14,
              x + 4,
              base + 14,
              escape(label.substring(1, label.indexOf(',')))));
      x += barWidth + gap;
    }
    svg.append("</svg>");
    String verdict =
        comparison.allExplained()
            ? "<p class=\"ok\">Every difference is explained.</p>"
            : "<p class=\"bad\">Some differences are unexplained.</p>";
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>kappa reconcile "
        + escape(sources.job())
        + "</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}"
        + "pre{background:#f6f6f6;padding:1em;overflow-x:auto}.ok{color:#2e6b45}"
        + ".bad{color:#a33}.legend span{display:inline-block;width:1em;height:1em;"
        + "margin:0 .3em 0 1em;vertical-align:middle}</style></head><body>"
        + "<h1>kappa reconcile "
        + escape(sources.job())
        + "</h1><p>"
        + escape(summary(comparison))
        + "</p>"
        + verdict
        + "<h2>Differing keys per window</h2>"
        + (perWindow.isEmpty() ? "<p>No window differs.</p>" : svg.toString())
        + "<p class=\"legend\"><span style=\"background:#4c9a6a\"></span>explained by too-late"
        + " records<span style=\"background:#c8553d\"></span>unexplained</p>"
        + "<h2>Report</h2><pre>"
        + escape(text(sources, comparison, keyNames, groupNames))
        + "</pre></body></html>\n";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
