package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.Product;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import dev.kappa.transforms.enrichment.TableLookup;
import dev.kappa.transforms.enrichment.TableSnapshot;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Jdbc#lookup} and {@link Jdbc#snapshot} on real tables, filled with plain SQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class JdbcTableLookupIT {

  private static final Product MUG =
      product("P-100", "Mug", "kitchen", 899, "2026-03-01T08:00:00.123Z");
  private static final Product KETTLE =
      product("P-101", "Kettle", "kitchen", 3_499, "2026-02-15T12:30:00Z");
  private static final Product SPADE =
      product("P-102", "Spade", "garden", 1_999, "2026-01-01T00:00:00Z");

  private static Product product(
      String id, String name, String category, long cents, String updatedAt) {
    return Product.newBuilder()
        .setProductId(id)
        .setName(name)
        .setCategory(category)
        .setPriceCents(cents)
        .setUpdatedAt(Instant.parse(updatedAt))
        .build();
  }

  /** A schema with products P-100..P-102, inserted with SQL literals. */
  private static String productsSchema(PostgresServer postgres) {
    String schema = postgres.createSchema("lookup");
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".products (product_id text PRIMARY KEY, name text NOT NULL,"
            + " category text NOT NULL, price_cents bigint NOT NULL,"
            + " updated_at timestamptz NOT NULL, discontinued boolean);"
            + "INSERT INTO "
            + schema
            + ".products VALUES"
            + " ('P-100', 'Mug', 'kitchen', 899, '2026-03-01 09:00:00.123+01', NULL),"
            + " ('P-101', 'Kettle', 'kitchen', 3499, '2026-02-15 12:30:00Z', false),"
            + " ('P-102', 'Spade', 'garden', 1999, '2026-01-01 00:00:00Z', true)");
    return schema;
  }

  @Test
  void lookupReturnsTheRowsOfFoundKeysAndOmitsMissingOnes(PostgresServer postgres)
      throws Exception {
    String schema = productsSchema(postgres);
    TableLookup<String, Product> lookup =
        SerializableUtils.clone(
            Jdbc.lookup(
                JdbcTestData.config(postgres, schema), "products", "product_id", Product.class));

    lookup.open();
    try {
      assertThat(
          lookup.lookupAll(Set.of("P-100", "P-102", "P-999")),
          equalTo(Map.of("P-100", MUG, "P-102", SPADE)));
      assertThat(lookup.lookupAll(Set.of("P-404")), equalTo(Map.of()));
      assertThat(lookup.lookupAll(Set.of()), equalTo(Map.of()));
    } finally {
      lookup.close();
    }
  }

  @Test
  void snapshotReadsEveryRowKeyed(PostgresServer postgres) throws Exception {
    String schema = productsSchema(postgres);
    TableSnapshot<String, Product> snapshot =
        SerializableUtils.clone(
            Jdbc.snapshot(
                JdbcTestData.config(postgres, schema), "products", "product_id", Product.class));

    Map<String, Product> all = snapshot.readAll();

    assertThat(all, equalTo(Map.of("P-100", MUG, "P-101", KETTLE, "P-102", SPADE)));
    assertThat(List.copyOf(all.keySet()), equalTo(List.of("P-100", "P-101", "P-102")));
  }

  @Test
  void aSchemaQualifiedTableNeedsNoSearchPath(PostgresServer postgres) throws Exception {
    String schema = productsSchema(postgres);
    JdbcConfig config = JdbcConfig.of(postgres.jdbcUrl(), postgres.user(), postgres.password());

    Map<String, Product> all =
        Jdbc.snapshot(config, schema + ".products", "product_id", Product.class).readAll();

    assertThat(all.keySet(), equalTo(Set.of("P-100", "P-101", "P-102")));
  }

  @Test
  void aNullInAFieldThatAllowsNoneIsAnErrorNamingTheColumn(PostgresServer postgres) {
    String schema = postgres.createSchema("lookup_null");
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".customers (customer_id text PRIMARY KEY, name text, email text, tier text,"
            + " country text, updated_at timestamptz);"
            + "INSERT INTO "
            + schema
            + ".customers VALUES ('C-1', 'Ann', NULL, 'gold', 'DE', now())");
    TableSnapshot<String, Customer> snapshot =
        Jdbc.snapshot(
            JdbcTestData.config(postgres, schema), "customers", "customer_id", Customer.class);

    SQLException e = assertThrows(SQLException.class, snapshot::readAll);

    assertThat(
        e.getMessage(),
        containsString("A row of customers has NULL in column email, which Customer.email"));
  }
}
