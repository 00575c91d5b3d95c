package dev.kappa.io.jdbc;

import static dev.kappa.io.jdbc.JdbcTestData.counter;
import static dev.kappa.io.jdbc.JdbcTestData.createCategoryRevenue;
import static dev.kappa.io.jdbc.JdbcTestData.lines;
import static dev.kappa.io.jdbc.JdbcTestData.rows;
import static dev.kappa.io.jdbc.JdbcTestData.tableLines;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.testing.postgres.PostgresServer;
import dev.kappa.transforms.enrichment.TableLookup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database that goes away and comes back: writes ride it out within the retry budget, lookups
 * reconnect. Each test runs a server of its own, since it stops it.
 */
@Timeout(300)
class UpsertRowsOutageIT {
  private static final String STEP = "WriteCategoryRevenue";

  @TempDir Path dataDir;

  @Test
  void rowsWrittenWhileTheDatabaseIsDownAreAllWrittenOnceItIsBack() throws Exception {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      String schema = postgres.createSchema("outage");
      createCategoryRevenue(postgres, schema);
      List<CategoryRevenue> rows = rows(200);
      JdbcConfig config =
          JdbcTestData.config(postgres, schema)
              .withBatchSize(50)
              .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));

      postgres.stop();
      DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
      options.setBlockOnRun(false);
      Pipeline pipeline = Pipeline.create(options);
      PCollection<DeadLetter> deadLetters =
          pipeline
              .apply(Create.of(rows).withCoder(SpecificRecordCoder.of(CategoryRevenue.class)))
              .apply(
                  STEP,
                  Jdbc.upsert(CategoryRevenue.class)
                      .into(config, "category_revenue")
                      .keyedBy("category", "currency", "window_start", "window_end")
                      .withStepName(STEP));
      PAssert.that(deadLetters).empty();

      // While the server is down, the test listens on its port itself: the sink's first attempt
      // to connect is accepted and hung up on (a transient failure), so the test knows the write
      // has failed before the server comes back. Attempts after that are refused.
      PipelineResult result;
      try (ServerSocket standIn = new ServerSocket()) {
        standIn.setReuseAddress(true);
        standIn.bind(new InetSocketAddress("127.0.0.1", postgres.port()));
        standIn.setSoTimeout(60_000);
        result = pipeline.run();
        standIn.accept().close();
      }
      postgres.restart();

      assertThat(
          result.waitUntilFinish(org.joda.time.Duration.standardMinutes(3)),
          equalTo(PipelineResult.State.DONE));
      assertThat(tableLines(postgres, schema), containsInAnyOrder(lines(rows).toArray()));
      assertThat(counter(result, STEP, UpsertRows.ROWS_WRITTEN), equalTo(200L));
      assertThat(counter(result, STEP, UpsertRows.DEAD_LETTERS), equalTo(0L));
      assertThat(counter(result, STEP, UpsertRows.RETRIES), greaterThanOrEqualTo(1L));
    }
  }

  @Test
  void aLookupReconnectsAfterTheDatabaseRestarts() throws Exception {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      String schema = postgres.createSchema("reconnect");
      postgres.execute(
          "CREATE TABLE "
              + schema
              + ".products (product_id text PRIMARY KEY, name text NOT NULL,"
              + " category text NOT NULL, price_cents bigint NOT NULL,"
              + " updated_at timestamptz NOT NULL);"
              + "INSERT INTO "
              + schema
              + ".products VALUES ('P-1', 'Mug', 'kitchen', 899, '2026-03-01 08:00:00Z')");
      TableLookup<String, Product> lookup =
          Jdbc.lookup(
              JdbcTestData.config(postgres, schema), "products", "product_id", Product.class);
      lookup.open();
      try {
        assertTrue(lookup.lookupAll(Set.of("P-1")).containsKey("P-1"));

        postgres.restart(); // the lookup's connection is closed by the server

        assertThat(lookup.lookupAll(Set.of("P-1")).get("P-1").getName(), equalTo("Mug"));
      } finally {
        lookup.close();
      }
    }
  }
}
