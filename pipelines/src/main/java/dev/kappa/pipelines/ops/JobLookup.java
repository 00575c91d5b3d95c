package dev.kappa.pipelines.ops;

import java.util.List;
import java.util.stream.Collectors;

/** Finds a job on the cluster by its id or its name ({@code --jobName}). */
final class JobLookup {
  private JobLookup() {}

  /**
   * The running (not yet terminal) job with this id or name.
   *
   * @throws NotFoundException naming the running jobs, if none matches, several running jobs have
   *     the name, or the job has ended
   */
  static FlinkRestClient.Job running(
      List<FlinkRestClient.Job> jobs, String idOrName, String where) {
    List<FlinkRestClient.Job> matching = matching(jobs, idOrName);
    List<FlinkRestClient.Job> active =
        matching.stream().filter(FlinkRestClient.Job::isActive).toList();
    if (active.size() == 1) {
      return active.get(0);
    }
    if (active.size() > 1) {
      throw new NotFoundException(
          active.size()
              + " running jobs are named '"
              + idOrName
              + "' at "
              + where
              + ": "
              + active.stream().map(FlinkRestClient.Job::id).collect(Collectors.joining(", "))
              + "; give the job id");
    }
    if (!matching.isEmpty()) {
      FlinkRestClient.Job ended = matching.get(0);
      throw new NotFoundException(
          "job " + describe(ended) + " is " + ended.state() + ", not running; " + running(jobs));
    }
    throw new NotFoundException("no job '" + idOrName + "' at " + where + "; " + running(jobs));
  }

  /**
   * The job with this id or name: the running one if there is exactly one, else the one started
   * last.
   *
   * @throws NotFoundException if none matches or several running jobs have the name
   */
  static FlinkRestClient.Job any(List<FlinkRestClient.Job> jobs, String idOrName, String where) {
    List<FlinkRestClient.Job> matching = matching(jobs, idOrName);
    if (matching.isEmpty()) {
      throw new NotFoundException("no job '" + idOrName + "' at " + where + "; " + running(jobs));
    }
    if (matching.stream().anyMatch(FlinkRestClient.Job::isActive)) {
      return running(jobs, idOrName, where);
    }
    return matching.get(0);
  }

  /** {@code order-revenue (3bf52df7c4b6ac4bca3d70afadab9523)}. */
  static String describe(FlinkRestClient.Job job) {
    return job.name() + " (" + job.id() + ")";
  }

  /** {@code running: a (id), b (id)} or {@code no job is running}. */
  static String running(List<FlinkRestClient.Job> jobs) {
    List<FlinkRestClient.Job> active = jobs.stream().filter(FlinkRestClient.Job::isActive).toList();
    if (active.isEmpty()) {
      return "no job is running";
    }
    return "running: " + active.stream().map(JobLookup::describe).collect(Collectors.joining(", "));
  }

  /** Jobs with this id, or else with this name, newest first. */
  private static List<FlinkRestClient.Job> matching(
      List<FlinkRestClient.Job> jobs, String idOrName) {
    List<FlinkRestClient.Job> byId = jobs.stream().filter(j -> j.id().equals(idOrName)).toList();
    if (!byId.isEmpty()) {
      return byId;
    }
    return jobs.stream().filter(j -> j.name().equals(idOrName)).toList();
  }

  /** No job, or no single job, answers to the id or name. */
  static final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFoundException(String message) {
      super(message);
    }
  }
}
