package dev.kappa.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** One shared server for the test JVM; each test in a schema of its own. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PostgresExtensionIT {

  private static PostgresServer first;

  @BeforeAll
  static void rememberTheServer(PostgresServer postgres) {
    first = postgres;
  }

  @Test
  void everyTestGetsTheSameRunningServer(PostgresServer postgres) {
    assertSame(first, postgres);
    assertTrue(postgres.isRunning());
  }

  @Test
  void schemasAreUniqueAndFoundByUnqualifiedNamesThroughTheirUrl(PostgresServer postgres)
      throws SQLException {
    String schema = postgres.createSchema("ext");
    String other = postgres.createSchema("ext");
    assertNotEquals(schema, other);
    postgres.execute(
        "CREATE TABLE " + schema + ".t (id int); INSERT INTO " + schema + ".t VALUES (7)");

    try (Connection connection =
            DriverManager.getConnection(
                postgres.jdbcUrl(schema), postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT id FROM t")) {
      assertTrue(row.next());
      assertEquals(7, row.getInt(1));
    }
  }
}
