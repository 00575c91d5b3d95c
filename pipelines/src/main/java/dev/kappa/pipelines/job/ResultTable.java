package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A database table a job upserts records into, or deletes rows from ({@link #deletingRows()}), if
 * the option naming it is set. At launch the table must have a column for every field of the
 * record; rows that fail (after retries) become dead letters, rewindowed into the global window by
 * a step of their own.
 *
 * <pre>{@code
 * static final ResultTable<Options, CategoryRevenue> RESULTS_TABLE =
 *     ResultTable.<Options, CategoryRevenue>of(
 *             "UpsertResults", "RewindowUpsertFailures", CategoryRevenue.class)
 *         .in("resultsTable", Options::getResultsTable)
 *         .keyedBy("category", "currency", "window_start", "window_end");
 *
 * // Sessions that later versions update and retractions delete, in any order: versioned rows,
 * // and deletes that leave tombstones the upserts respect.
 * static final ResultTable<Options, VisitorSession> SESSIONS_TABLE =
 *     ResultTable.<Options, VisitorSession>of(
 *             "UpsertSessions", "RewindowUpsertFailures", VisitorSession.class)
 *         .in("sessionsTable", Options::getSessionsTable)
 *         .keyedBy("visitor_id", "session_start")
 *         .versionedBy("page_count", "orders")
 *         .withTombstones("retracted");
 * // Retractions: each record's fields name the row to delete.
 * static final ResultTable<Options, SessionKey> RETRACTED_ROWS =
 *     ResultTable.<Options, SessionKey>of(
 *             "DeleteRetractedSessions", "RewindowDeleteFailures", SessionKey.class)
 *         .in("sessionsTable", Options::getSessionsTable)
 *         .deletingRows()
 *         .withTombstones("retracted");
 * }</pre>
 *
 * <p>Beam orders neither the elements of a collection nor two steps: without versions and
 * tombstones, an upsert that reaches the database after its row's delete, or an older version after
 * a newer, leaves the wrong row. See {@code UpsertRows} in {@code io}.
 *
 * @param <O> the job's options
 * @param <T> the upserted records
 */
public final class ResultTable<O, T extends SpecificRecordBase> implements JobPart<O> {
  private final String stepName;
  private final String failuresStep;
  private final Class<T> recordClass;
  @Nullable private final OptionRef<O, String> option;
  private final List<String> keyColumns;
  private final boolean deletes;
  private final List<String> versionColumns;
  @Nullable private final String tombstoneColumn;

  private ResultTable(
      String stepName,
      String failuresStep,
      Class<T> recordClass,
      @Nullable OptionRef<O, String> option,
      List<String> keyColumns,
      boolean deletes,
      List<String> versionColumns,
      @Nullable String tombstoneColumn) {
    this.stepName = stepName;
    this.failuresStep = failuresStep;
    this.recordClass = recordClass;
    this.option = option;
    this.keyColumns = keyColumns;
    this.deletes = deletes;
    this.versionColumns = versionColumns;
    this.tombstoneColumn = tombstoneColumn;
  }

  /**
   * Records upserted by step {@code stepName}; {@code failuresStep} moves the rows that failed into
   * the dead letters' global window.
   */
  public static <O, T extends SpecificRecordBase> ResultTable<O, T> of(
      String stepName, String failuresStep, Class<T> recordClass) {
    checkArgument(stepName != null && !stepName.isBlank(), "step name must be set");
    checkArgument(failuresStep != null && !failuresStep.isBlank(), "failures step must be set");
    checkNotNull(recordClass, "record class must be set");
    return new ResultTable<>(
        stepName, failuresStep, recordClass, null, List.of(), false, List.of(), null);
  }

  /** The option naming the table; nothing is upserted when it is not set. */
  public ResultTable<O, T> in(String optionName, Function<O, String> getter) {
    return new ResultTable<>(
        stepName,
        failuresStep,
        recordClass,
        new OptionRef<>(optionName, getter),
        keyColumns,
        deletes,
        versionColumns,
        tombstoneColumn);
  }

  /** The columns that identify a row: the conflict target of the upsert. */
  public ResultTable<O, T> keyedBy(String... columns) {
    checkArgument(columns.length > 0, "name at least one key column");
    checkArgument(!deletes, "a table that deletes rows is keyed by all the record's fields");
    return new ResultTable<>(
        stepName,
        failuresStep,
        recordClass,
        option,
        List.of(columns),
        false,
        versionColumns,
        tombstoneColumn);
  }

  /**
   * Deletes rows instead of upserting them ({@link JobContext#delete}): every field of the record
   * is a key column, and a record deletes the row with those values (none: nothing happens).
   */
  public ResultTable<O, T> deletingRows() {
    checkArgument(keyColumns.isEmpty(), "a table that deletes rows takes no keyedBy(...)");
    checkArgument(versionColumns.isEmpty(), "a table that deletes rows is not versioned");
    return new ResultTable<>(
        stepName, failuresStep, recordClass, option, List.of(), true, List.of(), tombstoneColumn);
  }

  /**
   * Versions the upserted rows by these fields of the record, compared in order: a write never
   * replaces a newer version of its row, whatever order the writes reach the database in.
   */
  public ResultTable<O, T> versionedBy(String... columns) {
    checkArgument(columns.length > 0, "name at least one version column");
    checkArgument(!deletes, "a table that deletes rows is not versioned");
    return new ResultTable<>(
        stepName,
        failuresStep,
        recordClass,
        option,
        keyColumns,
        deletes,
        List.of(columns),
        tombstoneColumn);
  }

  /**
   * Deletes leave tombstones in boolean column {@code column}, which upserts respect: a deleted row
   * stays deleted even if an upsert of it arrives after the delete (two steps, or two bundles of
   * one, are in no order). Give the same column to the table's upserting and deleting {@code
   * ResultTable}s; readers skip marked rows.
   */
  public ResultTable<O, T> withTombstones(String column) {
    checkArgument(column != null && !column.isBlank(), "tombstone column must be set");
    return new ResultTable<>(
        stepName, failuresStep, recordClass, option, keyColumns, deletes, versionColumns, column);
  }

  /** Whether records delete rows ({@link #deletingRows()}) rather than upsert them. */
  public boolean deletes() {
    return deletes;
  }

  /** The name of the option that names it, e.g. {@code resultsTable}. */
  public String optionName() {
    return option().name();
  }

  public String stepName() {
    return stepName;
  }

  public String failuresStep() {
    return failuresStep;
  }

  public Class<T> recordClass() {
    return recordClass;
  }

  public List<String> keyColumns() {
    return keyColumns;
  }

  /** The fields that version a row ({@link #versionedBy}); empty: the last write wins. */
  public List<String> versionColumns() {
    return versionColumns;
  }

  /** The column marking deleted rows ({@link #withTombstones}), or null. */
  @Nullable
  public String tombstoneColumn() {
    return tombstoneColumn;
  }

  OptionRef<O, String> option() {
    return checkNotNull(option, "result table %s needs in(...)", stepName);
  }

  @Override
  public String toString() {
    return stepName;
  }
}
