package dev.kappa.pipelines.job;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Flink runner's mini cluster ({@code --flinkMaster=[local]}), started in the
 * background while the launcher checks the options' servers, builds the job and Beam translates it,
 * instead of after all that: start-up work of about a second and a half that no longer waits for
 * the rest (docs/performance.md, issue 11 part 7).
 *
 * <p>With {@code [local]} Beam creates a {@code LocalStreamEnvironment} whose executor starts a
 * mini cluster once the job graph exists. {@link #prestart} starts the same cluster, from the same
 * configuration (the {@code --flinkConfDir} file, with the managed memory and class loader settings
 * Beam's {@code [local]} path adds, and the mini cluster settings Flink's executor derives), as
 * soon as the options are parsed; {@link #useForRun} then has the runner take an environment whose
 * executor is Flink's own {@link LocalExecutor}, handed this cluster instead of a new one: the same
 * job graph, submission, job client and job listeners, and the cluster shut down when the job ends,
 * as before. Beam reaches that environment through Flink's context environment ({@code
 * --flinkMaster=[auto]}, which Beam resolves through it), so the options say {@code [auto]} from
 * then on; the context is cleared as soon as Beam has taken it.
 *
 * <p>Only for attached runs through the DataStream API (streams, and bounded runs with {@code
 * --useDataStreamForBatch}, as {@code runners-config/flink-embedded.args} sets) and a configuration
 * that fixes the number of task slots (otherwise Flink sizes the cluster from the job graph);
 * anything else starts as before. If the cluster the executor asks for differs from the one started
 * (another setting in the job's configuration), or the start failed, the started one is closed and
 * Flink's own is used.
 */
public final class EmbeddedMiniCluster {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMiniCluster.class);

  /**
   * {@code -Dkappa.embedded.prestart=false} (in {@code KAPPA_JAVA_OPTS}) starts the cluster after
   * the translation, as Beam does: for comparisons, and a way back should a setting ever differ.
   */
  static final String PRESTART_PROPERTY = "kappa.embedded.prestart";

  private final Configuration environmentConfig;
  private final MiniClusterConfiguration clusterConfig;
  private final PrestartedCluster cluster;
  private final CompletableFuture<Void> started;

  private EmbeddedMiniCluster(Configuration environmentConfig, MiniClusterConfiguration config) {
    this.environmentConfig = environmentConfig;
    this.clusterConfig = config;
    this.cluster = new PrestartedCluster(config);
    this.started = new CompletableFuture<>();
    Thread starter =
        new Thread(
            () -> {
              try {
                cluster.startNow();
                started.complete(null);
              } catch (Throwable e) {
                started.completeExceptionally(e);
              }
            },
            "kappa-mini-cluster-start");
    starter.setDaemon(true);
    starter.start();
  }

  /**
   * Starts the mini cluster the options' run will need, in the background; {@code null} when they
   * do not run on the embedded Flink runner in a way this covers (see the class comment).
   */
  @Nullable
  public static EmbeddedMiniCluster prestart(PipelineOptions options) {
    if ("false".equals(System.getProperty(PRESTART_PROPERTY))
        || options.getRunner() == null
        || !FlinkRunner.class.equals(options.getRunner())) {
      return null;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!"[local]".equals(flink.getFlinkMaster())
        || !flink.getAttachedMode()
        || !(flink.isStreaming() || flink.getUseDataStreamForBatch())) {
      return null;
    }
    Configuration environment = environmentConfiguration(flink.getFlinkConfDir());
    if (!environment.contains(TaskManagerOptions.NUM_TASK_SLOTS)) {
      return null;
    }
    return new EmbeddedMiniCluster(environment, clusterConfiguration(environment));
  }

  /**
   * The configuration Beam's {@code [local]} path gives the {@code LocalStreamEnvironment}: the
   * Flink configuration directory's, the managed memory as a fraction of the free heap, no check
   * for leaked class loaders; and what that environment adds (target {@code local}, attached).
   */
  static Configuration environmentConfiguration(@Nullable String flinkConfDir) {
    Configuration config =
        flinkConfDir == null || flinkConfDir.isEmpty()
            ? GlobalConfiguration.loadConfiguration()
            : GlobalConfiguration.loadConfiguration(flinkConfDir);
    if (!config.containsKey(TaskManagerOptions.MANAGED_MEMORY_SIZE.key())) {
      long managed =
          (long)
              (config.get(TaskManagerOptions.MANAGED_MEMORY_FRACTION)
                  * EnvironmentInformation.getSizeOfFreeHeapMemoryWithDefrag());
      config.setString(TaskManagerOptions.MANAGED_MEMORY_SIZE.key(), String.valueOf(managed));
    }
    if (!config.containsKey(CoreOptions.CHECK_LEAKED_CLASSLOADER.key())) {
      config.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    }
    config.set(DeploymentOptions.TARGET, "local");
    config.set(DeploymentOptions.ATTACHED, true);
    return config;
  }

  /**
   * The mini cluster Flink's local executor makes from that configuration when it fixes the number
   * of slots ({@code PerJobMiniClusterFactory}): a random REST port unless one is set, shared RPC.
   */
  static MiniClusterConfiguration clusterConfiguration(Configuration environment) {
    Configuration config = new Configuration(environment);
    if (!config.contains(RestOptions.BIND_PORT)) {
      config.set(RestOptions.BIND_PORT, "0");
    }
    return new MiniClusterConfiguration.Builder()
        .setConfiguration(config)
        .setNumTaskManagers(config.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS))
        .setRpcServiceSharing(RpcServiceSharing.SHARED)
        .setNumSlotsPerTaskManager(config.get(TaskManagerOptions.NUM_TASK_SLOTS))
        .build();
  }

  /**
   * Has the runner's next Flink environment, created on this thread, run the job on this cluster:
   * sets {@code --flinkMaster=[auto]} and installs the context environment Beam's {@code [auto]}
   * takes. Call right before {@code pipeline.run()}.
   */
  public void useForRun(PipelineOptions options) {
    options.as(FlinkPipelineOptions.class).setFlinkMaster("[auto]");
    Context.install(this);
  }

  /**
   * After the run (or a failure before it): clears the context environment if Beam did not take it,
   * gives the options their {@code [local]} back, and closes the cluster, waiting (at most {@link
   * #CLOSE_TIMEOUT}) until it is closed. Flink's executor starts closing a cluster a job took when
   * the job ends but does not wait for it; a launcher that exited meanwhile would run Pekko's
   * shutdown hook while Flink closes the class loader of its RPC system, and the hook would fail to
   * load its classes.
   */
  public void release(PipelineOptions options) {
    Context.clear();
    options.as(FlinkPipelineOptions.class).setFlinkMaster("[local]");
    // Closing a cluster that is already closing gives the same termination.
    try {
      cluster.closeAsync().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("The embedded Flink cluster did not close cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How long {@link #release} waits for the cluster to close. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** Whether a job ran on the started cluster. */
  boolean adopted() {
    return cluster.adopted;
  }

  /**
   * The cluster for Flink's executor, which asks for {@code wanted}: the started one if it is the
   * same cluster (the same settings, the job's own added), otherwise a new one of Flink's.
   */
  private MiniCluster cluster(MiniClusterConfiguration wanted) {
    try {
      started.get();
    } catch (ExecutionException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      cluster.closeAsync();
      return new MiniCluster(wanted);
    }
    if (!sameCluster(clusterConfig, wanted)) {
      cluster.closeAsync();
      return new MiniCluster(wanted);
    }
    cluster.adopted = true;
    return cluster;
  }

  /**
   * Whether {@code wanted} describes the started cluster: as many task managers and slots, the same
   * RPC sharing, and every setting the started one has, with the same value (the executor's
   * configuration adds the job's own, such as its parallelism and execution mode).
   */
  static boolean sameCluster(MiniClusterConfiguration started, MiniClusterConfiguration wanted) {
    if (started.getNumTaskManagers() != wanted.getNumTaskManagers()
        || started.getRpcServiceSharing() != wanted.getRpcServiceSharing()) {
      return false;
    }
    Configuration have = started.getConfiguration();
    Configuration want = wanted.getConfiguration();
    if (!Objects.equals(
        have.get(TaskManagerOptions.NUM_TASK_SLOTS), want.get(TaskManagerOptions.NUM_TASK_SLOTS))) {
      return false;
    }
    Map<String, String> wantMap = want.toMap();
    return have.toMap().entrySet().stream()
        .allMatch(e -> Objects.equals(e.getValue(), wantMap.get(e.getKey())));
  }

  /** A mini cluster started ahead of time: Flink's executor's {@code start()} only waits for it. */
  private final class PrestartedCluster extends MiniCluster {
    volatile boolean adopted;

    PrestartedCluster(MiniClusterConfiguration config) {
      super(config);
    }

    void startNow() throws Exception {
      super.start();
    }

    @Override
    public void start() throws Exception {
      try {
        started.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
      }
    }
  }

  /** Flink's context environment, through which Beam's {@code [auto]} reaches the cluster. */
  private static final class Context extends StreamExecutionEnvironment {
    private Context() {}

    static void install(EmbeddedMiniCluster embedded) {
      initializeContextEnvironment(
          ignored -> {
            // Taken once: later environments in this JVM are made as before.
            resetContextEnvironment();
            return new StreamExecutionEnvironment(
                new Executors(embedded), new Configuration(embedded.environmentConfig), null);
          });
    }

    static void clear() {
      resetContextEnvironment();
    }
  }

  /** Flink's local executor, with the started cluster for the one it would have made. */
  private static final class Executors implements PipelineExecutorServiceLoader {
    private final EmbeddedMiniCluster embedded;

    Executors(EmbeddedMiniCluster embedded) {
      this.embedded = embedded;
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
      return new PipelineExecutorFactory() {
        @Override
        public String getName() {
          return "local";
        }

        @Override
        public boolean isCompatibleWith(Configuration config) {
          return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration config) {
          return LocalExecutor.createWithFactory(config, embedded::cluster);
        }
      };
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of("local");
    }
  }
}
