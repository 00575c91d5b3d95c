package dev.kappa.testing.postgres;

import dev.kappa.testing.process.SharedServerExtension;

/**
 * Gives JUnit 5 tests a {@link PostgresServer}: one server for the whole test JVM, started when the
 * first test asks for it and stopped, its data deleted, when the JVM's tests are done.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class UpsertRowsIT {
 *   @Test
 *   void upserts(PostgresServer postgres) {
 *     String schema = postgres.createSchema("upsert");
 *     postgres.execute("CREATE TABLE " + schema + ".products (...)");
 *     // connect with postgres.jdbcUrl(schema), postgres.user(), postgres.password()
 *   }
 * }
 * }</pre>
 *
 * <p>A server takes a second or two to start, so every test class in the JVM shares it: each test
 * works in its own schema ({@link PostgresServer#createSchema}) or uniquely named tables, and none
 * stops, kills or restarts the shared server (tests of failures start their own with {@link
 * PostgresServer#start}).
 */
public final class PostgresExtension extends SharedServerExtension<PostgresServer> {

  /** The extension JUnit creates for {@code @ExtendWith}. */
  public PostgresExtension() {
    super(PostgresServer.class, "kappa-pgdata-", PostgresServer::start);
  }
}
