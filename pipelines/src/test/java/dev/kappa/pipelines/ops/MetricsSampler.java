package dev.kappa.pipelines.ops;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples a job's metrics every 250 ms in the background and keeps each metric's highest value, so
 * a test can still check what a job reported after it finished and its metrics left the reporter.
 */
final class MetricsSampler implements AutoCloseable {
  private final Supplier<Map<String, Double>> probe;
  private final Map<String, Double> highest = new TreeMap<>();
  private final ScheduledExecutorService timer;

  private MetricsSampler(Supplier<Map<String, Double>> probe) {
    this.probe = probe;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "metrics-sampler");
              // A failed test must not keep its JVM alive.
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts sampling {@code probe} now and every 250 ms until {@link #close()}. */
  static MetricsSampler start(Supplier<Map<String, Double>> probe) {
    MetricsSampler sampler = new MetricsSampler(probe);
    sampler.timer.scheduleWithFixedDelay(sampler::sample, 0, 250, TimeUnit.MILLISECONDS);
    return sampler;
  }

  private void sample() {
    Map<String, Double> now;
    try {
      now = probe.get();
    } catch (RuntimeException e) {
      // The reporter did not answer this time; the next sample tries again.
      return;
    }
    synchronized (highest) {
      now.forEach((metric, value) -> highest.merge(metric, value, Math::max));
    }
  }

  /** Each metric seen so far, at the highest value sampled. */
  Map<String, Double> highest() {
    synchronized (highest) {
      return new TreeMap<>(highest);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
