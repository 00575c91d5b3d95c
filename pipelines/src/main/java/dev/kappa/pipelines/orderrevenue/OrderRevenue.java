package dev.kappa.pipelines.orderrevenue;

import dev.kappa.options.EnrichmentOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.job.Events;
import dev.kappa.pipelines.job.JobContext;
import dev.kappa.pipelines.job.JobOptions;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.Outputs;
import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.job.ResultTable;
import dev.kappa.pipelines.job.Table;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Revenue per product category and currency per event-time window, from order events enriched with
 * their product's category and their customer's tier.
 *
 * <p>Reads orders from Kafka (a stream, or with {@code --from}/{@code --to} a bounded backfill of
 * that range), from files (bounded: a backfill that counts every order), or replays a file as a
 * stream (early, on-time and late panes); computes {@link ComputeOrderRevenue}; and writes results,
 * enriched orders, too-late orders, corrections and dead letters to their own outputs (console,
 * files or Kafka topics), and results to a database table if one is named. A bounded run's results
 * equal a streaming run's final panes plus what the stream diverted as too late, with the stream's
 * corrections (orders whose product a late table change moved to another category) applied.
 *
 * <pre>{@code
 * scripts/kappa run order-revenue @runners-config/flink-embedded.args --source=REPLAY \
 *     --input=test-data/orders/orders.jsonl \
 *     --productChanges=test-data/enrichment/products.changelog.jsonl \
 *     --customerChanges=test-data/enrichment/customers.changelog.jsonl --output=console
 * }</pre>
 */
public final class OrderRevenue implements KappaJob<OrderRevenue.Options> {

  /** Everything OrderRevenue reads from the command line: the shared settings and its own. */
  public interface Options
      extends JobOptions,
          WindowingOptions,
          LatenessOptions,
          EnrichmentOptions,
          OrderRevenueOptions {}

  static final Events<Options> ORDERS =
      Events.<Options>read("ReadOrders", OrderDecoder::eventTime).withDefaultTopics("orders");

  static final Table<Options, Product> PRODUCTS =
      Table.<Options, Product>of("products", "product_id", Product.class, "ProductChanges")
          .joinedBy("productEnrichment", Options::getProductEnrichment)
          .changesIn("productChanges", Options::getProductChanges)
          .missingKeys("missingProduct", Options::getMissingProduct);

  static final Table<Options, Customer> CUSTOMERS =
      Table.<Options, Customer>of("customers", "customer_id", Customer.class, "CustomerChanges")
          .joinedBy("customerEnrichment", Options::getCustomerEnrichment)
          .changesIn("customerChanges", Options::getCustomerChanges)
          .missingKeys("missingCustomer", Options::getMissingCustomer);

  static final Output<Options, CategoryRevenue> RESULTS =
      Output.<Options, CategoryRevenue>of("WriteResults", CategoryRevenue.class, "result")
          .to("output", Options::getOutput)
          .formattedBy(RevenueFormat::human)
          .keyedBy(OrderRevenue::resultKey)
          .sortedOnConsole();

  static final ResultTable<Options, CategoryRevenue> RESULTS_TABLE =
      ResultTable.<Options, CategoryRevenue>of(
              "UpsertResults", "RewindowUpsertFailures", CategoryRevenue.class)
          .in("resultsTable", Options::getResultsTable)
          .keyedBy("category", "currency", "window_start", "window_end");

  static final Output<Options, EnrichedOrder> ENRICHED =
      Output.<Options, EnrichedOrder>of("WriteEnrichedOrders", EnrichedOrder.class, "enriched")
          .toIfSet("enrichedOutput", Options::getEnrichedOutput)
          .formattedBy(RevenueFormat::human)
          .keyedBy(order -> Outputs.utf8(order.getOrder().getOrderId()));

  static final Output<Options, TooLateOrder> TOO_LATE =
      Output.<Options, TooLateOrder>of("WriteTooLate", TooLateOrder.class, "too-late")
          .to("tooLateOutput", Options::getTooLateOutput)
          .formattedBy(RevenueFormat::human)
          .keyedBy(late -> Outputs.utf8(late.getOrder().getOrderId()));

  static final Output<Options, EnrichmentCorrection> CORRECTIONS =
      Output.<Options, EnrichmentCorrection>of(
              "WriteCorrections", EnrichmentCorrection.class, "correction")
          .to("correctionsOutput", Options::getCorrectionsOutput)
          .formattedBy(RevenueFormat::human)
          .keyedBy(correction -> Outputs.utf8(correction.getOrder().getOrderId()));

  /**
   * Results compared per window, category and currency on their order count and revenue; a too-late
   * order is diverted before enrichment and carries no category, so it explains the differences of
   * its window and currency summed over the categories.
   */
  static final Reconciliation<CategoryRevenue, TooLateOrder> RECONCILIATION =
      Reconciliation.of(
              CategoryRevenue.class,
              List.of("category", "currency"),
              List.of("order_count", "revenue_cents"),
              OrderRevenue::reconcileRow)
          .groupedBy(List.of("currency"), row -> List.of(row.key().get(1)))
          .explainedBy(TooLateOrder.class, OrderRevenue::reconcileTooLate);

