package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.Product;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.sql.SQLException;
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
