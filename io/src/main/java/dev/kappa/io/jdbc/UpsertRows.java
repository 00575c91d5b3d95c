package dev.kappa.io.jdbc;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.BackOffUtils;
import org.apache.beam.sdk.util.Sleeper;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upserts Avro records into a PostgreSQL table, one row per key: {@code INSERT ... ON CONFLICT
 * (keys) DO UPDATE} the other columns. Writing a record again (a retried bundle, a replay, a later
 * pane of the same window) updates its row instead of adding one, so the table ends as if each key
 * had been written once, with its last value; the input's windowing does not matter.
 *
 * <p>Each field is written to the column of the same name (see {@link Jdbc#upsert} for the types).
 * Rows are written in batches of {@link JdbcConfig#batchSize()} per bundle, each batch one
 * transaction, the last one when the bundle finishes.
 *
 * <p><b>Failures.</b> A batch that fails transiently (the connection, the server shutting down or
 * restarting, a deadlock) is retried on a new connection with backoff, within the config's retry
 * budget ({@link JdbcConfig#backoff()}, one per flush, shared by the batch and its rows). A batch
 * that fails for good (a violated constraint, a bad value) or runs out of budget is written again
 * row by row, and every row that still fails becomes a {@link DeadLetter} ({@link DeadLetters#of}):
 * the record's Avro single-object bytes ({@link EventCodec}), position {@code system="jdbc"},
 * {@code name=} the table, this step's name, the error and its stack trace. Dead letters are the
 * output; no row is dropped silently.
 *
 * <p>{@link Jdbc#delete} makes the same transform delete instead: each record's fields are the key
 * of the row to delete, with the same batching, retries and dead letters.
 *
 * <p><b>Order.</b> Beam does not order the elements of a collection, nor two steps writing one
 * table: a row's writes may reach the database in any order. {@link #versionedBy} makes an older
 * version of a row harmless after a newer one, and {@link #withTombstones} a row's upsert harmless
 * after its delete. Without them the last write wins, which is right only when every write of a row
 * carries the same value (a replay) or later panes of one window are written by one step that the
 * runner keeps in order.
 *
 * <p>Metrics, namespaced by the step name: {@code rowsWritten}, {@code retries}, {@code
 * deadLetters}.
 *
 * <pre>{@code
 * PCollection<DeadLetter> failed =
 *     revenue.apply(
 *         "WriteCategoryRevenue",
 *         Jdbc.upsert(CategoryRevenue.class)
 *             .into(config, "category_revenue")
 *             .keyedBy("category", "currency", "window_start", "window_end")
 *             .withStepName("WriteCategoryRevenue"));
 * }</pre>
 *
 * @param <T> the generated Avro class of the rows
 */
@AutoValue
public abstract class UpsertRows<T extends SpecificRecordBase>
    extends PTransform<PCollection<T>, PCollection<DeadLetter>> {
  private static final long serialVersionUID = 1L;

  /** The position system of this transform's dead letters. */
  public static final String POSITION_SYSTEM = "jdbc";

  /** Counter of rows written (inserted or updated). */
  public static final String ROWS_WRITTEN = "rowsWritten";

  /** Counter of retries of batches and rows that failed transiently. */
  public static final String RETRIES = "retries";

  /** Counter of rows that became dead letters. */
  public static final String DEAD_LETTERS = "deadLetters";

  abstract Class<T> recordClass();

  abstract @Nullable JdbcConfig config();

  abstract @Nullable String table();

  abstract List<String> keyColumns();

  /** Whether rows are deleted by all the record's fields rather than upserted. */
  abstract boolean deletes();

  /** The columns whose values, compared in order, say which of two writes of a row is newer. */
  abstract List<String> versionColumns();

  /** The boolean column marking deleted rows, if deletes leave tombstones. */
  abstract @Nullable String tombstoneColumn();

  /** The name recorded in dead letters and metrics. */
  public abstract String stepName();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T extends SpecificRecordBase> {
    abstract Builder<T> setRecordClass(Class<T> recordClass);

    abstract Builder<T> setConfig(JdbcConfig config);

    abstract Builder<T> setTable(String table);

    abstract Builder<T> setKeyColumns(List<String> keyColumns);

    abstract Builder<T> setDeletes(boolean deletes);

    abstract Builder<T> setVersionColumns(List<String> versionColumns);

    abstract Builder<T> setTombstoneColumn(String tombstoneColumn);

    abstract Builder<T> setStepName(String stepName);

    abstract UpsertRows<T> build();
  }

  static <T extends SpecificRecordBase> UpsertRows<T> of(Class<T> recordClass) {
    RecordColumns.of(recordClass); // every field must have a column type
    return new AutoValue_UpsertRows.Builder<T>()
        .setRecordClass(recordClass)
        .setKeyColumns(List.of())
        .setDeletes(false)
        .setVersionColumns(List.of())
        .setStepName("UpsertRows")
        .build();
  }

  static <T extends SpecificRecordBase> UpsertRows<T> deleting(Class<T> recordClass) {
    RecordColumns<T> columns = RecordColumns.of(recordClass);
    return new AutoValue_UpsertRows.Builder<T>()
        .setRecordClass(recordClass)
        .setKeyColumns(List.copyOf(columns.names()))
        .setDeletes(true)
        .setVersionColumns(List.of())
        .setStepName("DeleteRows")
        .build();
  }

  /**
   * Writes into {@code table} ({@code name} or {@code schema.name}) of {@code config}'s database.
   */
  public UpsertRows<T> into(JdbcConfig config, String table) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return toBuilder().setConfig(config).setTable(SqlText.checkTable("table", table)).build();
  }

  /**
   * Identifies rows by these columns: the table's primary key or another unique key, in any order.
   * Each must be a field of the record.
   */
  public UpsertRows<T> keyedBy(String... keyColumns) {
    if (keyColumns == null || keyColumns.length == 0) {
      throw new IllegalArgumentException("keyedBy needs at least one key column");
    }
    RecordColumns<T> columns = RecordColumns.of(recordClass());
    Set<String> seen = new HashSet<>();
    for (String key : keyColumns) {
      if (key == null || columns.column(key).isEmpty()) {
        throw new IllegalArgumentException(
            "key column "
                + (key == null ? "null" : "\"" + key + "\"")
                + " is not a field of "
                + columns.recordName()
                + "; its fields are "
                + columns.names());
      }
      if (!seen.add(key)) {
        throw new IllegalArgumentException("key column \"" + key + "\" is given twice");
      }
    }
    return toBuilder()
        .setKeyColumns(Collections.unmodifiableList(new ArrayList<>(Arrays.asList(keyColumns))))
        .build();
  }

  /**
   * Versions rows by these columns (fields of the record, not keys): a write updates a row only if
   * its values of these columns, compared in order as a row value, are at least the row's. A later
   * version of a row arriving before an earlier one (different bundles, workers or steps: Beam
   * orders neither) then leaves the later one in place. Only for upserts.
   */
  public UpsertRows<T> versionedBy(String... versionColumns) {
    if (deletes()) {
      throw new IllegalArgumentException("a delete is not versioned; see withTombstones");
    }
    if (versionColumns == null || versionColumns.length == 0) {
      throw new IllegalArgumentException("versionedBy needs at least one column");
    }
    RecordColumns<T> columns = RecordColumns.of(recordClass());
    for (String version : versionColumns) {
      if (version == null || columns.column(version).isEmpty()) {
        throw new IllegalArgumentException(
            "version column "
                + (version == null ? "null" : "\"" + version + "\"")
                + " is not a field of "
                + columns.recordName()
                + "; its fields are "
                + columns.names());
      }
    }
    return toBuilder().setVersionColumns(List.copyOf(Arrays.asList(versionColumns))).build();
  }

  /**
   * Deletes leave tombstones: boolean column {@code column} of the table (not a field of the
   * record) marks a row deleted instead of the row being removed, and an upsert never changes a
   * marked row. A delete that arrives before an upsert of the same row (Beam orders neither) then
   * still wins, whatever order the writes run in: deletes are final. Give the same column to the
   * upsert and the delete of one table; readers skip marked rows ({@code WHERE NOT column}), and
   * the table's non-key columns must accept null (the tombstone of a row never written has no
   * values).
   */
  public UpsertRows<T> withTombstones(String column) {
    SqlText.checkColumn("tombstone column", column);
    if (RecordColumns.of(recordClass()).column(column).isPresent()) {
      throw new IllegalArgumentException(
          "tombstone column \""
              + column
              + "\" must be a plain column of the table that is not a field of "
              + recordClass().getSimpleName());
    }
    return toBuilder().setTombstoneColumn(column).build();
  }

  /** Names the step in dead letters and metrics; use the name the step is applied with. */
  public UpsertRows<T> withStepName(String stepName) {
    if (stepName == null || stepName.isBlank()) {
      throw new IllegalArgumentException("step name must not be blank, was " + stepName);
    }
    return toBuilder().setStepName(stepName).build();
  }

  /** The statement each row is written with. */
  String sql() {
    List<String> columns = RecordColumns.of(recordClass()).names();
    String tombstone = tombstoneColumn();
    if (deletes()) {
      return tombstone == null
          ? SqlText.delete(table(), columns)
          : SqlText.tombstone(table(), columns, tombstone);
    }
    if (tombstone == null && versionColumns().isEmpty()) {
      return SqlText.upsert(table(), columns, keyColumns());
    }
    return SqlText.guardedUpsert(table(), columns, keyColumns(), versionColumns(), tombstone);
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<T> rows) {
    String what =
        (deletes() ? "Jdbc.delete(" : "Jdbc.upsert(") + recordClass().getSimpleName() + ")";
    JdbcConfig config = config();
    String table = table();
    if (config == null || table == null) {
      throw new IllegalStateException(what + " needs into(config, table): where to write.");
    }
    if (keyColumns().isEmpty()) {
      throw new IllegalStateException(
          what + " needs keyedBy(...): the columns of " + table + "'s primary or unique key.");
    }
    for (String version : versionColumns()) {
      if (keyColumns().contains(version)) {
        throw new IllegalStateException(
            what + ": version column " + version + " is a key column; versions are other columns");
      }
    }
    return rows.apply(ParDo.of(new UpsertFn<>(recordClass(), config, table, sql(), stepName())))
        .setCoder(SpecificRecordCoder.of(DeadLetter.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    JdbcConfig config = config();
    builder
        .add(DisplayData.item("recordClass", recordClass()).withLabel("Record class"))
        .addIfNotNull(DisplayData.item("table", table()).withLabel("Table"))
        .add(DisplayData.item("keyColumns", keyColumns().toString()).withLabel("Key columns"))
        .add(DisplayData.item("deletes", deletes()).withLabel("Deletes rows"))
        .add(
            DisplayData.item("versionColumns", versionColumns().toString())
                .withLabel("Version columns"))
        .addIfNotNull(
            DisplayData.item("tombstoneColumn", tombstoneColumn()).withLabel("Tombstone column"))
        .add(DisplayData.item("stepName", stepName()).withLabel("Step name"));
    if (config != null) {
      builder
          .add(DisplayData.item("url", config.redactedUrl()).withLabel("JDBC URL"))
          .add(DisplayData.item("batchSize", config.batchSize()).withLabel("Batch size"));
    }
  }

  /** Batches rows per bundle and writes them; emits dead letters when the bundle finishes. */
  static final class UpsertFn<T extends SpecificRecordBase> extends DoFn<T, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UpsertFn.class);

    private final Class<T> recordClass;
    private final JdbcConfig config;
    private final String table;
    private final String sql;
    private final String stepName;
    private final Counter rowsWritten;
    private final Counter retries;
    private final Counter deadLetters;

    private transient RecordColumns<T> columns;
    private transient EventCodec<T> codec;
    private transient DatabaseConnection connection;
    private transient List<Pending<T>> batch;
    private transient List<Pending<DeadLetter>> failed;
    private transient int flushRetries;

    UpsertFn(Class<T> recordClass, JdbcConfig config, String table, String sql, String stepName) {
      this.recordClass = recordClass;
      this.config = config;
      this.table = table;
      this.sql = sql;
      this.stepName = stepName;
      this.rowsWritten = Metrics.counter(stepName, ROWS_WRITTEN);
      this.retries = Metrics.counter(stepName, RETRIES);
      this.deadLetters = Metrics.counter(stepName, DEAD_LETTERS);
    }

    @Setup
    public void setup() {
      columns = RecordColumns.of(recordClass);
      codec = EventCodec.of(recordClass);
      // Connected on first use, inside the retry loop: a database that is down at start-up is
      // ridden out like one that goes down later.
      connection = new DatabaseConnection(config);
      batch = new ArrayList<>();
      failed = new ArrayList<>();
    }

    @StartBundle
    public void startBundle() {
      batch.clear();
      failed.clear();
    }

    @ProcessElement
    public void process(@Element T row, @Timestamp Instant timestamp, BoundedWindow window) {
      batch.add(new Pending<>(row, timestamp, window));
      if (batch.size() >= config.batchSize()) {
        flush();
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush();
      for (Pending<DeadLetter> deadLetter : failed) {
        context.output(deadLetter.value, deadLetter.timestamp, deadLetter.window);
      }
      failed.clear();
    }

    @Teardown
    public void teardown() {
      if (connection != null) {
        connection.close();
      }
    }

    /** Writes the batch, falling back to row by row; failed rows wait in {@link #failed}. */
    private void flush() {
      if (batch.isEmpty()) {
        return;
      }
      List<Pending<T>> rows = new ArrayList<>(batch);
      batch.clear();
      BackOff backoff = config.backoff();
      flushRetries = 0;
      Exception batchFailure = write(rows, backoff);
      if (batchFailure == null) {
        rowsWritten.inc(rows.size());
        return;
      }
      LOG.warn(
          "{}: a batch of {} rows for {} failed ({}); writing them one by one",
          stepName,
          rows.size(),
          table,
          describe(batchFailure));
      int dead = 0;
      for (Pending<T> row : rows) {
        Exception rowFailure = write(List.of(row), backoff);
        if (rowFailure == null) {
          rowsWritten.inc();
        } else {
          dead++;
          deadLetters.inc();
          failed.add(new Pending<>(deadLetter(row.value, rowFailure), row.timestamp, row.window));
        }
      }
      if (dead > 0) {
        LOG.warn(
            "{}: {} of {} rows for {} became dead letters", stepName, dead, rows.size(), table);
      }
    }

    /**
     * Writes {@code rows} in one transaction, retrying transient failures while {@code backoff}
     * allows. Returns null when written, else the last failure.
     */
    private @Nullable Exception write(List<Pending<T>> rows, BackOff backoff) {
      while (true) {
        try {
          Connection open = connection.get();
          open.setAutoCommit(false);
          try (PreparedStatement statement = open.prepareStatement(sql)) {
            if (rows.size() == 1) {
              columns.bind(statement, rows.get(0).value);
              statement.executeUpdate();
            } else {
              for (Pending<T> row : rows) {
                columns.bind(statement, row.value);
                statement.addBatch();
              }
              statement.executeBatch();
            }
          }
          open.commit();
          return null;
        } catch (SQLException e) {
          connection.rollbackQuietly();
          if (!SqlErrors.isTransient(e)) {
            return e;
          }
          // The connection may be broken (a restarted server closes it): never reuse it.
          connection.discard();
          if (!retryAfterBackoff(backoff)) {
            return e;
          }
          retries.inc();
          if (++flushRetries == 1) {
            LOG.warn(
                "{}: writing to {} failed transiently ({}); retrying for up to {}",
                stepName,
                table,
                describe(e),
                config.maxRetryDuration());
          }
        } catch (RuntimeException e) {
          // A value the statement can't take (e.g. the wrong type for its column): the data's
          // fault, not the database's.
          connection.rollbackQuietly();
          return e;
        }
      }
    }

    /** Waits the next backoff and returns true, or returns false once the budget is spent. */
    private static boolean retryAfterBackoff(BackOff backoff) {
      try {
        return BackOffUtils.next(Sleeper.DEFAULT, backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private DeadLetter deadLetter(T row, Exception error) {
      ByteBuffer payload;
      try {
        payload = ByteBuffer.wrap(codec.encode(row));
      } catch (RuntimeException e) {
        // A record that breaks its own schema can't be encoded; keep what Avro can print of it.
        payload = ByteBuffer.wrap(String.valueOf(row).getBytes(StandardCharsets.UTF_8));
      }
      SourceRecord record =
          SourceRecord.newBuilder()
              .setPosition(
                  SourcePosition.newBuilder()
                      .setSystem(POSITION_SYSTEM)
                      .setName(table)
                      .setPartition(null)
                      .setOffset(null)
                      .build())
              .setKey(null)
              .setPayload(payload)
              .setTimestamp(null)
              .build();
      return DeadLetters.of(record, stepName, error, java.time.Instant.now());
    }

    private static String describe(Exception e) {
      String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
      return (state == null ? "" : "SQLState " + state + ": ") + e.getMessage();
    }
  }

  /** A buffered value with the timestamp and window it arrived in. */
  private static final class Pending<V> {
    final V value;
    final Instant timestamp;
    final BoundedWindow window;

    Pending(V value, Instant timestamp, BoundedWindow window) {
      this.value = value;
      this.timestamp = timestamp;
      this.window = window;
    }
  }
}
