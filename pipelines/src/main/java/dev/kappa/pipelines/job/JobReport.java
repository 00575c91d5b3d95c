package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * What {@code kappa report} draws of a job's outputs: which outputs hold its results and how each
 * record becomes a {@link Row} (its window, key, version and numbers), the charts of those rows per
 * window, and how a too-late record says which window it missed and what it would have added. The
 * report itself (dead letters per minute, step and error included) is the same for every job.
 *
 * <p>A row's key identifies a result; of several rows with one key and window (the panes of a
 * window, the versions of a session), the highest {@link Row#pane()} is the answer and the only one
 * charted. Results that are not windows (a session, a paid order) are placed at their time, and
 * {@link #bucketedBy} gathers them into buckets of a fixed width.
 *
 * <pre>{@code
 * static final JobReport<Options> REPORT =
 *     JobReport.<Options>of(RESULTS, OrderRevenue::reconcileRow)
 *         .fromTable(RESULTS_TABLE)
 *         .measure("revenue_cents", "revenue", 100)
 *         .chart(JobReport.Chart.sum("Revenue per window", "revenue_cents",
 *             row -> row.key().get(1), row -> row.key().get(0)))
 *         .tooLate(TOO_LATE, OrderRevenue::reconcileTooLate);
 * }</pre>
 *
 * @param <O> the job's options
 */
public final class JobReport<O> {

  /** How a measure is named on the page and what its values are divided by (100 for cents). */
  public record Measure(String name, String label, int divisor) {
    public Measure {
      checkArgument(name != null && !name.isBlank(), "measure name must be set");
      checkArgument(label != null && !label.isBlank(), "measure label must be set");
      checkArgument(divisor > 0, "divisor must be positive, got %s", divisor);
    }
  }

  /**
   * One chart of the results per window: for each row, {@code values} gives the amount it adds to
   * each of the chart's series (summed per window start); {@code splitBy}, when set, draws one
   * chart per value it returns (one per currency, say), titled with that value.
   *
   * @param title the chart's heading
   * @param note one sentence under it: what is drawn
   * @param measure how the values are named and divided
   * @param splitBy one chart per value, or null for one chart
   * @param values a row's amount per series label; rows without any are left out
   */
  public record Chart(
      String title,
      String note,
      Measure measure,
      @Nullable Function<Row, String> splitBy,
      Function<Row, Map<String, Long>> values) {
    public Chart {
      checkArgument(title != null && !title.isBlank(), "chart title must be set");
      checkNotNull(note, "note must be set");
      checkNotNull(measure, "measure must be set");
      checkNotNull(values, "values must be set");
    }

    /**
     * Measure {@code measure} summed per window and {@code seriesBy(row)}, one chart per {@code
     * splitBy(row)} (null: one chart).
     */
    public static Chart sum(
        String title,
        String note,
        Measure measure,
        @Nullable Function<Row, String> splitBy,
        Function<Row, String> seriesBy) {
      checkNotNull(seriesBy, "seriesBy must be set");
      String name = measure.name();
      return new Chart(
          title,
          note,
          measure,
          splitBy,
          row -> {
            Long value = row.measures().get(name);
            return value == null ? Map.of() : Map.of(seriesBy.apply(row), value);
          });
    }

    /** Several measures, each summed per window as a series named by its label. */
    public static Chart measures(
        String title, String note, String axisLabel, int divisor, List<Measure> measures) {
      checkArgument(!measures.isEmpty(), "name at least one measure");
      List<Measure> drawn = List.copyOf(measures);
      return new Chart(
          title,
          note,
          new Measure("measures", axisLabel, divisor),
          null,
          row -> {
            Map<String, Long> values = new LinkedHashMap<>();
            for (Measure measure : drawn) {
              Long value = row.measures().get(measure.name());
              if (value != null) {
                values.put(measure.label(), value);
              }
            }
            return values;
          });
    }
  }

  /**
   * An output holding results, the table the same records may be upserted into instead ({@code
   * kappa report} reads the table when the run's options name it), and how a record becomes a row.
   */
  public static final class Results<O, R extends SpecificRecordBase> {
    private final Output<O, R> output;
    @Nullable private final ResultTable<O, R> table;
    private final Function<R, Row> rowOf;

    private Results(
        Output<O, R> output, @Nullable ResultTable<O, R> table, Function<R, Row> rowOf) {
      this.output = checkNotNull(output, "output must be set");
      this.table = table;
      this.rowOf = checkNotNull(rowOf, "rowOf must be set");
    }

    public Class<R> recordClass() {
      return output.recordClass();
    }

    /** What the records are called on the page: the output's label. */
    public String label() {
      return output.label();
    }

    /** The option naming the output's target, e.g. {@code output}. */
    public String optionName() {
      return output.optionName();
    }

    /** The output's target as {@code options} set it (null if an optional output is not set). */
    @Nullable
    public String target(O options) {
      return output.option().read(options);
    }

    /** The option naming the table, or null when the records are upserted nowhere. */
    @Nullable
    public String tableOptionName() {
      return table == null ? null : table.optionName();
    }

    /** The table as {@code options} name it, or null. */
    @Nullable
    public String table(O options) {
      return table == null ? null : table.option().read(options);
    }

    /** The columns that identify a row of the table, read in their order. */
    public List<String> tableKey() {
      return table == null ? List.of() : table.keyColumns();
    }

    public Row row(R record) {
      return rowOf.apply(record);
    }
  }

  /** The too-late output and what one of its records missed. */
  public static final class TooLates<O, L extends SpecificRecordBase> {
    private final Output<O, L> output;
    private final Function<L, TooLate> tooLateOf;

    private TooLates(Output<O, L> output, Function<L, TooLate> tooLateOf) {
      this.output = checkNotNull(output, "too-late output must be set");
      this.tooLateOf = checkNotNull(tooLateOf, "tooLateOf must be set");
    }

    public Class<L> recordClass() {
      return output.recordClass();
    }

    public String optionName() {
      return output.optionName();
    }

    public String target(O options) {
      return output.option().read(options);
    }

    public TooLate tooLate(L record) {
      return tooLateOf.apply(record);
    }
  }

  private final List<Results<O, ?>> results;
  private final List<Measure> measures;
  private final List<Chart> charts;
  @Nullable private final TooLates<O, ?> tooLate;
  @Nullable private final Duration bucket;
  private final String tooLateGroup;

  private JobReport(
      List<Results<O, ?>> results,
      List<Measure> measures,
      List<Chart> charts,
      @Nullable TooLates<O, ?> tooLate,
      @Nullable Duration bucket,
      String tooLateGroup) {
    this.results = results;
    this.measures = measures;
    this.charts = charts;
    this.tooLate = tooLate;
    this.bucket = bucket;
    this.tooLateGroup = tooLateGroup;
  }

  /** A report of the results in {@code output}, each record a row as {@code rowOf} says. */
  public static <O, R extends SpecificRecordBase> JobReport<O> of(
      Output<O, R> output, Function<R, Row> rowOf) {
    return new JobReport<>(
        List.of(new Results<>(output, null, rowOf)), List.of(), List.of(), null, null, "group");
  }

  /**
   * The results of the last {@link #of} or {@link #andResults} output may be read from {@code
   * table} instead, when the run's options name it.
   */
  public <R extends SpecificRecordBase> JobReport<O> fromTable(ResultTable<O, R> table) {
    checkNotNull(table, "table must be set");
    Results<O, ?> last = results.get(results.size() - 1);
    checkArgument(
        last.recordClass() == table.recordClass(),
        "table %s holds %s, not the results' %s",
        table,
        table.recordClass().getSimpleName(),
        last.recordClass().getSimpleName());
    @SuppressWarnings("unchecked") // the same record class, checked above
    Results<O, R> typed = (Results<O, R>) last;
    List<Results<O, ?>> all = new ArrayList<>(results.subList(0, results.size() - 1));
    all.add(new Results<>(typed.output, table, typed.rowOf));
    return new JobReport<>(List.copyOf(all), measures, charts, tooLate, bucket, tooLateGroup);
  }

  /**
   * More results from another output (an alert output beside the results, say), made rows of the
   * same report: a row here with the key of a row there replaces it if its pane is higher.
   */
  public <R extends SpecificRecordBase> JobReport<O> andResults(
      Output<O, R> output, Function<R, Row> rowOf) {
    List<Results<O, ?>> all = new ArrayList<>(results);
    all.add(new Results<>(output, null, rowOf));
    return new JobReport<>(List.copyOf(all), measures, charts, tooLate, bucket, tooLateGroup);
  }

  /** A measure the page's cards total and the too-late table shows. */
  public JobReport<O> measure(String name, String label, int divisor) {
    List<Measure> all = new ArrayList<>(measures);
    all.add(new Measure(name, label, divisor));
    return new JobReport<>(results, List.copyOf(all), charts, tooLate, bucket, tooLateGroup);
  }

  /** A chart of the results per window. */
  public JobReport<O> chart(Chart chart) {
    List<Chart> all = new ArrayList<>(charts);
    all.add(checkNotNull(chart, "chart must be set"));
    return new JobReport<>(results, measures, List.copyOf(all), tooLate, bucket, tooLateGroup);
  }

  /**
   * The too-late output and what each of its records missed; {@code groupName} names the values of
   * {@link TooLate#group()} on the page (e.g. {@code currency}, {@code rule}).
   */
  public <L extends SpecificRecordBase> JobReport<O> tooLate(
      Output<O, L> output, String groupName, Function<L, TooLate> tooLateOf) {
    checkArgument(groupName != null && !groupName.isBlank(), "group name must be set");
    return new JobReport<>(
        results, measures, charts, new TooLates<>(output, tooLateOf), bucket, groupName);
  }

  /**
   * Results and too-late records placed at their time rather than in windows (sessions, paid
   * orders) are charted in buckets of {@code width}, aligned to the epoch.
   */
  public JobReport<O> bucketedBy(Duration width) {
    checkArgument(
        width != null && !width.isNegative() && !width.isZero(), "bucket must be positive");
    return new JobReport<>(results, measures, charts, tooLate, width, tooLateGroup);
  }

  /** The outputs that hold results, the first the one a report cannot do without. */
  public List<Results<O, ?>> results() {
    return results;
  }

  /** The measures the page totals, in the order given. */
  public List<Measure> measures() {
    return measures;
  }

  public List<Chart> charts() {
    return charts;
  }

  /** The too-late output, or null if the job diverts none. */
  @Nullable
  public TooLates<O, ?> tooLate() {
    return tooLate;
  }

  /** What the values of a too-late record's group are. */
  public String tooLateGroup() {
    return tooLateGroup;
  }

  /** The width of a bucket of results not in windows, or null when results are windows. */
  @Nullable
  public Duration bucket() {
    return bucket;
  }
}
