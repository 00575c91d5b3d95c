package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.Product;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Jdbc#checkTable}: what a launch learns before any row is written. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class JdbcCheckTableIT {

  private static final String PRODUCTS =
      " (product_id text PRIMARY KEY, name text, category text, price_cents bigint,"
          + " updated_at timestamptz)";

  @Test
  void aTableWithEveryFieldPasses(PostgresServer postgres) throws SQLException {
    String schema = postgres.createSchema("check");
    postgres.execute("CREATE TABLE " + schema + ".products" + PRODUCTS);

    Jdbc.checkTable(config(postgres), schema + ".products", Product.class);
  }

  @Test
  void namesTheNonKeyColumnsDeclaredNotNullThatATombstoneCannotLeaveEmpty(PostgresServer postgres)
      throws SQLException {
    String schema = postgres.createSchema("check");
    postgres.execute(
        "CREATE TABLE "
            + schema
            + ".products (product_id text PRIMARY KEY, name text NOT NULL, category text,"
            + " price_cents bigint NOT NULL, updated_at timestamptz, retracted boolean)");

    assertThat(
        Jdbc.notNullColumns(
            config(postgres), schema + ".products", Product.class, List.of("product_id")),
        contains("name", "price_cents"));

    postgres.execute(
        "ALTER TABLE "
            + schema
            + ".products ALTER COLUMN name DROP NOT NULL, ALTER COLUMN price_cents DROP NOT NULL");
    assertThat(
        Jdbc.notNullColumns(
            config(postgres), schema + ".products", Product.class, List.of("product_id")),
        empty());
  }

  @Test
  void aMissingColumnIsNamed(PostgresServer postgres) {
    String schema = postgres.createSchema("check");
    postgres.execute(
        "CREATE TABLE " + schema + ".products (product_id text PRIMARY KEY, name text)");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Jdbc.checkTable(config(postgres), schema + ".products", Product.class));

    assertThat(
        e.getMessage(),
        containsString(
            "has no column category, price_cents, updated_at for the fields of Product"));
  }

  @Test
  void aMissingTableGivesTheDatabasesReason(PostgresServer postgres) {
    String schema = postgres.createSchema("check");

    SQLException e =
        assertThrows(
            SQLException.class,
            () -> Jdbc.checkTable(config(postgres), schema + ".products", Product.class));

    assertThat(e.getMessage(), containsString("does not exist"));
  }

  @Test
  void aWrongPasswordGivesTheDatabasesReason(PostgresServer postgres) {
    JdbcConfig wrong = JdbcConfig.of(postgres.jdbcUrl(), postgres.user(), "not-the-password");

    SQLException e =
        assertThrows(SQLException.class, () -> Jdbc.checkTable(wrong, "products", Product.class));

    assertThat(e.getMessage(), containsString("password authentication failed"));
  }

  private static JdbcConfig config(PostgresServer postgres) {
    return JdbcConfig.of(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }
}
