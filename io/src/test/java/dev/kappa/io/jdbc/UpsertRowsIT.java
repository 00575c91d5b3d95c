package dev.kappa.io.jdbc;

import static dev.kappa.io.jdbc.JdbcTestData.counter;
import static dev.kappa.io.jdbc.JdbcTestData.createCategoryRevenue;
import static dev.kappa.io.jdbc.JdbcTestData.lines;
import static dev.kappa.io.jdbc.JdbcTestData.revenue;
import static dev.kappa.io.jdbc.JdbcTestData.rows;
import static dev.kappa.io.jdbc.JdbcTestData.tableLines;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.iterableWithSize;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.VisitorSession;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Jdbc#upsert} and {@link Jdbc#delete} into real PostgreSQL tables, on the Direct runner.
 */
@ExtendWith({PostgresExtension.class, TestPipelineExtension.class})
@Timeout(180)
class UpsertRowsIT {
  private static final String STEP = "WriteCategoryRevenue";

  private static UpsertRows<CategoryRevenue> upsert(JdbcConfig config) {
    return Jdbc.upsert(CategoryRevenue.class)
        .into(config, "category_revenue")
        .keyedBy("category", "currency", "window_start", "window_end")
        .withStepName(STEP);
  }

  /** Writes {@code rows} in a pipeline of their own and returns its result. */
  private static PipelineResult write(List<CategoryRevenue> rows, JdbcConfig config) {
    Pipeline pipeline = Pipeline.create();
    PCollection<DeadLetter> deadLetters =
        pipeline
            .apply(Create.of(rows).withCoder(SpecificRecordCoder.of(CategoryRevenue.class)))
            .apply(STEP, upsert(config));
    PAssert.that(deadLetters).empty();
    PipelineResult result = pipeline.run();
    assertThat(result.waitUntilFinish(), equalTo(PipelineResult.State.DONE));
    return result;
  }

  @Test
  void writingTheSameRowsAgainUpdatesThemInsteadOfAddingRows(PostgresServer postgres)
      throws SQLException {
    String schema = postgres.createSchema("upsert_twice");
    createCategoryRevenue(postgres, schema);
    List<CategoryRevenue> rows = rows(40);

    PipelineResult first = write(rows, JdbcTestData.config(postgres, schema));
    PipelineResult second = write(rows, JdbcTestData.config(postgres, schema));

    assertThat(tableLines(postgres, schema), containsInAnyOrder(lines(rows).toArray()));
    assertThat(counter(first, STEP, UpsertRows.ROWS_WRITTEN), equalTo(40L));
    assertThat(counter(second, STEP, UpsertRows.ROWS_WRITTEN), equalTo(40L));
  }

