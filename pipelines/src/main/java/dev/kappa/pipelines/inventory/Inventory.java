package dev.kappa.pipelines.inventory;

import dev.kappa.options.OptionValues;
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
import dev.kappa.schemas.events.InventoryItem;
import dev.kappa.schemas.results.OversoldAlert;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockEventKind;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.schemas.results.StockMinute;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * Stock levels per product from the inventory table's change stream and the orders, with an
 * OVERSOLD alert for each order that takes a product's level below zero.
 *
 * <p>Restocks and corrections (changes of the inventory row) set a product's level at the change's
 * commit time; orders consume stock at their event time. Both are applied per product in event-time
 * order whatever the arrival order ({@link TrackStock}), so the level after each event is the same
 * in a stream and in a backfill. Outputs: the level after each event ({@code --output}, and
 * upserted by product into {@code --levelsTable}: the current level), alerts ({@code
 * --alertsOutput}), the per-minute history ({@code --historyOutput}, {@code --historyTable}),
 * events too late to be applied in order ({@code --tooLateOutput}) and dead letters.
 *
 * <pre>{@code
 * scripts/kappa run inventory --input=test-data/inventory/orders.jsonl \
 *     --inventoryChanges=test-data/inventory/inventory.changelog.jsonl --output=console
 * }</pre>
 */
public final class Inventory implements KappaJob<Inventory.Options> {

  /** Everything the inventory job reads from the command line: the shared settings and its own. */
  public interface Options extends JobOptions, InventoryOptions {}

  static final Events<Options> ORDERS =
      Events.<Options>read("ReadOrders", InventoryOrderDecoder::eventTime)
          .withDefaultTopics("orders");

  static final Table<Options, InventoryItem> INVENTORY =
      Table.<Options, InventoryItem>of(
              "inventory", "product_id", InventoryItem.class, "InventoryChanges")
          .changesIn("inventoryChanges", Options::getInventoryChanges);

  static final Output<Options, StockLevel> LEVELS =
      Output.<Options, StockLevel>of("WriteLevels", StockLevel.class, "level")
          .to("output", Options::getOutput)
          .formattedBy(InventoryFormat::human)
          .keyedBy(level -> Outputs.utf8(level.getProductId()));

  static final ResultTable<Options, StockLevel> LEVELS_TABLE =
      ResultTable.<Options, StockLevel>of(
              "UpsertLevels", "RewindowLevelUpsertFailures", StockLevel.class)
          .in("levelsTable", Options::getLevelsTable)
          .keyedBy("product_id");

  static final Output<Options, OversoldAlert> ALERTS =
      Output.<Options, OversoldAlert>of("WriteAlerts", OversoldAlert.class, "alert")
          .to("alertsOutput", Options::getAlertsOutput)
          .formattedBy(InventoryFormat::human)
          .keyedBy(alert -> Outputs.utf8(alert.getProductId()));

  static final Output<Options, StockMinute> HISTORY =
      Output.<Options, StockMinute>of("WriteHistory", StockMinute.class, "minute")
          .toIfSet("historyOutput", Options::getHistoryOutput)
          .formattedBy(InventoryFormat::human)
          .keyedBy(minute -> Outputs.utf8(minute.getProductId() + "|" + minute.getMinuteStart()));

  static final ResultTable<Options, StockMinute> HISTORY_TABLE =
      ResultTable.<Options, StockMinute>of(
              "UpsertHistory", "RewindowHistoryUpsertFailures", StockMinute.class)
          .in("historyTable", Options::getHistoryTable)
          .keyedBy("product_id", "minute_start");

  static final Output<Options, StockEvent> TOO_LATE =
      Output.<Options, StockEvent>of("WriteTooLate", StockEvent.class, "too-late")
          .to("tooLateOutput", Options::getTooLateOutput)
          .formattedBy(InventoryFormat::human)
          .keyedBy(event -> Outputs.utf8(event.getProductId()));

