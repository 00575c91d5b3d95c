package dev.kappa.pipelines.orderrevenue;

import dev.kappa.options.BackfillOptions;
import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SinkOptions;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.KafkaSafety;
import dev.kappa.pipelines.Outputs;
import dev.kappa.pipelines.Sources;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.results.ProductRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.windowing.Windowing;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Revenue per product and currency per event-time window, from order events.
 *
 * <p>Reads orders from Kafka (a stream, or with {@code --from}/{@code --to} a bounded backfill of
 * that range), from files (bounded: a backfill that counts every order), or replays a file as a
 * stream (early, on-time and late panes); computes {@link ComputeOrderRevenue}; and writes results,
 * too-late orders and dead letters to their own outputs (console, files or Kafka topics). The same
 * code runs both ways; a bounded run's results equal a streaming run's final panes plus what the
 * stream diverted as too late.
 *
 * <pre>{@code
 * scripts/kappa run order-revenue --runner=FlinkRunner --source=REPLAY \
 *     --input=test-data/orders/orders.jsonl --output=console
 * }</pre>
 */
public final class OrderRevenue {
  private OrderRevenue() {}

  /** Everything OrderRevenue reads from the command line. */
  public interface Options
      extends SourceOptions,
          KafkaOptions,
          BackfillOptions,
          WindowingOptions,
          LatenessOptions,
          DeadLetterOptions,
          SinkOptions {}

  /** The Kafka consumer group and transactional sink group unless the options name others. */
  static final String KAFKA_GROUP = "kappa-order-revenue";

  public static void main(String[] args) {
    run(args).waitUntilFinish();
  }

  /** Parses {@code args}, failing before anything runs if an option is bad, and starts the job. */
  public static PipelineResult run(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    return run(options);
  }

  public static PipelineResult run(Options options) {
    Pipeline pipeline = Pipeline.create(options);
    build(pipeline, options);
    return pipeline.run();
  }

  /** Adds the job to {@code pipeline}: source, computation and sinks, all from {@code options}. */
  public static PCollectionTuple build(Pipeline pipeline, Options options) {
    // Every option is parsed before any step is added, so a bad one fails at launch.
    KafkaSafety.check(options);
    Windowing windowing = OptionValues.windowing(options);
    Outputs.KafkaSink kafka = Outputs.KafkaSink.from(options, KAFKA_GROUP);
    Outputs.Target results = Outputs.target("output", options.getOutput(), kafka);
    Outputs.Target tooLate = Outputs.target("tooLateOutput", options.getTooLateOutput(), kafka);
    Outputs.Target deadLetters =
        Outputs.target("deadLetterOutput", options.getDeadLetterOutput(), kafka);

    PCollection<SourceRecord> records =
        Sources.records(pipeline, options, "ReadOrders", OrderDecoder::eventTime, KAFKA_GROUP);
    PCollectionTuple out =
        records.apply("ComputeOrderRevenue", ComputeOrderRevenue.with(windowing));
    Outputs.write(
        out.get(ComputeOrderRevenue.resultsTag()),
        ProductRevenue.class,
        "WriteResults",
        results,
        "result",
        RevenueFormat::human,
        OrderRevenue::resultKey);
    Outputs.write(
        out.get(ComputeOrderRevenue.tooLateTag()),
        TooLateOrder.class,
        "WriteTooLate",
        tooLate,
        "too-late",
        RevenueFormat::human,
        late -> Outputs.utf8(late.getOrder().getOrderId()));
    Outputs.writeDeadLetters(out.get(ComputeOrderRevenue.deadLettersTag()), deadLetters);
    return out;
  }

  /** A result's Kafka key: its product, currency and window, so compaction keeps the last pane. */
  static byte[] resultKey(ProductRevenue result) {
    return Outputs.utf8(
        result.getProductId() + "|" + result.getCurrency() + "|" + result.getWindowStart());
  }
}
