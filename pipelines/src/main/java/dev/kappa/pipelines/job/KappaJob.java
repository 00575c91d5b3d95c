package dev.kappa.pipelines.job;

import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A Kappa job: a name on the command line, an options interface, what it reads and writes, and the
 * steps it adds. Everything else (parsing and checking options, sources by mode, targets, dead
 * letters) is the job layer's, so a job is a short class:
 *
 * <pre>{@code
 * public final class CountOrders implements KappaJob<CountOrders.Options> {
 *   public interface Options extends JobOptions, WindowingOptions, LatenessOptions {}
 *
 *   static final Events<Options> ORDERS =
 *       Events.read("ReadOrders", OrderDecoder::eventTime).withDefaultTopics("orders");
 *   static final Output<Options, OrderCount> COUNTS =
 *       Output.of("WriteCounts", OrderCount.class, "count").to("output", Options::getOutput);
 *
 *   public String name() { return "count-orders"; }
 *   public String description() { return "Orders per event-time window."; }
 *   public Class<Options> optionsClass() { return Options.class; }
 *   public List<JobPart<Options>> parts() { return List.of(ORDERS, COUNTS); }
 *
 *   public void build(JobContext<Options> job) {
 *     PCollectionTuple counted =
 *         job.read(ORDERS).apply("CountOrders", CountOrdersFn.with(job.windowing()));
 *     job.write(counted.get(CountOrdersFn.countsTag()), COUNTS);
 *     job.deadLetters(counted.get(CountOrdersFn.deadLettersTag()));
 *   }
 * }
 * }</pre>
 *
 * <p>Jobs are found by {@link KappaJobs} through {@code META-INF/services/
 * dev.kappa.pipelines.job.KappaJob}, so an implementation needs a public no-argument constructor.
 *
 * <p>Step names are part of a running job's identity: the Flink runner derives operator uids from
 * them, so a step, once released, keeps its name (a test freezes each job's list).
 *
 * @param <O> the job's options interface
 */
public interface KappaJob<O extends PipelineOptions> {

  /** The name on the command line ({@code kappa run <name>}), also the default job name. */
  String name();

  /** One line for {@code kappa list}. */
  String description();

  /** The interface the job's options are parsed into. */
  Class<O> optionsClass();

  /**
   * Everything the job reads and writes, tied to its options: parsed and checked at launch, before
   * {@link #build} adds a step. {@code build} may use only these.
   */
  List<JobPart<O>> parts();

  /**
   * Checks the job's own options that no part covers, at launch, before any step is added and
   * before any server is asked; {@code build} may read them again. None by default.
   *
   * @throws dev.kappa.options.InvalidOptionException naming the option
   */
  default void checkOptions(O options) {}

  /** Adds the job's steps. Connects to nothing: the job layer checked the servers at launch. */
  void build(JobContext<O> job);

  /**
   * Command lines for {@code kappa <name> --help}, each the arguments after {@code scripts/kappa},
   * one argument per element. None by default.
   */
  default List<List<String>> examples() {
    return List.of();
  }

  /**
   * How {@code kappa reconcile} compares two result sets of this job and explains their
   * differences; none by default (the command then refuses the job).
   */
  default Optional<Reconciliation<?, ?>> reconciliation() {
    return Optional.empty();
  }

  /**
   * What {@code kappa report} draws of this job's outputs; none by default (the command then
   * refuses the job).
   */
  default Optional<JobReport<O>> report() {
    return Optional.empty();
  }

  /** The Kafka consumer group and exactly-once sink group unless the options name others. */
  default String defaultGroup() {
    return "kappa-" + name();
  }
}
