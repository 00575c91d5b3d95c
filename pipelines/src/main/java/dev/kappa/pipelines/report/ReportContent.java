package dev.kappa.pipelines.report;

import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.schemas.common.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * What a job's report shows, computed from the records a run wrote as its {@link JobReport} says:
 * each result's latest pane or version (results may hold every pane, as files do, or only the
 * latest, as an upserted table does; both give the same answer), the job's charts per window, what
 * the too-late records would have added to each window they missed, and the dead letters per minute
 * by the step and error that rejected them.
 */
public final class ReportContent {

  /** A result's identity: its window and key. */
  private record Identity(Instant start, Instant end, List<String> key) {}

  /** One chart drawn: its heading, x values (epoch seconds) and series, and the total drawn. */
  public record DrawnChart(
      String id,
      String title,
      String note,
      JobReport.Measure measure,
      List<Long> x,
      SortedMap<String, List<Long>> series,
      long total) {}

  /** What too-late records of one group would have added to one window. */
  public record Missed(long records, SortedMap<String, Long> measures, String example) {
    Missed plus(TooLate late) {
      SortedMap<String, Long> sum = new TreeMap<>(measures);
      late.measures().forEach((name, value) -> sum.merge(name, value, Long::sum));
      return new Missed(records + 1, sum, example);
    }
  }

  /** Dead letters of one step and error class; {@code example} is the first one's message. */
  public record Rejection(String step, String errorClass, long count, String example) {}

  private final JobReport<?> spec;
  private final SortedMap<Identity, Row> latest;
  private final long rowsRead;
  private final SortedMap<Instant, SortedMap<String, Missed>> tooLate;
  private final long tooLateCount;
  private final List<Rejection> rejections;
  private final SortedMap<Instant, SortedMap<String, Long>> deadLettersPerMinute;
  private final long deadLetterCount;

  private ReportContent(
      JobReport<?> spec,
      SortedMap<Identity, Row> latest,
      long rowsRead,
      SortedMap<Instant, SortedMap<String, Missed>> tooLate,
      long tooLateCount,
      List<Rejection> rejections,
      SortedMap<Instant, SortedMap<String, Long>> deadLettersPerMinute,
      long deadLetterCount) {
    this.spec = spec;
    this.latest = latest;
    this.rowsRead = rowsRead;
    this.tooLate = tooLate;
    this.tooLateCount = tooLateCount;
    this.rejections = rejections;
    this.deadLettersPerMinute = deadLettersPerMinute;
    this.deadLetterCount = deadLetterCount;
  }

  private static final Comparator<Identity> IDENTITY_ORDER =
      Comparator.comparing(Identity::start)
          .thenComparing(Identity::end)
          .thenComparing(identity -> String.join("\u0000", identity.key()));

  /** The report of {@code rows} (any panes, in any order), too-late records and dead letters. */
  public static ReportContent of(
      JobReport<?> spec, List<Row> rows, List<TooLate> tooLate, List<DeadLetter> deadLetters) {
    SortedMap<Identity, Row> latest = new TreeMap<>(IDENTITY_ORDER);
    for (Row row : rows) {
      latest.merge(
          new Identity(row.windowStart(), row.windowEnd(), row.key()),
          row,
          (before, now) -> now.pane() > before.pane() ? now : before);
    }
    SortedMap<Instant, SortedMap<String, Missed>> missed = new TreeMap<>();
    for (TooLate late : tooLate) {
      missed
          .computeIfAbsent(bucket(spec, late.windowStart()), start -> new TreeMap<>())
          .merge(
              String.join(" ", late.group()),
              new Missed(1, new TreeMap<>(late.measures()), late.description()),
              (before, one) -> before.plus(late));
    }
    Map<List<String>, Rejection> byReason = new LinkedHashMap<>();
    SortedMap<Instant, SortedMap<String, Long>> perMinute = new TreeMap<>();
    for (DeadLetter letter : deadLetters) {
      List<String> reason = List.of(letter.getStep(), letter.getErrorClass());
      Rejection before = byReason.get(reason);
      byReason.put(
          reason,
          new Rejection(
              letter.getStep(),
              letter.getErrorClass(),
              before == null ? 1 : before.count() + 1,
              before == null ? letter.getErrorMessage() : before.example()));
      perMinute
          .computeIfAbsent(
              letter.getFailedAt().truncatedTo(ChronoUnit.MINUTES), minute -> new TreeMap<>())
          .merge(letter.getStep() + " " + simpleName(letter.getErrorClass()), 1L, Long::sum);
    }
    List<Rejection> rejections = new ArrayList<>(byReason.values());
    rejections.sort(
        Comparator.comparingLong(Rejection::count)
            .reversed()
            .thenComparing(Rejection::step)
            .thenComparing(Rejection::errorClass));
    return new ReportContent(
        spec,
        latest,
        rows.size(),
        missed,
        tooLate.size(),
        List.copyOf(rejections),
        perMinute,
        deadLetters.size());
  }

