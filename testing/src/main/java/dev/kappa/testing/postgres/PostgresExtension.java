package dev.kappa.testing.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

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
 * PostgresServer#start}). Parameters of test methods, lifecycle methods such as {@code @BeforeAll},
 * and constructors are resolved alike.
 */
public final class PostgresExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public PostgresServer resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root context's store lives as long as the test JVM's run and closes what it holds then.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedServer.class, type -> SharedServer.start(), SharedServer.class)
        .server;
  }

  /** The shared server and its temporary data directory, closed with the root context. */
  static final class SharedServer implements ExtensionContext.Store.CloseableResource {
    final Path dataDir;
    final PostgresServer server;

    private SharedServer(Path dataDir, PostgresServer server) {
      this.dataDir = dataDir;
      this.server = server;
    }

    static SharedServer start() {
      Path dataDir;
      try {
        dataDir = Files.createTempDirectory("kappa-pgdata-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a data directory for PostgreSQL", e);
      }
      return new SharedServer(dataDir, PostgresServer.start(dataDir));
    }

    @Override
    public void close() throws IOException {
      server.close();
      try (Stream<Path> paths = Files.walk(dataDir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