  @Test
  void aLaterPaneOverwritesItsWindowsRow(PostgresServer postgres) throws SQLException {
    String schema = postgres.createSchema("upsert_panes");
    createCategoryRevenue(postgres, schema);
    CategoryRevenue early = revenue("toys", 0, 1, 2_397, "EARLY", 0);
    CategoryRevenue other = revenue("books", 0, 3, 4_500, "EARLY", 0);
    CategoryRevenue onTime = revenue("toys", 0, 2, 5_892, "ON_TIME", 1);

    write(List.of(early, other), JdbcTestData.config(postgres, schema));
    write(List.of(onTime), JdbcTestData.config(postgres, schema));

    assertThat(
        tableLines(postgres, schema), containsInAnyOrder(lines(List.of(onTime, other)).toArray()));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 500})
  void writesEveryRowWhateverTheBatchSize(int batchSize, PostgresServer postgres)
      throws SQLException {
    String schema = postgres.createSchema("upsert_batch_" + batchSize);
    createCategoryRevenue(postgres, schema);
    List<CategoryRevenue> rows = rows(1_000);

    PipelineResult result =
        write(rows, JdbcTestData.config(postgres, schema).withBatchSize(batchSize));

    assertThat(tableLines(postgres, schema), containsInAnyOrder(lines(rows).toArray()));
    assertThat(counter(result, STEP, UpsertRows.ROWS_WRITTEN), equalTo(1_000L));
    assertThat(counter(result, STEP, UpsertRows.DEAD_LETTERS), equalTo(0L));
  }

  @Test
  void aRowBreakingAConstraintBecomesADeadLetterInItsWindowAndTheOthersAreWritten(
      PostgresServer postgres, TestPipeline pipeline) throws SQLException {
    String schema = postgres.createSchema("upsert_bad");
    createCategoryRevenue(postgres, schema);
    List<CategoryRevenue> good = rows(19);
    CategoryRevenue bad = revenue("garden", 3, -1, 0, "EARLY", 0);
    List<TimestampedValue<CategoryRevenue>> input = new ArrayList<>();
    for (CategoryRevenue row : good) {
      input.add(TimestampedValue.of(row, new Instant(row.getWindowStart().toEpochMilli())));
    }
    Instant badTime = new Instant(bad.getWindowStart().toEpochMilli());
    input.add(TimestampedValue.of(bad, badTime));
    byte[] badBytes = EventCodec.of(CategoryRevenue.class).encode(bad);

    PCollection<DeadLetter> deadLetters =
        pipeline
            .apply(
                Create.timestamped(input).withCoder(SpecificRecordCoder.of(CategoryRevenue.class)))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(5))))
            .apply(STEP, upsert(JdbcTestData.config(postgres, schema).withBatchSize(8)));

    IntervalWindow badWindow = new IntervalWindow(badTime, Duration.standardMinutes(5));
    PAssert.that(deadLetters)
        .inWindow(badWindow)
        .satisfies(
            letters -> {
              List<DeadLetter> all = new ArrayList<>();
              letters.forEach(all::add);
              assertThat(all, hasSize(1));
              DeadLetter letter = all.get(0);
              assertThat(bytes(letter.getPayload()), equalTo(badBytes));
              assertThat(
                  EventCodec.of(CategoryRevenue.class).decode(bytes(letter.getPayload())),
                  equalTo(bad));
              assertThat(letter.getStep(), equalTo(STEP));
              assertThat(letter.getPosition().getSystem(), equalTo("jdbc"));
              assertThat(letter.getPosition().getName(), equalTo("category_revenue"));
              assertThat(letter.getErrorClass(), equalTo("org.postgresql.util.PSQLException"));
              assertThat(letter.getErrorMessage(), containsString("order_count_not_negative"));
              assertThat(letter.getStackTrace(), containsString("PSQLException"));
              return null;
            });
    PAssert.that(deadLetters)
        .satisfies(
            letters -> {
              assertThat(letters, iterableWithSize(1));
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertThat(tableLines(postgres, schema), containsInAnyOrder(lines(good).toArray()));
    assertThat(counter(result, STEP, UpsertRows.ROWS_WRITTEN), equalTo(19L));
    assertThat(counter(result, STEP, UpsertRows.DEAD_LETTERS), equalTo(1L));
  }

  /** A session row of {@code visitor} starting at T0 with {@code pages} pages. */
  private static VisitorSession session(String visitor, int pages) {
    return VisitorSession.newBuilder()
        .setVisitorId(visitor)
        .setSignedIn(true)
        .setSessionStart(JdbcTestData.T0)
        .setSessionEnd(JdbcTestData.T0.plusSeconds(60L * pages))
        .setDurationMillis(60_000L * pages)
        .setPageCount(pages)
        .setDistinctProducts(0)
        .setOrders(0)
        .setRevenueMinorUnits(0)
        .setCurrencies("")
        .setConverted(false)
        .build();
  }

  private static SessionKey key(String visitor) {
    return SessionKey.newBuilder().setVisitorId(visitor).setSessionStart(JdbcTestData.T0).build();
  }

  /** Runs {@code write} over {@code rows} in a pipeline of its own, with no dead letters. */
  private static <T extends org.apache.avro.specific.SpecificRecordBase> void run(
      Class<T> type, List<T> rows, UpsertRows<T> write) {
    Pipeline pipeline = Pipeline.create();
    PAssert.that(
            pipeline
                .apply(Create.of(rows).withCoder(SpecificRecordCoder.of(type)))
                .apply("Write", write))
        .empty();
    assertThat(pipeline.run().waitUntilFinish(), equalTo(PipelineResult.State.DONE));
  }

  /**
   * Two steps write one sessions table, upserts and deletes, and Beam orders neither: each write
   * here is a pipeline of its own, run in the order that used to leave the wrong table. An upsert
   * after its row's delete (B: the delete even comes first of all, before the row existed) leaves
   * the row deleted; an older version after a newer one (A) leaves the newer; the same version
   * again (D, a replay) is written again; a delete after the upsert (C) deletes.
   */
  @Test
  void anUpsertAfterItsRowsDeleteOrAnOlderVersionAfterANewerChangesNothing(PostgresServer postgres)
      throws SQLException {
    String schema = postgres.createSchema("upsert_versions");
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".visitor_sessions (visitor_id text NOT NULL, signed_in boolean,"
            + " session_start timestamptz NOT NULL, session_end timestamptz,"
            + " duration_millis bigint, page_count integer, distinct_products integer,"
            + " landing_page text, exit_page text, referrer text, orders integer,"
            + " revenue_minor_units bigint, currencies text, converted boolean,"
            + " retracted boolean NOT NULL DEFAULT false,"
            + " PRIMARY KEY (visitor_id, session_start))");
    JdbcConfig config = JdbcTestData.config(postgres, schema);
    UpsertRows<VisitorSession> upsert =
        Jdbc.upsert(VisitorSession.class)
            .into(config, "visitor_sessions")
            .keyedBy("visitor_id", "session_start")
            .versionedBy("page_count", "orders")
            .withTombstones("retracted")
            .withStepName("UpsertSessions");
    UpsertRows<SessionKey> delete =
        Jdbc.delete(SessionKey.class)
            .into(config, "visitor_sessions")
            .withTombstones("retracted")
            .withStepName("DeleteRetractedSessions");

    run(SessionKey.class, List.of(key("B")), delete);
    run(VisitorSession.class, List.of(session("A", 3), session("C", 1), session("D", 2)), upsert);
    run(SessionKey.class, List.of(key("C")), delete);
    run(
        VisitorSession.class,
        List.of(session("A", 2), session("B", 4), session("C", 1), session("D", 2)),
        upsert);

    List<String> rows = new ArrayList<>();
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection(
                postgres.jdbcUrl(), postgres.user(), postgres.password());
        java.sql.Statement statement = connection.createStatement();
        java.sql.ResultSet result =
            statement.executeQuery(
                "SELECT visitor_id, page_count, retracted FROM "
                    + schema
                    + ".visitor_sessions ORDER BY visitor_id")) {
      while (result.next()) {
        rows.add(result.getString(1) + "|" + result.getObject(2) + "|" + result.getBoolean(3));
      }
    }
    assertThat(rows, contains("A|3|false", "B|null|true", "C|1|true", "D|2|false"));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