  /**
   * The report, from the per-minute history ({@code --historyOutput} or {@code --historyTable}):
   * each product's level at the end of each minute with a change or order, the units ordered, and
   * the orders, oversold orders and inventory changes per minute; too-late stock events per minute
   * of their time, changes and orders apart.
   */
  static final JobReport<Options> REPORT =
      JobReport.of(HISTORY, Inventory::reportRow)
          .fromTable(HISTORY_TABLE)
          .bucketedBy(java.time.Duration.ofMinutes(1))
          .measure("events", "events", 1)
          .measure("units", "units", 1)
          .chart(
              JobReport.Chart.sum(
                  "Stock level at the end of each minute",
                  "Per product, for the minutes with a change or an order (negative: oversold).",
                  new JobReport.Measure("level", "units on hand", 1),
                  null,
                  row -> row.key().get(0)))
          .chart(
              JobReport.Chart.sum(
                  "Units ordered per minute",
                  "Per product, by the orders' event time.",
                  new JobReport.Measure("units_ordered", "units", 1),
                  null,
                  row -> row.key().get(0)))
          .chart(
              JobReport.Chart.measures(
                  "Orders and inventory changes per minute",
                  "Summed over the products.",
                  "events",
                  1,
                  List.of(
                      new JobReport.Measure("orders", "orders", 1),
                      new JobReport.Measure("oversold_orders", "oversold orders", 1),
                      new JobReport.Measure("changes", "inventory changes", 1))))
          .tooLate(TOO_LATE, "event", Inventory::reportTooLate);

  public static void main(String[] args) {
    JobRunner.main(new Inventory(), args);
  }

  @Override
  public String name() {
    return "inventory";
  }

  @Override
  public String description() {
    return "Stock levels per product from the inventory change stream and orders, in event-time"
        + " order, with OVERSOLD alerts.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(
        ORDERS, INVENTORY, LEVELS, LEVELS_TABLE, ALERTS, HISTORY, HISTORY_TABLE, TOO_LATE);
  }

  @Override
  public void checkOptions(Options options) {
    orderingLateness(options);
  }

  @Override
  public void build(JobContext<Options> job) {
    PCollectionTuple out =
        job.read(ORDERS)
            .apply(
                "TrackStock",
                TrackStock.with(
                    job.changesInStreamOrder(INVENTORY), orderingLateness(job.options())));
    PCollection<StockLevel> levels = out.get(TrackStock.LEVELS);
    job.write(levels, LEVELS);
    job.upsert(levels, LEVELS_TABLE);
    job.write(out.get(TrackStock.ALERTS), ALERTS);
    PCollection<StockMinute> history = out.get(TrackStock.HISTORY);
    job.write(history, HISTORY);
    job.upsert(history, HISTORY_TABLE);
    job.write(out.get(TrackStock.TOO_LATE), TOO_LATE);
    job.deadLetters(out.get(TrackStock.DEAD_LETTERS));
  }

  @Override
  public Optional<JobReport<Options>> report() {
    return Optional.of(REPORT);
  }

  static Reconciliation.Row reportRow(StockMinute minute) {
    return new Reconciliation.Row(
        minute.getMinuteStart(),
        minute.getMinuteEnd(),
        List.of(minute.getProductId()),
        // A minute's later panes count every event of the earlier ones and at least one more: the
        // pane the report keeps is the one with the most events.
        minute.getOrders() + minute.getChanges(),
        Map.of(
            "level", minute.getLevel(),
            "units_ordered", minute.getUnitsOrdered(),
            "orders", minute.getOrders(),
            "oversold_orders", minute.getOversoldOrders(),
            "changes", minute.getChanges()));
  }

  static Reconciliation.TooLate reportTooLate(StockEvent event) {
    return new Reconciliation.TooLate(
        event.getEventTime(),
        event.getEventTime(),
        List.of(event.getKind() == StockEventKind.ORDER ? "order" : "inventory change"),
        event.getOrder() == null
            ? Map.of("events", 1L)
            : Map.of("events", 1L, "units", (long) event.getOrder().getQuantity()),
        InventoryFormat.human(event));
  }

  @Override
  public List<List<String>> examples() {
    return List.of(
        List.of(
            "run",
            name(),
            "--input=test-data/inventory/orders.jsonl",
            "--inventoryChanges=test-data/inventory/inventory.changelog.jsonl",
            "--output=console"),
        List.of(
            "run",
            name(),
            "@runners-config/flink-embedded.args",
            "--source=KAFKA",
            "--bootstrapServers=localhost:9092",
            "--inputTopics=orders",
            "--inventoryChanges=kafka:inventory-changes",
            "--jdbcUrl=jdbc:postgresql://localhost:55432/kappa",
            "--levelsTable=stock_levels",
            "--alertsOutput=kafka:oversold-alerts"));
  }

  private static Duration orderingLateness(Options options) {
    return OptionValues.duration("orderingLateness", options.getOrderingLateness());
  }
}
