package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives JUnit 5 tests a server of type {@code S}: one for the whole test JVM, started in a new
 * temporary data directory when the first test asks for it, and closed, its data deleted, when the
 * JVM's tests are done. Parameters of test methods, lifecycle methods such as {@code @BeforeAll},
 * and constructors are resolved alike.
 *
 * @param <S> the server, which its {@code close()} stops
 */
public abstract class SharedServerExtension<S extends AutoCloseable> implements ParameterResolver {

  private final Class<S> type;
  private final String dataDirPrefix;
  private final Function<Path, S> start;

  /**
   * @param type the parameter type this extension resolves
   * @param dataDirPrefix the prefix of the temporary data directory's name
   * @param start starts a server with its data in the given directory
   */
  protected SharedServerExtension(Class<S> type, String dataDirPrefix, Function<Path, S> start) {
    this.type = type;
    this.dataDirPrefix = dataDirPrefix;
    this.start = start;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == type;
  }

  @Override
  public S resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root context's store lives as long as the test JVM's run and closes what it holds then.
    Shared<?> shared =
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.create(getClass()))
            .getOrComputeIfAbsent(type, key -> startShared(), Shared.class);
    return type.cast(shared.server());
  }

  private Shared<S> startShared() {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory(dataDirPrefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a data directory for " + type.getName(), e);
    }
    return new Shared<>(dataDir, start.apply(dataDir));
  }

  /** The shared server and its temporary data directory, closed with the root context. */
  private record Shared<S extends AutoCloseable>(Path dataDir, S server)
      implements ExtensionContext.Store.CloseableResource {

    @Override
    public void close() throws Exception {
      server.close();
      Directories.deleteRecursively(dataDir);
    }
  }
}