  /**
   * The report: revenue per window and category, one chart per currency; too-late orders per window
   * they missed and currency, with the revenue they would have added.
   */
  static final JobReport<Options> REPORT =
      JobReport.of(RESULTS, OrderRevenue::reconcileRow)
          .fromTable(RESULTS_TABLE)
          .measure("order_count", "orders", 1)
          .measure("revenue_cents", "revenue", 100)
          .chart(
              JobReport.Chart.sum(
                  "Revenue per window",
                  "Each window's latest result per category (its final pane once closed).",
                  new JobReport.Measure("revenue_cents", "revenue", 100),
                  row -> row.key().get(1),
                  row -> row.key().get(0)))
          .chart(
              JobReport.Chart.sum(
                  "Orders per window",
                  "Orders counted in each window's latest result, per currency.",
                  new JobReport.Measure("order_count", "orders", 1),
                  null,
                  row -> row.key().get(1)))
          .tooLate(TOO_LATE, "currency", OrderRevenue::reconcileTooLate);

  public static void main(String[] args) {
    JobRunner.main(new OrderRevenue(), args);
  }

  @Override
  public String name() {
    return "order-revenue";
  }

  @Override
  public String description() {
    return "Revenue per product category and currency per event-time window, from enriched orders.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(
        ORDERS, PRODUCTS, CUSTOMERS, RESULTS, RESULTS_TABLE, ENRICHED, TOO_LATE, CORRECTIONS);
  }

  @Override
  public void build(JobContext<Options> job) {
    // A bounded run checks event times in DecodeOrders: each order is decoded once.
    JobContext.EventsRead orders = job.readDeferringCheck(ORDERS);
    ComputeOrderRevenue compute =
        ComputeOrderRevenue.with(
            job.windowing(), EnrichOrders.with(job.join(PRODUCTS), job.join(CUSTOMERS)));
    if (orders.check() != null) {
      compute = compute.checkingEventTimes(orders.check());
    }
    PCollectionTuple out = orders.records().apply("ComputeOrderRevenue", compute);
    PCollection<CategoryRevenue> revenue = out.get(ComputeOrderRevenue.resultsTag());
    job.write(revenue, RESULTS);
    job.upsert(revenue, RESULTS_TABLE);
    job.write(out.get(ComputeOrderRevenue.enrichedTag()), ENRICHED);
    job.write(out.get(ComputeOrderRevenue.tooLateTag()), TOO_LATE);
    job.write(out.get(ComputeOrderRevenue.correctionsTag()), CORRECTIONS);
    job.deadLetters(out.get(ComputeOrderRevenue.deadLettersTag()));
  }

  @Override
  public Optional<Reconciliation<?, ?>> reconciliation() {
    return Optional.of(RECONCILIATION);
  }

  @Override
  public Optional<JobReport<Options>> report() {
    return Optional.of(REPORT);
  }

  @Override
  public List<List<String>> examples() {
    return List.of(
        List.of(
            "run",
            name(),
            "@runners-config/flink-embedded.args",
            "--source=REPLAY",
            "--input=test-data/orders/orders.jsonl",
            "--productChanges=test-data/enrichment/products.changelog.jsonl",
            "--customerChanges=test-data/enrichment/customers.changelog.jsonl",
            "--output=console"),
        List.of(
            "backfill",
            name(),
            "@runners-config/flink-embedded.args",
            "--bootstrapServers=localhost:9092",
            "--inputTopics=orders",
            "--productChanges=kafka:products-changes",
            "--customerChanges=kafka:customers-changes",
            "--from=2026-03-01T00:00:00Z",
            "--to=2026-03-02T00:00:00Z",
            "--output=out/revenue"));
  }

  /** A result's Kafka key: its category, currency and window, so compaction keeps the last pane. */
  static byte[] resultKey(CategoryRevenue result) {
    return Outputs.utf8(
        result.getCategory() + "|" + result.getCurrency() + "|" + result.getWindowStart());
  }

  static Reconciliation.Row reconcileRow(CategoryRevenue result) {
    return new Reconciliation.Row(
        result.getWindowStart(),
        result.getWindowEnd(),
        List.of(result.getCategory(), result.getCurrency()),
        result.getPaneIndex(),
        Map.of("order_count", result.getOrderCount(), "revenue_cents", result.getRevenueCents()));
  }

  static Reconciliation.TooLate reconcileTooLate(TooLateOrder late) {
    OrderEvent order = late.getOrder();
    return new Reconciliation.TooLate(
        late.getMissedWindow().getWindowStart(),
        late.getMissedWindow().getWindowEnd(),
        List.of(order.getCurrency()),
        Map.of(
            "order_count",
            1L,
            "revenue_cents",
            Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents())),
        RevenueFormat.human(late));
  }
}
