package dev.kappa.pipelines.inventory;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.InventoryItem;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.OversoldAlert;
import dev.kappa.schemas.results.StockCause;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockEventKind;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.schemas.results.StockMinute;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.ordered.OrderedByEventTime;
import dev.kappa.transforms.windowing.AssignEventTime;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Stock levels per product from order records and the inventory table's changes, both applied per
 * product in event-time order ({@link OrderedByEventTime}, tie rule {@link StockEventOrder}, state
 * function {@link ApplyStockEventFn}), so that the level after each event is the same in a stream
 * and in a backfill.
 *
 * <p>Steps: {@code DecodeOrders} (undecodable or invalid orders are dead letters), {@code
 * AssignOrderTime}, {@code KeyOrdersByProduct}, {@code KeyChangesByProduct} (a change at its commit
 * time; a delete is a DELETE), {@code MergeStockEvents}, {@code ApplyStockEvents}, {@code
 * DropAppliedEvents} (the levels without the events they follow), {@code RaiseOversoldAlerts},
 * {@code SummarizeMinutes} ({@link SummarizeMinutes}), {@code UnkeyTooLateEvents}.
 */
final class TrackStock extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final TupleTag<StockLevel> LEVELS = new TupleTag<StockLevel>("levels") {};
  static final TupleTag<OversoldAlert> ALERTS = new TupleTag<OversoldAlert>("alerts") {};
  static final TupleTag<StockMinute> HISTORY = new TupleTag<StockMinute>("history") {};
  static final TupleTag<StockEvent> TOO_LATE = new TupleTag<StockEvent>("tooLate") {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>("deadLetters") {};

  private final transient PCollection<KV<String, KV<Long, InventoryItem>>> changes;
  private final Duration allowedLateness;

  private TrackStock(
      PCollection<KV<String, KV<Long, InventoryItem>>> changes, Duration allowedLateness) {
    this.changes = changes;
    this.allowedLateness = allowedLateness;
  }

  /**
   * Applies {@code changes} ({@code KV<product_id, KV<position in the change stream, row>>}, null
   * row: deleted, at commit time) and the orders read, waiting {@code allowedLateness} after the
   * watermark for late ones.
   */
  static TrackStock with(
      PCollection<KV<String, KV<Long, InventoryItem>>> changes, Duration allowedLateness) {
    checkArgument(changes != null, "changes must be set");
    checkArgument(
        allowedLateness != null && !allowedLateness.isShorterThan(Duration.ZERO),
        "allowed lateness must not be negative, was %s",
        allowedLateness);
    return new TrackStock(changes, allowedLateness);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    KvCoder<String, StockEvent> eventCoder =
        KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(StockEvent.class));
    DecodeRecords<OrderEvent> decode =
        DecodeRecords.using(new InventoryOrderDecoder(), SpecificRecordCoder.of(OrderEvent.class))
            .withStepName("DecodeOrders");
    PCollectionTuple decoded = records.apply("DecodeOrders", decode);
    PCollection<KV<String, StockEvent>> orders =
        decoded
            .get(decode.decodedTag())
            .apply(
                "AssignOrderTime",
                AssignEventTime.by(order -> new Instant(order.getEventTime().toEpochMilli())))
            .apply("KeyOrdersByProduct", ParDo.of(new KeyOrderFn()))
            .setCoder(eventCoder);
    PCollection<KV<String, StockEvent>> stockChanges =
        changes.apply("KeyChangesByProduct", ParDo.of(new KeyChangeFn())).setCoder(eventCoder);

    OrderedByEventTime<String, StockEvent, StockLevel, KV<StockEvent, StockLevel>> apply =
        OrderedByEventTime.applying(
                new ApplyStockEventFn(),
                SpecificRecordCoder.of(StockLevel.class),
                KvCoder.of(
                    SpecificRecordCoder.of(StockEvent.class),
                    SpecificRecordCoder.of(StockLevel.class)))
            .withTieRule(new StockEventOrder())
            .withAllowedLateness(allowedLateness);
    PCollectionTuple applied =
        PCollectionList.of(stockChanges)
            .and(orders)
            .apply("MergeStockEvents", Flatten.pCollections())
            .apply("ApplyStockEvents", apply);
    PCollection<KV<StockEvent, StockLevel>> appliedEvents = applied.get(apply.resultsTag());
    PCollection<StockLevel> levels =
        appliedEvents
            .apply("DropAppliedEvents", Values.create())
            .setCoder(SpecificRecordCoder.of(StockLevel.class));
    PCollection<OversoldAlert> alerts =
        levels
            .apply("RaiseOversoldAlerts", ParDo.of(new OversoldFn()))
            .setCoder(SpecificRecordCoder.of(OversoldAlert.class));
    PCollection<StockMinute> history =
        appliedEvents.apply(
            "SummarizeMinutes", SummarizeMinutes.withAllowedLateness(allowedLateness));
    PCollection<StockEvent> tooLate =
        applied
            .get(apply.tooLateTag())
            .apply("UnkeyTooLateEvents", ParDo.of(new UnkeyFn()))
            .setCoder(SpecificRecordCoder.of(StockEvent.class));
    return PCollectionTuple.of(LEVELS, levels)
        .and(ALERTS, alerts)
        .and(HISTORY, history)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, decoded.get(decode.deadLetterTag()));
  }

  /** An order as a stock event of its product. */
  static final class KeyOrderFn extends DoFn<OrderEvent, KV<String, StockEvent>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element OrderEvent order, OutputReceiver<KV<String, StockEvent>> out) {
      out.output(
          KV.of(
              order.getProductId(),
              StockEvent.newBuilder()
                  .setProductId(order.getProductId())
                  .setEventTime(order.getEventTime())
                  .setKind(StockEventKind.ORDER)
                  .setOrder(order)
                  .build()));
    }
  }

  /** A change of the inventory row as a stock event, at its commit time, with its position. */
  static final class KeyChangeFn
      extends DoFn<KV<String, KV<Long, InventoryItem>>, KV<String, StockEvent>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, KV<Long, InventoryItem>> change,
        @Timestamp Instant committed,
        OutputReceiver<KV<String, StockEvent>> out) {
      InventoryItem row = change.getValue().getValue();
      out.output(
          KV.of(
              change.getKey(),
              StockEvent.newBuilder()
                  .setProductId(change.getKey())
                  .setEventTime(java.time.Instant.ofEpochMilli(committed.getMillis()))
                  .setKind(row == null ? StockEventKind.DELETE : StockEventKind.SET)
                  .setChange(row)
                  .setChangePosition(change.getValue().getKey())
                  .build()));
    }
  }

  /** An OVERSOLD alert for each order after which the level is below zero. */
  static final class OversoldFn extends DoFn<StockLevel, OversoldAlert> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element StockLevel level, OutputReceiver<OversoldAlert> out) {
      if (level.getCause() != StockCause.ORDER || level.getLevel() >= 0) {
        return;
      }
      out.output(
          OversoldAlert.newBuilder()
              .setProductId(level.getProductId())
              .setOrderId(level.getOrderId())
              .setEventTime(level.getEventTime())
              .setQuantity(level.getQuantity())
              .setLevelBefore(level.getLevelBefore())
              .setLevel(level.getLevel())
              .setShortfall(Math.min(level.getQuantity(), -level.getLevel()))
              .setProductStocked(level.getStocked())
              .build());
    }
  }

  /** The too-late event without its key (the event names its product). */
  static final class UnkeyFn extends DoFn<KV<String, StockEvent>, StockEvent> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, StockEvent> late, OutputReceiver<StockEvent> out) {
      out.output(late.getValue());
    }
  }
}
