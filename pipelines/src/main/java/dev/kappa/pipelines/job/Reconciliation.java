package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * How {@code kappa reconcile} compares two result sets of a job (two versions, a stream and a
 * backfill, a table and files) and explains their differences: what identifies a result (its window
 * and key), which pane of a key is its answer, which numbers are compared, and how a too-late
 * record of the stream accounts for a difference.
 *
 * <p>A too-late record is not counted by the run that diverted it, so it explains a difference in
 * its window's <em>group</em>: the results it would have been added to. A job whose too-late
 * records carry the whole key (the group is the key) explains each key exactly; OrderRevenue's
 * too-late orders are diverted before enrichment and carry no category, so they explain the sum
 * over the categories of one window and currency.
 *
 * <pre>{@code
 * Reconciliation.of(CategoryRevenue.class, List.of("category", "currency"),
 *         List.of("order_count", "revenue_cents"), OrderRevenue::reconcileRow)
 *     .groupedBy(List.of("currency"), row -> List.of(row.key().get(1)))
 *     .explainedBy(TooLateOrder.class, OrderRevenue::reconcileTooLate);
 * }</pre>
 *
 * @param <R> the result records
 * @param <L> the too-late records that explain differences
 */
public final class Reconciliation<R extends SpecificRecordBase, L extends SpecificRecordBase> {

  /** The field every reconciled result has; a table of results is read in its order. */
  public static final String TABLE_ORDER = "window_start";

  /**
   * One result: its window, its key within the window (values in the order of {@link #keyNames}),
   * its pane (the highest pane of a key is its answer) and its numbers by name.
   */
  public record Row(
      Instant windowStart,
      Instant windowEnd,
      List<String> key,
      long pane,
      Map<String, Long> measures) {
    public Row {
      checkNotNull(windowStart, "window start must be set");
      checkNotNull(windowEnd, "window end must be set");
      key = List.copyOf(key);
      measures = Map.copyOf(measures);
    }
  }

  /**
   * What one too-late record would have added: to which window and group (values in the order of
   * {@link #groupNames}), how much to each measure, and one line saying which record it is.
   */
  public record TooLate(
      Instant windowStart,
      Instant windowEnd,
      List<String> group,
      Map<String, Long> measures,
      String description) {
    public TooLate {
      checkNotNull(windowStart, "window start must be set");
      checkNotNull(windowEnd, "window end must be set");
      group = List.copyOf(group);
      measures = Map.copyOf(measures);
      checkNotNull(description, "description must be set");
    }
  }

  private final Class<R> resultClass;
  private final List<String> keyNames;
  private final List<String> measureNames;
  private final Function<R, Row> rowOf;
  private final List<String> groupNames;
  private final Function<Row, List<String>> groupOf;
  private final Class<L> tooLateClass;
  private final Function<L, TooLate> tooLateOf;

  private Reconciliation(
      Class<R> resultClass,
      List<String> keyNames,
      List<String> measureNames,
      Function<R, Row> rowOf,
      List<String> groupNames,
      Function<Row, List<String>> groupOf,
      Class<L> tooLateClass,
      Function<L, TooLate> tooLateOf) {
    this.resultClass = resultClass;
    this.keyNames = keyNames;
    this.measureNames = measureNames;
    this.rowOf = rowOf;
    this.groupNames = groupNames;
    this.groupOf = groupOf;
    this.tooLateClass = tooLateClass;
    this.tooLateOf = tooLateOf;
  }

  /**
   * Results of {@code resultClass}, identified by window and the fields {@code keyNames}, compared
   * on {@code measureNames}; grouped by their whole key until {@link #groupedBy} says otherwise.
   */
  public static <R extends SpecificRecordBase> Reconciliation<R, SpecificRecordBase> of(
      Class<R> resultClass,
      List<String> keyNames,
      List<String> measureNames,
      Function<R, Row> rowOf) {
    checkNotNull(resultClass, "result class must be set");
    checkArgument(!measureNames.isEmpty(), "name at least one measure");
    return new Reconciliation<>(
        resultClass,
        List.copyOf(keyNames),
        List.copyOf(measureNames),
        checkNotNull(rowOf, "rowOf must be set"),
        List.copyOf(keyNames),
        Row::key,
        null,
        null);
  }

  /** Differences are explained per window and {@code groupOf(row)}, whose values are named so. */
  public Reconciliation<R, L> groupedBy(
      List<String> groupNames, Function<Row, List<String>> groupOf) {
    return new Reconciliation<>(
        resultClass,
        keyNames,
        measureNames,
        rowOf,
        List.copyOf(groupNames),
        checkNotNull(groupOf, "groupOf must be set"),
        tooLateClass,
        tooLateOf);
  }

  /** Too-late records of {@code tooLateClass} explain differences, as {@code tooLateOf} says. */
  public <M extends SpecificRecordBase> Reconciliation<R, M> explainedBy(
      Class<M> tooLateClass, Function<M, TooLate> tooLateOf) {
    return new Reconciliation<>(
        resultClass,
        keyNames,
        measureNames,
        rowOf,
        groupNames,
        groupOf,
        checkNotNull(tooLateClass, "too-late class must be set"),
        checkNotNull(tooLateOf, "tooLateOf must be set"));
  }

  public Class<R> resultClass() {
    return resultClass;
  }

  public List<String> keyNames() {
    return keyNames;
  }

  public List<String> measureNames() {
    return measureNames;
  }

  public Row row(R result) {
    return rowOf.apply(result);
  }

  public List<String> groupNames() {
    return groupNames;
  }

  public List<String> group(Row row) {
    return groupOf.apply(row);
  }

  /** The too-late records' class, or null when nothing explains differences. */
  public Class<L> tooLateClass() {
    return tooLateClass;
  }

  public TooLate tooLate(L record) {
    checkArgument(tooLateOf != null, "this job's differences are not explained by records");
    return tooLateOf.apply(record);
  }
}
