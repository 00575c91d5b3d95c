package dev.kappa.pipelines.job;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OutputVersionOptions;
import java.util.Arrays;
import java.util.Set;
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
 *       checked, each once, within {@code --connectTimeout}, while the change histories that a
 *       bounded run loads at launch are read ({@link LaunchIo#readingAhead});
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
    // The change histories the build loads are read from here on, beside the checks and one
    // another; a launch that fails stops them.
    try (LaunchIo io = LaunchIo.readingAhead(job, settings)) {
      // Versioned tables and topics are created before the checks look for them.
      OutputVersions.prepare(settings, options.getJobName());
      settings.launchChecks(job).run();
      if (settings.bounded()) {
        // No copy through the coder between chained steps, which never modify their input (the
        // Direct runner's immutability check in the tests). Not for streams: the Flink runner
        // also skips the copy of keyed state then, and a checkpoint can see an accumulator
        // (Beam's own trigger counters among them) mid-update.
        options.as(FlinkPipelineOptions.class).setFasterCopy(true);
      } else {
        streamBundles(options.as(FlinkPipelineOptions.class));
      }
      build(job, pipeline, options, settings, io);
    }
    if (cluster != null) {
      cluster.useForRun(options);
    }
    return pipeline.run();
  }

  /** A stream's {@code --maxBundleSize} on the Flink runner unless the user chose one. */
  static final long STREAM_BUNDLE_SIZE = 10;

  /**
   * Beam's own defaults for {@code --maxBundleSize}: 1,000 in a stream, 5,000 if the option is read
   * before the runner has decided that the job streams.
   */
  static final Set<Long> BEAM_BUNDLE_SIZES = Set.of(1_000L, 5_000L);

  /**
   * Closes a stream's bundles after {@value #STREAM_BUNDLE_SIZE} elements unless {@code
   * --maxBundleSize} was changed from Beam's default, so that the watermark, and the windows it
   * closes, move through every step as the records do.
   *
   * <p>Beam 2.70's Flink runner does not pass a watermark on while a step has a bundle open; it
   * passes the held one on at once when a bundle closes because it is full, but not when it closes
   * after {@code --maxBundleTimeMills}: that only schedules the update, and the next record, which
   * reopens a bundle, nearly always comes first. A step that receives a steady stream of fewer than
   * 1,000 records a second therefore held every watermark until the end of input (the streaming
   * race at 1,000 orders/s: p99 14.6 s with Beam's 1,000, 1.8 s with 10; see docs/performance.md).
   * Steps that see records rarely pass watermarks between bundles and are not affected. The price
   * is a finished bundle every ten records in every step: a cached lookup join asks the database
   * for at most ten keys at a time, and a database upsert writes at most ten rows per batch; give
   * {@code --maxBundleSize} to trade latency for larger batches.
   */
  static void streamBundles(FlinkPipelineOptions options) {
    if (BEAM_BUNDLE_SIZES.contains(options.getMaxBundleSize())) {
      options.setMaxBundleSize(STREAM_BUNDLE_SIZE);
    }
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

  /** Adds {@code job} to {@code pipeline} with the options already parsed into {@code settings}. */
  static <O extends PipelineOptions> void build(
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
