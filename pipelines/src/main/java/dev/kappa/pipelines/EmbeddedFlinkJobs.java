package dev.kappa.pipelines;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;

/**
 * The Flink jobs this JVM has submitted and not yet seen end, with the {@link JobClient} that can
 * cancel them: so that {@link StopOnExit} can cancel an embedded job when the launcher is stopped.
 *
 * <p>The FlinkRunner in attached mode blocks in {@code execute()} and never hands out the job's
 * client, and Beam offers no way to add a listener to the environment it creates. Flink does: it
 * instantiates the classes named by {@code execution.job-listeners} in the configuration the runner
 * reads ({@code runners-config/flink/embedded/config.yaml}, through {@code --flinkConfDir}). That
 * instantiation by class name is why the registry is static; it only ever holds the jobs of this
 * launcher's JVM.
 */
public final class EmbeddedFlinkJobs implements JobListener {
  private static final Map<JobID, JobClient> RUNNING = new ConcurrentHashMap<>();

  /** Flink instantiates it by name. */
  public EmbeddedFlinkJobs() {}

  @Override
  public void onJobSubmitted(@Nullable JobClient jobClient, @Nullable Throwable throwable) {
    if (jobClient != null) {
      RUNNING.put(jobClient.getJobID(), jobClient);
      System.err.println(
          "kappa: Flink job "
              + jobClient.getJobID()
              + " submitted; SIGTERM or Ctrl-C cancels it and ends the launcher");
    }
  }

  @Override
  public void onJobExecuted(
      @Nullable JobExecutionResult jobExecutionResult, @Nullable Throwable throwable) {
    if (jobExecutionResult != null) {
      RUNNING.remove(jobExecutionResult.getJobID());
    }
  }

  /** The clients of the jobs submitted and not seen to end. */
  static List<JobClient> running() {
    return List.copyOf(RUNNING.values());
  }
}
