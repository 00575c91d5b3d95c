package dev.kappa.pipelines;

import dev.kappa.pipelines.archive.ArchiveTopics;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/** The jobs the launcher knows, by the name used on the command line. */
public enum KappaPipeline {
  ORDER_REVENUE(
      "order-revenue",
      "Revenue per product category and currency per event-time window, from enriched orders.",
      OrderRevenue.Options.class,
      OrderRevenue::run),
  ARCHIVE_TOPICS(
      "archive-topics",
      "Archives Kafka topics to Avro files (bytes and positions kept) for replay from files.",
      ArchiveTopics.Options.class,
      ArchiveTopics::run);

  private final String commandName;
  private final String description;
  private final Class<? extends PipelineOptions> optionsClass;
  private final Function<String[], PipelineResult> run;

  KappaPipeline(
      String commandName,
      String description,
      Class<? extends PipelineOptions> optionsClass,
      Function<String[], PipelineResult> run) {
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

  /** Parses {@code args} and starts the job; returns without waiting for it to finish. */
  public PipelineResult run(String[] args) {
    return run.apply(args);
  }

  /** The pipeline called {@code name} on the command line. */
  public static Optional<KappaPipeline> named(String name) {
    return Arrays.stream(values()).filter(p -> p.commandName.equals(name)).findFirst();
  }
}
