package dev.kappa.pipelines.job;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The catalogue of jobs the launcher knows: every {@link KappaJob} listed in {@code
 * META-INF/services/dev.kappa.pipelines.job.KappaJob}, in the order listed there. Adding a job adds
 * a line to that file; nothing else names the jobs.
 */
public final class KappaJobs {
  private KappaJobs() {}

  /** Every job, in catalogue order. */
  public static List<KappaJob<?>> all() {
    @SuppressWarnings({"rawtypes", "unchecked"}) // ServiceLoader cannot name a generic type
    ServiceLoader<KappaJob<?>> loader =
        (ServiceLoader) ServiceLoader.load(KappaJob.class, KappaJobs.class.getClassLoader());
    return loader.stream().<KappaJob<?>>map(ServiceLoader.Provider::get).toList();
  }

  /** The job called {@code name} on the command line. */
  public static Optional<KappaJob<?>> named(String name) {
    return all().stream().filter(job -> job.name().equals(name)).findFirst();
  }
}
