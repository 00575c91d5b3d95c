package dev.kappa.pipelines.job;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OutputVersionOptions;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PDone;

/**
 * Runs any {@link KappaJob}: {@code main -> run(args) -> run(options) -> build}.
 *
 * <ol>
 *   <li>{@link #parse}: Beam parses the arguments into the job's options interface;
 *   <li>{@link JobSettings#parse}: every option is turned into typed values, once, before any step
 *       is added; a bad one fails with an {@link InvalidOptionException} naming it;
 *   <li>{@link JobSettings#launchChecks}: the files, Kafka clusters and database the job uses are
 *       checked, each once, within {@code --connectTimeout};
 *   <li>{@link KappaJob#build}: the job adds its steps, which connect to nothing; the dead-letter
 *       handler is closed after it, so every dead letter is written.
 * </ol>
 *
 * <p>Tests call {@link #build(KappaJob, Pipeline, PipelineOptions, JobIo)} with their own sources
 * and captured outputs, and need no server.
 */
public final class JobRunner {
  private JobRunner() {}

  /** A job's {@code main}: runs it and waits until it ends. */
  public static void main(KappaJob<?> job, String[] args) {
    run(job, args).waitUntilFinish();
  }

  /**
   * Parses {@code args} into {@code job}'s options.
   *
   * @throws IllegalArgumentException from Beam for an unknown or malformed option
   */
  public static <O extends PipelineOptions> O parse(KappaJob<O> job, String[] args) {
    PipelineOptionsFactory.register(job.optionsClass());
    // Every job takes --outputVersion (OutputVersion), whatever its options interface.
    PipelineOptionsFactory.register(OutputVersionOptions.class);
    O options = PipelineOptionsFactory.fromArgs(args).withValidation().as(job.optionsClass());
    if (Arrays.stream(args).noneMatch(arg -> arg.startsWith("--appName="))) {
      // Beam would name the caller of the factory; `kappa status` and `kappa stop` find the job
      // by its class.
      options.as(ApplicationNameOptions.class).setAppName(job.getClass().getSimpleName());
    }
    return options;
  }

  /** Parses {@code args} and starts the job; see {@link #run(KappaJob, PipelineOptions)}. */
  public static <O extends PipelineOptions> PipelineResult run(KappaJob<O> job, String[] args) {
    return run(job, parse(job, args));
  }

  /**
   * Parses and checks {@code options}, failing before anything runs if one is bad or a server does
   * not answer, builds the job and starts it. On the Direct runner and the Flink runner in attached
   * mode this returns once the job has ended.
   *
   * @throws InvalidOptionException naming the option to fix
   */
  public static <O extends PipelineOptions> PipelineResult run(KappaJob<O> job, O options) {
    // The embedded Flink runner's mini cluster starts while the checks run and the job is built and
    // translated, not after (EmbeddedMiniCluster; null on other runners).
    EmbeddedMiniCluster cluster = EmbeddedMiniCluster.prestart(options);
    try {
      return run(job, options, cluster);
    } finally {
      if (cluster != null) {
        cluster.release(options);
      }
    }
  }

  private static <O extends PipelineOptions> PipelineResult run(
      KappaJob<O> job, O options, @Nullable EmbeddedMiniCluster cluster) {
    // Pipeline.create sets up the file systems the file checks use.
    Pipeline pipeline = Pipeline.create(options);
    JobSettings settings = JobSettings.parse(job, options);
    // Versioned tables and topics are created before the checks look for them.
    OutputVersions.prepare(settings, options.getJobName());
    settings.launchChecks(job).run();
    if (settings.bounded()) {
      // No copy through the coder between chained steps, which never modify their input (the
      // Direct runner's immutability check in the tests). Not for streams: the Flink runner also
      // skips the copy of keyed state then, and a checkpoint can see an accumulator (Beam's own
      // trigger counters among them) mid-update.
      options.as(FlinkPipelineOptions.class).setFasterCopy(true);
    }
    build(job, pipeline, options, settings, new LaunchIo());
    if (cluster != null) {
      cluster.useForRun(options);
    }
    return pipeline.run();
  }

  /**
   * Adds {@code job} to {@code pipeline} reading and writing what its options say, without checking
   * any server: for tests of a job's graph.
   */
  public static <O extends PipelineOptions> JobSettings build(
      KappaJob<O> job, Pipeline pipeline, O options) {
    return build(job, pipeline, options, new LaunchIo());
  }

  /** Adds {@code job} to {@code pipeline}, its records read and written by {@code io}. */
  public static <O extends PipelineOptions> JobSettings build(
      KappaJob<O> job, Pipeline pipeline, O options, JobIo io) {
    JobSettings settings = JobSettings.parse(job, options);
    build(job, pipeline, options, settings, io);
    return settings;
  }

  private static <O extends PipelineOptions> void build(
      KappaJob<O> job, Pipeline pipeline, O options, JobSettings settings, JobIo io) {
    DeadLetterSink deadLetters =
        new DeadLetterSink(
            all -> {
              Target target = settings.deadLetters();
              if (target == null) {
                throw new IllegalStateException(
                    job.name() + " makes dead letters: its options need DeadLetterOptions");
              }
              io.write(all, JobSettings.DEAD_LETTERS, target, settings);
              return PDone.in(pipeline);
            });
    job.build(new JobContext<>(pipeline, options, settings, io, deadLetters));
    deadLetters.close();
  }
}
