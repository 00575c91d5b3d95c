package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.enrichedOrders;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedRevenue;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.finalResults;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.results;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.ops.ReconcileCommands;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.Totals;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.WindowKey;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import dev.kappa.testing.process.LocalCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OrderRevenue against a real PostgreSQL: results upserted into {@code category_revenue}, and the
 * lookup and snapshot enrichments reading {@code products} and {@code customers}. Each test has a
 * schema of its own with the tables of {@code scripts/sql/schema.sql} and the rows of {@code
 * test-data/enrichment/load.sql} (the tables as they are now).
 */
@ExtendWith(PostgresExtension.class)
class OrderRevenuePostgresIT {

  private PostgresServer postgres;
  private String schema;

  @BeforeEach
  void createTables(PostgresServer postgres) throws IOException {
    useServer(postgres);
  }

  /** Makes {@code server} the test's database, in a new schema with the tables and their rows. */
  private void useServer(PostgresServer server) throws IOException {
    this.postgres = server;
    this.schema = postgres.createSchema("order_revenue");
    postgres.execute(
        "SET search_path TO "
            + schema
            + ";\n"
            + Files.readString(Path.of("../scripts/sql/schema.sql"), StandardCharsets.UTF_8)
            + "\n"
            + Files.readString(testData("enrichment/load.sql"), StandardCharsets.UTF_8));
  }

  /** Every option is parsed before the database is asked: the change streams must be named. */
  private static final String PRODUCT_CHANGES =
      "--productChanges=" + testData("enrichment/products.changelog.jsonl");

  private static final String CUSTOMER_CHANGES =
      "--customerChanges=" + testData("enrichment/customers.changelog.jsonl");

