package dev.kappa.pipelines;

import dev.kappa.pipelines.archive.ArchiveTopics;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The jobs the launcher knows, by the name used on the command line. */
public enum KappaPipeline {
  ORDER_REVENUE(
      "order-revenue",
      "Revenue per product category and currency per event-time window, from enriched orders.",
      OrderRevenue.Options.class,
      options -> OrderRevenue.run(options.as(OrderRevenue.Options.class))),
  ARCHIVE_TOPICS(
      "archive-topics",
      "Archives Kafka topics to Avro files (bytes and positions kept) for replay from files.",
      ArchiveTopics.Options.class,
      options -> ArchiveTopics.run(options.as(ArchiveTopics.Options.class)));

  private final String commandName;
  private final String description;
  private final Class<? extends PipelineOptions> optionsClass;
  private final Function<PipelineOptions, PipelineResult> run;

  KappaPipeline(
      String commandName,
      String description,
      Class<? extends PipelineOptions> optionsClass,
      Function<PipelineOptions, PipelineResult> run) {
    this.commandName = commandName;
    this.description = description;
    this.optionsClass = optionsClass;
    this.run = run;
  }

  public String commandName() {
    return commandName;
  }

  public String description() {
    return description;
  }

  public Class<? extends PipelineOptions> optionsClass() {
    return optionsClass;
  }

  /**
   * Parses {@code args} into this pipeline's options.
   *
   * @throws IllegalArgumentException from Beam for an unknown or malformed option
   */
  public PipelineOptions parse(String[] args) {
    PipelineOptionsFactory.register(optionsClass);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(optionsClass);
  }

  /** Parses {@code args} and starts the job; see {@link #run(PipelineOptions)}. */
  public PipelineResult run(String[] args) {
    return run(parse(args));
  }

  /**
   * Starts the job with {@code options} (from {@link #parse}). On the Direct runner and the Flink
   * runner in attached mode this returns once the job has ended.
   */
  public PipelineResult run(PipelineOptions options) {
    return run.apply(options);
  }

  /** The pipeline called {@code name} on the command line. */
  public static Optional<KappaPipeline> named(String name) {
    return Arrays.stream(values()).filter(p -> p.commandName.equals(name)).findFirst();
  }
}
