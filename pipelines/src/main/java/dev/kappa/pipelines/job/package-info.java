/**
 * The job layer: what every Kappa job shares, so that a job is a short class.
 *
 * <ul>
 *   <li>{@link dev.kappa.pipelines.job.KappaJob}: the contract. A job names itself, declares its
 *       options interface and the {@link dev.kappa.pipelines.job.JobPart parts} it reads and writes
 *       (events, reference tables, outputs, result tables), and adds its steps in {@code build}.
 *   <li>{@link dev.kappa.pipelines.job.KappaJobs}: the catalogue, found with {@link
 *       java.util.ServiceLoader} in {@code META-INF/services}: a new job adds one line there.
 *   <li>{@link dev.kappa.pipelines.job.JobRunner}: one runner for every job, {@code main ->
 *       run(args) -> run(options) -> build}. It parses every option once into {@link
 *       dev.kappa.pipelines.job.JobSettings} (failing naming the option), runs the {@link
 *       dev.kappa.pipelines.LaunchChecks} against the servers, and only then builds.
 *   <li>{@link dev.kappa.pipelines.job.JobContext}: what {@code build} is handed: read events by
 *       source mode, join a table as configured, write an output to its {@link
 *       dev.kappa.pipelines.job.Target}, upsert rows, and dead letters collected by one {@link
 *       org.apache.beam.sdk.transforms.errorhandling.ErrorHandler}.
 *   <li>{@link dev.kappa.pipelines.job.JobIo}: where records come from and go. {@link
 *       dev.kappa.pipelines.job.LaunchIo} reads Kafka and files and writes the targets; a test
 *       passes its own (TestStream sources, captured outputs), so any job builds without a server.
 * </ul>
 */
package dev.kappa.pipelines.job;