  private String[] bounded(String... more) {
    String[] base = {
      "--runner=DirectRunner",
      "--source=FILES",
      "--input=" + testData("orders/orders.jsonl"),
      "--jdbcUrl=" + postgres.jdbcUrl(schema),
      "--jdbcUser=" + postgres.user(),
      "--jdbcPassword=" + postgres.password()
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void backfillUpsertsTheResultsAndASecondBackfillChangesNothing(@TempDir Path dir)
      throws SQLException {
    OrderRevenueRuns.run(dir.resolve("first"), bounded("--resultsTable=category_revenue"));
    TableState first = state();
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(dir.resolve("second"), bounded("--resultsTable=category_revenue"));
    TableState second = state();

    assertThat(first.rows(), is(182L));
    assertThat(second, equalTo(first));
    assertThat(
        tableTotals(), equalTo(expectedRevenue("enrichment/expected-category-revenue.jsonl")));

    // kappa reconcile reads the table as the job wrote it: the same answers as the run's files.
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    int exit =
        ReconcileCommands.run(
            report,
            Map.of("KAPPA_JDBC_PASSWORD", postgres.password()),
            "order-revenue",
            "--left=table:category_revenue",
            "--right=" + out.results(),
            "--jdbcUrl=" + postgres.jdbcUrl(schema),
            "--jdbcUser=" + postgres.user());
    assertThat(
        report.toString(StandardCharsets.UTF_8), containsString("182 keys compared: 182 equal"));
    assertThat(exit, is(0));
  }

  @Test
  void lookupJoinGivesABackfillTodaysTable(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir, bounded("--productEnrichment=LOOKUP", "--customerEnrichment=LOOKUP"));

    // Not what the orders saw when they happened: the documented price of a lookup join.
    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("enrichment/expected-category-revenue-todays-table.jsonl")));
    assertThat(
        enrichedOrders(out.enriched()).stream()
            .filter(order -> order.getOrder().getProductId().equals("P-103"))
            .map(order -> order.getCategory())
            .distinct()
            .toList(),
        equalTo(java.util.List.of("wearables")));
  }

  @Test
  void snapshotJoinReadsTheTableOnceInABackfill(@TempDir Path dir) {
    OrderRevenueRuns.Outputs out =
        OrderRevenueRuns.run(
            dir, bounded("--productEnrichment=SNAPSHOT", "--customerEnrichment=SNAPSHOT"));

    assertThat(
        finalResults(results(out.results())),
        equalTo(expectedRevenue("enrichment/expected-category-revenue-todays-table.jsonl")));
  }

  @Test
  void aResultsTableWithoutTheResultColumnsFailsTheLaunchNamingTheOption() {
    postgres.execute("CREATE TABLE " + schema + ".revenue_v0 (category text PRIMARY KEY)");
    String[] args = bounded("--resultsTable=revenue_v0", PRODUCT_CHANGES, CUSTOMER_CHANGES);

    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () ->
                JobRunner.run(
                    new OrderRevenue(),
                    PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class)));

    assertThat(e.getMessage(), startsWith("--resultsTable: table revenue_v0 has no column"));
  }

  @Test
  void aWrongPasswordFailsTheLaunchNamingTheUrl() {
    String[] args =
        Arrays.stream(bounded("--resultsTable=category_revenue", PRODUCT_CHANGES, CUSTOMER_CHANGES))
            .map(arg -> arg.startsWith("--jdbcPassword=") ? "--jdbcPassword=not-it" : arg)
            .toArray(String[]::new);

    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () ->
                JobRunner.run(
                    new OrderRevenue(),
                    PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class)));

    assertThat(e.getMessage(), startsWith("--jdbcUrl: cannot read table category_revenue at"));
    assertThat(e.getMessage(), containsString("password authentication failed"));
  }

  /**
   * Over TLS, as a production database asks ({@code sslmode=verify-full} with the CA that signed
   * the server's certificate, on a server of the test's own that refuses connections without TLS):
   * upserts, lookups and snapshots give the same results as in plaintext, the password read from
   * {@code --jdbcPasswordFile}. Trusting another CA fails the launch naming {@code --jdbcUrl} and
   * the TLS error, before anything is read.
   */
  @Test
  void overVerifiedTlsUpsertsLooksUpAndSnapshots(@TempDir Path dir) throws Exception {
    try (PostgresServer tls = PostgresServer.startWithTls(dir.resolve("postgres"))) {
      useServer(tls);
      Path passwordFile = Files.writeString(dir.resolve("db-password"), tls.password() + "\n");
      String[] args =
          Arrays.stream(
                  bounded(
                      "--resultsTable=category_revenue",
                      "--productEnrichment=LOOKUP",
                      "--customerEnrichment=SNAPSHOT"))
              .map(
                  arg ->
                      arg.startsWith("--jdbcPassword=")
                          ? "--jdbcPasswordFile=" + passwordFile
                          : arg)
              .toArray(String[]::new);
      assertThat(String.join(" ", args), containsString("sslmode=verify-full&sslrootcert="));

      OrderRevenueRuns.Outputs out = OrderRevenueRuns.run(dir.resolve("run"), args);

      Map<WindowKey, Totals> expected =
          expectedRevenue("enrichment/expected-category-revenue-todays-table.jsonl");
      assertThat(finalResults(results(out.results())), equalTo(expected));
      assertThat(tableTotals(), equalTo(expected));

      Path otherCa =
          LocalCa.create(dir.resolve("other-ca"), "Another CA", "another-password").certificate();
      String[] untrusted =
          Arrays.stream(args)
              .map(arg -> arg.replace(tls.caCertificate().toString(), otherCa.toString()))
              .toArray(String[]::new);
      InvalidOptionException e =
          assertThrows(
              InvalidOptionException.class,
              () ->
                  JobRunner.run(
                      new OrderRevenue(),
                      PipelineOptionsFactory.fromArgs(untrusted).as(OrderRevenue.Options.class)));
      assertThat(e.getMessage(), startsWith("--jdbcUrl: "));
      assertThat(e.getMessage(), containsString("SSL error"));
    }
  }

  /** Row count and a checksum of every row's content, in key order. */
  record TableState(long rows, String checksum) {}

  private TableState state() throws SQLException {
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY category, currency,"
                    + " window_start)) FROM "
                    + schema
                    + ".category_revenue t")) {
      rows.next();
      return new TableState(rows.getLong(1), rows.getString(2));
    }
  }

  private Map<WindowKey, Totals> tableTotals() throws SQLException {
    Map<WindowKey, Totals> totals = new TreeMap<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT category, currency, window_start, window_end, order_count, revenue_cents"
                    + " FROM "
                    + schema
                    + ".category_revenue")) {
      while (rows.next()) {
        totals.put(
            new WindowKey(
                rows.getString(1),
                rows.getString(2),
                rows.getTimestamp(3).toInstant(),
                rows.getTimestamp(4).toInstant()),
            new Totals(rows.getLong(5), rows.getLong(6)));
      }
    }
    return totals;
  }
}
