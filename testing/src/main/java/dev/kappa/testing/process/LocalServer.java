package dev.kappa.testing.process;

import java.nio.file.Path;

/**
 * What the local servers ({@link dev.kappa.testing.kafka.KafkaBroker}, {@link
 * dev.kappa.testing.postgres.PostgresServer}, {@link dev.kappa.testing.flink.FlinkCluster}) do
 * alike around their processes: the loopback port they answer on, the directory holding their data
 * and logs, a shutdown hook that takes a server a test started down with the test JVM (a detached
 * one, started for a script, has none and outlives it), and {@link #close()}: stop, then the hook
 * goes.
 */
public abstract class LocalServer implements AutoCloseable {

  /** The loopback address the server listens on. */
  protected final String host;

  /** The port clients connect to, the same after a restart. */
  protected final int port;

  /** The directory holding the server's data and logs; it belongs to the caller. */
  protected final Path dataDir;

  private final Thread shutdownHook;
  private boolean hookAdded;

  /**
   * @param detached whether the server outlives this JVM (no shutdown hook)
   */
  protected LocalServer(String host, int port, Path dataDir, boolean detached) {
    this.host = host;
    this.port = port;
    this.dataDir = dataDir;
    this.shutdownHook =
        detached
            ? null
            : new Thread(this::terminateOnExit, getClass().getSimpleName() + "-" + port + "-exit");
  }

  /** The port clients connect to, the same after a restart. */
  public int port() {
    return port;
  }

  /** The directory holding the server's data and logs; it belongs to the caller. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Stops the server as an operator would, killing what has not stopped within a bound, and returns
   * once its processes have exited. Does nothing if it is not running.
   */
  public abstract void stop();

  /**
   * Asks the server's processes to stop, without waiting and without taking locks (a test thread
   * may hold them): the JVM is exiting.
   */
  protected abstract void terminateOnExit();

  /**
   * Starts the server with {@code launch}, under the shutdown hook from the start (so that a JVM
   * exiting meanwhile takes the starting processes down); removes the hook if {@code launch} fails.
   */
  protected final void startSupervised(Runnable launch) {
    addShutdownHook();
    try {
      launch.run();
    } catch (RuntimeException e) {
      removeShutdownHook();
      throw e;
    }
  }

  /** Adds the shutdown hook, unless the server is detached or the hook is added already. */
  protected final synchronized void addShutdownHook() {
    if (shutdownHook != null && !hookAdded) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      hookAdded = true;
    }
  }

  /** Removes the shutdown hook if it was added. */
  protected final synchronized void removeShutdownHook() {
    if (hookAdded) {
      ChildProcesses.removeShutdownHook(shutdownHook);
      hookAdded = false;
    }
  }

  /** Stops the server (see {@link #stop()}). The data directory is left to its owner. */
  @Override
  public synchronized void close() {
    stop();
    removeShutdownHook();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + host + ":" + port + ", dataDir=" + dataDir + "}";
  }
}