  /** {@code time} floored to the report's bucket, or as it is when results are windows. */
  private static Instant bucket(JobReport<?> spec, Instant time) {
    Duration width = spec.bucket();
    if (width == null) {
      return time;
    }
    long millis = width.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), millis) * millis);
  }

  static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /**
   * Every result's latest pane or version, by window, then key; a result whose latest row has no
   * measures (a retraction) is no result.
   */
  public List<Row> results() {
    return latest.values().stream().filter(row -> !row.measures().isEmpty()).toList();
  }

  /** The result records read, every pane or version counted. */
  public long rowsRead() {
    return rowsRead;
  }

  /** The window starts (or buckets) of the results, sorted: the charts' x values. */
  public SortedSet<Instant> windowStarts() {
    SortedSet<Instant> starts = new TreeSet<>();
    latest.forEach(
        (identity, row) -> {
          if (!row.measures().isEmpty()) {
            starts.add(bucket(spec, identity.start()));
          }
        });
    return starts;
  }

  /**
   * The job's charts with their data: each chart of its {@link JobReport} once per value of its
   * split (sorted), its series sorted by label, a value per window start of {@link #windowStarts()}
   * ({@code null} where a series had no result).
   */
  public List<DrawnChart> charts() {
    List<Instant> starts = new ArrayList<>(windowStarts());
    List<Long> x = starts.stream().map(Instant::getEpochSecond).toList();
    List<DrawnChart> drawn = new ArrayList<>();
    for (JobReport.Chart chart : spec.charts()) {
      SortedMap<String, SortedMap<String, List<Long>>> bySplit = new TreeMap<>();
      for (Map.Entry<Identity, Row> entry : latest.entrySet()) {
        Row row = entry.getValue();
        Map<String, Long> values = chart.values().apply(row);
        if (values.isEmpty()) {
          continue;
        }
        String split = chart.splitBy() == null ? "" : chart.splitBy().apply(row);
        int index = starts.indexOf(bucket(spec, entry.getKey().start()));
        SortedMap<String, List<Long>> series = bySplit.computeIfAbsent(split, s -> new TreeMap<>());
        values.forEach(
            (label, value) -> {
              List<Long> line =
                  series.computeIfAbsent(
                      label, l -> new ArrayList<>(Collections.nCopies(starts.size(), null)));
              Long before = line.get(index);
              line.set(index, (before == null ? 0 : before) + value);
            });
      }
      bySplit.forEach(
          (split, series) -> {
            long total =
                series.values().stream()
                    .flatMap(List::stream)
                    .filter(value -> value != null)
                    .mapToLong(Long::longValue)
                    .sum();
            String title = split.isEmpty() ? chart.title() : chart.title() + ", " + split;
            drawn.add(
                new DrawnChart(id(title), title, chart.note(), chart.measure(), x, series, total));
          });
    }
    return drawn;
  }

  /** An HTML id for a chart titled {@code title}: its letters and digits, lower case, dashed. */
  static String id(String title) {
    return title
        .toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-")
        .replaceAll("(^-|-$)", "");
  }

  /**
   * For each window start (or bucket) too-late records missed, what each group would have added.
   */
  public SortedMap<Instant, SortedMap<String, Missed>> tooLateByWindow() {
    return tooLate;
  }

  /** The too-late records read. */
  public long tooLateCount() {
    return tooLateCount;
  }

  /** The dead letters read. */
  public long deadLetterCount() {
    return deadLetterCount;
  }

  /** The dead letters by step and error class, most frequent first. */
  public List<Rejection> rejections() {
    return rejections;
  }

  /** Dead letters per minute they failed in, by step and error class ({@code Step Error}). */
  public SortedMap<Instant, SortedMap<String, Long>> deadLettersPerMinute() {
    return deadLettersPerMinute;
  }

  /** The measure called {@code name} in the job's report, if it declared one. */
  @Nullable
  public JobReport.Measure measure(String name) {
    return spec.measures().stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
  }

  /** What the values of a too-late record's group are (currency, rule, ...). */
  public String tooLateGroup() {
    return spec.tooLateGroup();
  }

  /** Whether results are placed in buckets rather than windows, and how wide. */
  @Nullable
  public Duration bucket() {
    return spec.bucket();
  }
}
