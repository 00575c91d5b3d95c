package dev.kappa.pipelines.ops;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.annotation.Nullable;

/** A running job's watermark, from Flink's REST API: for comparing two versions of a job. */
final class JobWatermark {
  private JobWatermark() {}

  /**
   * The lowest input watermark over the running vertices of the running job named {@code name}
   * (epoch millis); null if no such job runs or it has no watermark yet.
   */
  @Nullable
  static Long of(FlinkRestClient flink, List<FlinkRestClient.Job> jobs, String name) {
    Optional<FlinkRestClient.Job> job =
        jobs.stream().filter(j -> j.isActive() && j.name().equals(name)).findFirst();
    if (job.isEmpty()) {
      return null;
    }
    Optional<FlinkRestClient.JobDetails> details = flink.job(job.get().id());
    if (details.isEmpty()) {
      return null;
    }
    // The JobManager fetches the TaskManagers' metrics when first asked: the first answers after a
    // while may hold none yet (as kappa status waits for them, up to 3 s).
    long lowest = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 10 && lowest == Long.MAX_VALUE; attempt++) {
      if (attempt > 0) {
        pause(Duration.ofMillis(300));
      }
      for (FlinkRestClient.Vertex vertex : details.get().vertices()) {
        if (vertex.status().equals("RUNNING")) {
          OptionalLong mark = flink.inputWatermark(job.get().id(), vertex.id());
          if (mark.isPresent()) {
            lowest = Math.min(lowest, mark.getAsLong());
          }
        }
      }
    }
    // Flink reports Long.MIN_VALUE before the first watermark.
    return lowest == Long.MAX_VALUE || lowest == Long.MIN_VALUE ? null : lowest;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Flink's metrics", e);
    }
  }
}
