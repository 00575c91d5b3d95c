package dev.kappa.pipelines.orderrevenue;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.options.BackfillOptions;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.EnrichmentOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.LauncherOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SinkOptions;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.KafkaSafety;
import dev.kappa.pipelines.LaunchChecks;
import dev.kappa.pipelines.Outputs;
import dev.kappa.pipelines.Sources;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.enrichment.DecodeChanges;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.windowing.Windowing;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * Revenue per product category and currency per event-time window, from order events enriched with
 * their product's category and their customer's tier.
 *
 * <p>Reads orders from Kafka (a stream, or with {@code --from}/{@code --to} a bounded backfill of
 * that range), from files (bounded: a backfill that counts every order), or replays a file as a
 * stream (early, on-time and late panes); computes {@link ComputeOrderRevenue}; and writes results,
 * too-late orders, corrections and dead letters to their own outputs (console, files or Kafka
 * topics). The same code runs both ways; a bounded run's results equal a streaming run's final
 * panes plus what the stream diverted as too late, with the stream's corrections (orders whose
 * product a late table change moved to another category) applied.
 *
 * <pre>{@code
 * scripts/kappa run order-revenue @runners-config/flink-embedded.args --source=REPLAY \
 *     --input=test-data/orders/orders.jsonl \
 *     --productChanges=test-data/enrichment/products.changelog.jsonl \
 *     --customerChanges=test-data/enrichment/customers.changelog.jsonl --output=console
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
          SinkOptions,
          EnrichmentOptions,
          JdbcOptions,
          ConnectionOptions,
          LauncherOptions {}

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

  /** Whether this run reads a finite input: files, or a Kafka range ({@code --from}). */
  static boolean isBounded(Options options) {
    return options.getSource() == SourceOptions.SourceKind.FILES
        || (options.getSource() == SourceOptions.SourceKind.KAFKA && options.getFrom() != null);
  }

  public static PipelineResult run(Options options) {
    Pipeline pipeline = Pipeline.create(options);
    // Options that need no server are refused first; build() parses the rest.
    KafkaSafety.check(options);
    OptionValues.windowing(options);
    checkLaunch(options);
    build(pipeline, options);
    Outputs.refuseUsedSinkGroupsOnFreshStart(
        options,
        Outputs.KafkaSink.from(options, KAFKA_GROUP),
        options.getOutput(),
        options.getEnrichedOutput(),
        options.getTooLateOutput(),
        options.getDeadLetterOutput(),
        options.getCorrectionsOutput());
    return pipeline.run();
  }

  /**
   * Fails the launch, naming the option, if the Kafka cluster the job uses does not answer within
   * {@code --connectTimeout} or lacks a topic the job reads, or if an input path or glob matches no
   * file. (The database is checked when the job is built, table by table.) Call after {@code
   * Pipeline.create}, which sets up the file systems.
   */
  static void checkLaunch(Options options) {
    LaunchChecks checks =
        LaunchChecks.within(
            OptionValues.connectTimeout("connectTimeout", options.getConnectTimeout()));
    String kafka = options.getBootstrapServers();
    switch (options.getSource()) {
      case FILES:
      case REPLAY:
        checks.files("input", OptionValues.required("input", options.getInput()));
        break;
      case KAFKA:
        checks.kafkaTopics(kafka, "inputTopics", options.getInputTopics());
        break;
    }
    checkChanges(
        checks,
        kafka,
        "productChanges",
        options.getProductEnrichment(),
        options.getProductChanges());
    checkChanges(
        checks,
        kafka,
        "customerChanges",
        options.getCustomerEnrichment(),
        options.getCustomerChanges());
    for (String output :
        new String[] {
          options.getOutput(),
          options.getTooLateOutput(),
          options.getDeadLetterOutput(),
          options.getCorrectionsOutput(),
          options.getEnrichedOutput()
        }) {
      if (output != null && output.trim().startsWith(Outputs.KAFKA_PREFIX)) {
        checks.kafka(kafka);
      }
    }
    checks.run();
  }

  /** A temporal join's change stream: its topic must exist, or its files match. */
  private static void checkChanges(
      LaunchChecks checks,
      String kafka,
      String option,
      EnrichmentOptions.Enrichment enrichment,
      @Nullable String spec) {
    if (enrichment != EnrichmentOptions.Enrichment.TEMPORAL || spec == null || spec.isBlank()) {
      return; // not read, or reported as missing when the job is built
    }
    String value = spec.trim();
    if (value.startsWith(Outputs.KAFKA_PREFIX)) {
      String topic = value.substring(Outputs.KAFKA_PREFIX.length()).trim();
      if (!topic.isEmpty()) {
        checks.kafkaTopics(kafka, option, List.of(topic));
      }
    } else {
      checks.files(option, value);
    }
  }

  /** Adds the job to {@code pipeline}: source, computation and sinks, all from {@code options}. */
  public static PCollectionTuple build(Pipeline pipeline, Options options) {
    // Every option is parsed before any step is added, so a bad one fails at launch.
    KafkaSafety.check(options);
    Windowing windowing = OptionValues.windowing(options);
    if (isBounded(options)) {
      // A backfill gives each window's final answer once; a speculative pane on a slow run would
      // only be a second, partial row for the same window.
      windowing = windowing.withoutEarlyFirings();
    }
    Outputs.KafkaSink kafka = Outputs.KafkaSink.from(options, KAFKA_GROUP);
    Outputs.Target results = Outputs.target("output", options.getOutput(), kafka);
    Outputs.Target tooLate = Outputs.target("tooLateOutput", options.getTooLateOutput(), kafka);
    Outputs.Target deadLetters =
        Outputs.target("deadLetterOutput", options.getDeadLetterOutput(), kafka);
    Outputs.Target corrections =
        Outputs.target("correctionsOutput", options.getCorrectionsOutput(), kafka);

    Sources.Read orderRecords =
        Sources.records(pipeline, options, "ReadOrders", OrderDecoder::eventTime, KAFKA_GROUP);
    Outputs.Target enrichedOrders =
        options.getEnrichedOutput() == null
            ? null
            : Outputs.target("enrichedOutput", options.getEnrichedOutput(), kafka);
    JdbcConfig resultsDatabase = null;
    if (options.getResultsTable() != null) {
      resultsDatabase = jdbcConfig(options);
      checkTable(resultsDatabase, "resultsTable", options.getResultsTable(), CategoryRevenue.class);
    }
    List<PCollection<DeadLetter>> deadLetterOutputs = new ArrayList<>();
    deadLetterOutputs.add(orderRecords.deadLetters());
    EnrichOrders enrichOrders =
        EnrichOrders.with(
            join(
                pipeline,
                options,
                new Table<>(
                    "products",
                    "product_id",
                    Product.class,
                    "ProductChanges",
                    "productEnrichment",
                    options.getProductEnrichment(),
                    "productChanges",
                    options.getProductChanges(),
                    "missingProduct",
                    options.getMissingProduct()),
                deadLetterOutputs),
            join(
                pipeline,
                options,
                new Table<>(
                    "customers",
                    "customer_id",
                    Customer.class,
                    "CustomerChanges",
                    "customerEnrichment",
                    options.getCustomerEnrichment(),
                    "customerChanges",
                    options.getCustomerChanges(),
                    "missingCustomer",
                    options.getMissingCustomer()),
                deadLetterOutputs));

    PCollectionTuple out =
        orderRecords
            .records()
            .apply("ComputeOrderRevenue", ComputeOrderRevenue.with(windowing, enrichOrders));
    PCollection<CategoryRevenue> revenue = out.get(ComputeOrderRevenue.resultsTag());
    Outputs.write(
        revenue,
        CategoryRevenue.class,
        "WriteResults",
        results,
        "result",
        RevenueFormat::human,
        OrderRevenue::resultKey);
    deadLetterOutputs.add(out.get(ComputeOrderRevenue.deadLettersTag()));
    if (resultsDatabase != null) {
      deadLetterOutputs.add(
          revenue
              .apply(
                  "UpsertResults",
                  Jdbc.upsert(CategoryRevenue.class)
                      .into(resultsDatabase, options.getResultsTable())
                      .keyedBy("category", "currency", "window_start", "window_end")
                      .withStepName("UpsertResults"))
              // Failed rows come out in their result's window; dead letters live in the global one.
              .apply(
                  "RewindowUpsertFailures",
                  Window.<DeadLetter>into(new GlobalWindows())
                      .triggering(DefaultTrigger.of())
                      .withAllowedLateness(Duration.ZERO)
                      .discardingFiredPanes()));
    }
    if (enrichedOrders != null) {
      Outputs.write(
          out.get(ComputeOrderRevenue.enrichedTag()),
          EnrichedOrder.class,
          "WriteEnrichedOrders",
          enrichedOrders,
          "enriched",
          RevenueFormat::human,
          order -> Outputs.utf8(order.getOrder().getOrderId()));
    }
    Outputs.write(
        out.get(ComputeOrderRevenue.tooLateTag()),
        TooLateOrder.class,
        "WriteTooLate",
        tooLate,
        "too-late",
        RevenueFormat::human,
        late -> Outputs.utf8(late.getOrder().getOrderId()));
    Outputs.write(
        out.get(ComputeOrderRevenue.correctionsTag()),
        EnrichmentCorrection.class,
        "WriteCorrections",
        corrections,
        "correction",
        RevenueFormat::human,
        correction -> Outputs.utf8(correction.getOrder().getOrderId()));
    Outputs.writeDeadLetters(
        PCollectionList.of(deadLetterOutputs).apply("CollectDeadLetters", Flatten.pCollections()),
        deadLetters);
    return out;
  }

  /** A result's Kafka key: its category, currency and window, so compaction keeps the last pane. */
  static byte[] resultKey(CategoryRevenue result) {
    return Outputs.utf8(
        result.getCategory() + "|" + result.getCurrency() + "|" + result.getWindowStart());
  }

  /** A reference table as the options describe it. */
  private record Table<V extends SpecificRecordBase>(
      String name,
      String keyField,
      Class<V> rowClass,
      String changesStep,
      String enrichmentOption,
      EnrichmentOptions.Enrichment enrichment,
      String changesOption,
      @Nullable String changes,
      String missingOption,
      EnrichmentOptions.MissingKey missing) {}

  /**
   * How orders get a table's rows, as the options say; a temporal join's change stream is read here
   * and its undecodable change events added to {@code deadLetters}.
   */
  private static <V extends SpecificRecordBase> TableJoin<V> join(
      Pipeline pipeline,
      Options options,
      Table<V> table,
      List<PCollection<DeadLetter>> deadLetters) {
    MissingKeyPolicy missing = missingKeys(table.missingOption(), table.missing(), options);
    switch (table.enrichment()) {
      case TEMPORAL:
        if (table.changes() == null || table.changes().isBlank()) {
          throw new InvalidOptionException(
              table.changesOption(),
              "is required with --"
                  + table.enrichmentOption()
                  + "=TEMPORAL (the default): 'kafka:<topic>' or JSON-lines files of the "
                  + table.name()
                  + " table's change events; or choose --"
                  + table.enrichmentOption()
                  + "=LOOKUP or SNAPSHOT with --jdbcUrl");
        }
        DecodeChanges<V> decode =
            DecodeChanges.of(table.rowClass(), table.keyField())
                .fromTable(table.name())
                .withStepName("Decode" + table.changesStep());
        Sources.Read changeRecords =
            Sources.changes(
                pipeline,
                options,
                "Read" + table.changesStep(),
                table.changesOption(),
                table.changes(),
                decode.changeTime());
        deadLetters.add(changeRecords.deadLetters());
        PCollectionTuple changes =
            changeRecords.records().apply("Decode" + table.changesStep(), decode);
        deadLetters.add(changes.get(decode.deadLetterTag()));
        return TableJoin.asOfEventTime(changes.get(decode.changesTag()), missing);
      case LOOKUP:
        JdbcConfig lookupDatabase = checkedDatabase(options, table);
        return TableJoin.byLookup(
            Jdbc.lookup(lookupDatabase, table.name(), table.keyField(), table.rowClass()),
            AvroCoder.of(table.rowClass()),
            options.getLookupCacheSize(),
            OptionValues.duration("lookupCacheTtl", options.getLookupCacheTtl()),
            missing);
      case SNAPSHOT:
        if (missing.waits()) {
          throw new InvalidOptionException(
              table.missingOption(),
              "WAIT does not work with SNAPSHOT enrichment (a held order cannot see a newer"
                  + " snapshot in Beam Java); use PASS_THROUGH or DEAD_LETTER, or --"
                  + table.enrichmentOption()
                  + "=LOOKUP or TEMPORAL");
        }
        JdbcConfig snapshotDatabase = checkedDatabase(options, table);
        return TableJoin.fromSnapshot(
            Jdbc.snapshot(snapshotDatabase, table.name(), table.keyField(), table.rowClass()),
            AvroCoder.of(table.rowClass()),
            OptionValues.duration("snapshotRefresh", options.getSnapshotRefresh()),
            missing);
    }
    throw new IllegalStateException("unhandled enrichment " + table.enrichment());
  }

  private static MissingKeyPolicy missingKeys(
      String option, EnrichmentOptions.MissingKey missing, Options options) {
    switch (missing) {
      case PASS_THROUGH:
        return MissingKeyPolicy.passThrough();
      case DEAD_LETTER:
        return MissingKeyPolicy.deadLetter();
      case WAIT:
        return MissingKeyPolicy.waitUpTo(
            OptionValues.duration("missingKeyTimeout", options.getMissingKeyTimeout()));
    }
    throw new InvalidOptionException(option, "unhandled value " + missing);
  }

  /** The database a lookup or snapshot of {@code table} reads, checked once at launch. */
  private static JdbcConfig checkedDatabase(Options options, Table<?> table) {
    JdbcConfig database = jdbcConfig(options);
    checkTable(database, table.enrichmentOption(), table.name(), table.rowClass());
    return database;
  }

  /**
   * Fails the launch, naming {@code option} or {@code --jdbcUrl}, unless the database answers and
   * {@code table} has a column for every field of {@code rowClass}.
   */
  private static void checkTable(
      JdbcConfig config,
      String option,
      String table,
      Class<? extends SpecificRecordBase> rowClass) {
    try {
      Jdbc.checkTable(config, table, rowClass);
    } catch (SQLException e) {
      throw new InvalidOptionException(
          "jdbcUrl",
          "cannot read table " + table + " at " + config.redactedUrl() + ": " + e.getMessage(),
          e);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(option, e.getMessage(), e);
    }
  }

  /** The database connection settings; {@code --jdbcUrl} is required once anything uses it. */
  static JdbcConfig jdbcConfig(Options options) {
    String url = OptionValues.required("jdbcUrl", options.getJdbcUrl());
    String password =
        options.getJdbcPassword() != null
            ? options.getJdbcPassword()
            : System.getenv().getOrDefault("KAPPA_JDBC_PASSWORD", "");
    try {
      return JdbcConfig.of(url, options.getJdbcUser(), password)
          .withConnectTimeout(
              OptionValues.connectTimeout("connectTimeout", options.getConnectTimeout()))
          .withBatchSize(options.getJdbcBatchSize())
          .withRetryBudget(
              Integer.MAX_VALUE,
              java.time.Duration.ofMillis(
                  OptionValues.duration("jdbcRetryTimeout", options.getJdbcRetryTimeout())
                      .getMillis()));
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException("jdbcUrl", e.getMessage(), e);
    }
  }
}
