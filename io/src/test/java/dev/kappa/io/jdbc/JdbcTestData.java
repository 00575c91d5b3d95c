package dev.kappa.io.jdbc;

import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.testing.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Tables, rows and checks shared by the JDBC integration tests. */
final class JdbcTestData {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private JdbcTestData() {}

  /**
   * Creates {@code category_revenue} as scripts/sql/schema.sql has it, plus a CHECK that no count
   * is negative, in {@code schema}.
   */
  static void createCategoryRevenue(PostgresServer postgres, String schema) {
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".category_revenue ("
            + " category text NOT NULL, currency text NOT NULL,"
            + " window_start timestamptz NOT NULL, window_end timestamptz NOT NULL,"
            + " order_count bigint NOT NULL CONSTRAINT order_count_not_negative"
            + " CHECK (order_count >= 0),"
            + " revenue_cents bigint NOT NULL, pane_timing text NOT NULL,"
            + " pane_index bigint NOT NULL, final_pane boolean NOT NULL,"
            + " PRIMARY KEY (category, currency, window_start, window_end))");
  }

  /** A config for the server's database with {@code schema} on the search path. */
  static JdbcConfig config(PostgresServer postgres, String schema) {
    return JdbcConfig.of(postgres.jdbcUrl(schema), postgres.user(), postgres.password());
  }

  /** The result for window {@code index} (5 minutes each from T0) of a category. */
  static CategoryRevenue revenue(
      String category, int window, long orders, long cents, String timing, long pane) {
    return CategoryRevenue.newBuilder()
        .setCategory(category)
        .setCurrency("EUR")
        .setWindowStart(T0.plus(Duration.ofMinutes(5L * window)))
        .setWindowEnd(T0.plus(Duration.ofMinutes(5L * window + 5)))
        .setOrderCount(orders)
        .setRevenueCents(cents)
        .setPaneTiming(timing)
        .setPaneIndex(pane)
        .setFinalPane("ON_TIME".equals(timing))
        .build();
  }

  /** {@code n} rows: categories c0..c4, each over windows 0.., as early panes. */
  static List<CategoryRevenue> rows(int n) {
    List<CategoryRevenue> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(revenue("c" + (i % 5), i / 5, i + 1, 100L * (i + 1), "EARLY", 0));
    }
    return rows;
  }

  /** How a row reads back, as a line, from the record. */
  static String line(CategoryRevenue row) {
    return String.join(
        "|",
        row.getCategory(),
        row.getCurrency(),
        row.getWindowStart().toString(),
        row.getWindowEnd().toString(),
        Long.toString(row.getOrderCount()),
        Long.toString(row.getRevenueCents()),
        row.getPaneTiming(),
        Long.toString(row.getPaneIndex()),
        Boolean.toString(row.getFinalPane()));
  }

  static List<String> lines(List<CategoryRevenue> rows) {
    List<String> lines = new ArrayList<>();
    for (CategoryRevenue row : rows) {
      lines.add(line(row));
    }
    return lines;
  }

  /** Every row of {@code schema.category_revenue} as a line, read with plain JDBC. */
  static List<String> tableLines(PostgresServer postgres, String schema) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT category, currency, window_start, window_end, order_count, revenue_cents,"
                    + " pane_timing, pane_index, final_pane FROM "
                    + schema
                    + ".category_revenue")) {
      while (rows.next()) {
        lines.add(
            String.join(
                "|",
                rows.getString(1),
                rows.getString(2),
                rows.getObject(3, OffsetDateTime.class).toInstant().toString(),
                rows.getObject(4, OffsetDateTime.class).toInstant().toString(),
                Long.toString(rows.getLong(5)),
                Long.toString(rows.getLong(6)),
                rows.getString(7),
                Long.toString(rows.getLong(8)),
                Boolean.toString(rows.getBoolean(9))));
      }
    }
    return lines;
  }

  /** The attempted value of counter {@code name} of step {@code step}, 0 if never reported. */
  static long counter(PipelineResult result, String step, String name) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder().addNameFilter(MetricNameFilter.named(step, name)).build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
