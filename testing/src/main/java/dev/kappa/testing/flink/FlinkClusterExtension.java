package dev.kappa.testing.flink;

import dev.kappa.testing.process.SharedServerExtension;

/**
 * Gives JUnit 5 tests a {@link FlinkCluster}: one standalone session cluster for the whole test
 * JVM, started when the first test asks for it and stopped, its work directory deleted, when the
 * JVM's tests are done.
 *
 * <pre>{@code
 * @ExtendWith(FlinkClusterExtension.class)
 * class OrdersOnFlinkIT {
 *   @Test
 *   void streamsOrders(FlinkCluster cluster) {
 *     String jobName = "orders-" + UUID.randomUUID();
 *     try {
 *       // submit with --flinkMaster=<cluster.flinkMaster()> --jobName=<jobName>
 *     } finally {
 *       cluster.cancelJobs(jobName::equals);
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>A cluster takes tens of seconds to start on a loaded machine, so every test class in the JVM
 * shares it: {@value #TASK_MANAGERS} TaskManagers of {@code taskmanager.numberOfTaskSlots} (2)
 * slots, room for the most a test runs at once (two jobs of parallelism 1, or one of parallelism 2)
 * beside a job still releasing its slots, with the jobs spread over two JVMs. Each test names its
 * jobs uniquely, cancels every job it starts (or lets it finish) before it returns, and assumes
 * nothing about the other jobs the cluster lists, runs or ran (its log directory holds every test's
 * logs). None stops, kills or restarts the cluster or its TaskManagers: tests of failures start
 * their own with {@link FlinkCluster#start}.
 */
public final class FlinkClusterExtension extends SharedServerExtension<FlinkCluster> {

  /** TaskManagers of the shared cluster. */
  public static final int TASK_MANAGERS = 2;

  /** The extension JUnit creates for {@code @ExtendWith}. */
  public FlinkClusterExtension() {
    super(FlinkCluster.class, "kappa-flink-", dir -> FlinkCluster.start(dir, TASK_MANAGERS));
  }
}
