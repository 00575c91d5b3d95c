package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.aggregation.OrderTotals;
import dev.kappa.transforms.aggregation.OrderTotalsCombineFn;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.windowing.AssignEventTime;
import dev.kappa.transforms.windowing.WindowEvents;
import dev.kappa.transforms.windowing.Windowing;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * OrderRevenue's logic, without its sources and sinks: raw order records in; enriched orders,
 * revenue per product category, currency and window, too-late orders and dead letters out.
 *
 * <p>Steps (their names are stable: the Flink runner derives operator ids from them):
 *
 * <ol>
 *   <li>{@code DecodeOrders}: JSON lines or Avro single-object bytes of any OrderEvent version to
 *       the current schema, validated; failures to dead letters.
 *   <li>{@code AssignEventTime}: the order's {@code event_time} becomes its timestamp.
 *   <li>{@code EnrichOrders}: the product's category and the customer's tier, by the {@link
 *       EnrichOrders} given (by default as of the order's event time); orders whose key is missing
 *       pass through, or become dead letters, by policy.
 *   <li>{@code WindowOrders}: windows, trigger and lateness from {@link Windowing}; orders later
 *       than the allowed lateness diverted.
 *   <li>{@code KeyByCategoryAndCurrency}, {@code SumRevenue}: order count and revenue per key and
 *       window, one result per pane. Orders without a product count under {@value
 *       #UNKNOWN_CATEGORY}.
 *   <li>{@code FormatResults}, {@code FormatTooLate}: the result records.
 * </ol>
 *
 * <p>Tests apply it to a TestStream; {@link OrderRevenue} wires it to real sources and sinks.
 */
@AutoValue
public abstract class ComputeOrderRevenue
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** The category of orders whose product was not found and passed through. */
  public static final String UNKNOWN_CATEGORY = "unknown";

  private static final TupleTag<CategoryRevenue> RESULTS = new TupleTag<>("results") {};
  private static final TupleTag<EnrichedOrder> ENRICHED = new TupleTag<>("enrichedOrders") {};
  private static final TupleTag<TooLateOrder> TOO_LATE = new TupleTag<>("tooLate") {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};
  private static final TupleTag<EnrichmentCorrection> CORRECTIONS =
      new TupleTag<>("corrections") {};

  public abstract Windowing windowing();

  abstract EnrichOrders enrichOrders();

  /** Computes revenue with the given windowing, enriching orders with {@code enrichOrders}. */
  public static ComputeOrderRevenue with(Windowing windowing, EnrichOrders enrichOrders) {
    return new AutoValue_ComputeOrderRevenue(
        checkNotNull(windowing, "windowing must be set"),
        checkNotNull(enrichOrders, "enrichOrders must be set"));
  }

  /** One result per (category, currency, window) and pane. */
  public static TupleTag<CategoryRevenue> resultsTag() {
    return RESULTS;
  }

  /** Every valid order with its category and customer tier, before windowing. */
  public static TupleTag<EnrichedOrder> enrichedTag() {
    return ENRICHED;
  }

  /** Orders that arrived after their window's allowed lateness: not counted, not lost. */
  public static TupleTag<TooLateOrder> tooLateTag() {
    return TOO_LATE;
  }

  /**
   * Orders already emitted with a row that a late table change superseded (see {@link
   * EnrichOrders#correctionsTag()}): the results counted them under the value they got.
   */
  public static TupleTag<EnrichmentCorrection> correctionsTag() {
    return CORRECTIONS;
  }

  /** Records that could not be decoded or failed validation. */
  public static TupleTag<DeadLetter> deadLettersTag() {
    return DEAD_LETTERS;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    DecodeRecords<OrderEvent> decode =
        DecodeRecords.using(new OrderDecoder(), AvroCoder.of(OrderEvent.class))
            .withStepName("DecodeOrders");
    PCollectionTuple decoded = records.apply("DecodeOrders", decode);

    PCollection<OrderEvent> orders =
        decoded
            .get(decode.decodedTag())
            .apply(
                "AssignEventTime",
                AssignEventTime.by(order -> new Instant(order.getEventTime().toEpochMilli())));

    PCollectionTuple enrichment = orders.apply("EnrichOrders", enrichOrders());
    PCollection<EnrichedOrder> enriched = enrichment.get(EnrichOrders.enrichedTag());

    WindowEvents<EnrichedOrder> windowOrders = WindowEvents.using(windowing());
    PCollectionTuple windowed = enriched.apply("WindowOrders", windowOrders);

    PCollection<CategoryRevenue> results =
        windowed
            .get(windowOrders.windowedTag())
            .apply(
                "KeyByCategoryAndCurrency",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(), TypeDescriptors.strings()),
                            TypeDescriptor.of(OrderEvent.class)))
                    .via(
                        (EnrichedOrder order) ->
                            KV.of(
                                KV.of(categoryOf(order), order.getOrder().getCurrency()),
                                order.getOrder())))
            .setCoder(
                KvCoder.of(
                    KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
                    AvroCoder.of(OrderEvent.class)))
            .apply("SumRevenue", Combine.perKey(new OrderTotalsCombineFn()))
            .apply("FormatResults", ParDo.of(new ToCategoryRevenueFn()))
            .setCoder(AvroCoder.of(CategoryRevenue.class));

    PCollection<TooLateOrder> tooLate =
        windowed
            .get(windowOrders.tooLateTag())
            .apply(
                "FormatTooLate",
                MapElements.into(TypeDescriptor.of(TooLateOrder.class))
                    .via(
                        (KV<EnrichedOrder, MissedWindow> late) ->
                            TooLateOrder.newBuilder()
                                .setOrder(late.getKey().getOrder())
                                .setMissedWindow(late.getValue())
                                .build()))
            .setCoder(AvroCoder.of(TooLateOrder.class));

    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(decoded.get(decode.deadLetterTag()))
            .and(enrichment.get(EnrichOrders.deadLettersTag()))
            .apply("CollectDeadLetters", Flatten.pCollections());

    return PCollectionTuple.of(RESULTS, results)
        .and(ENRICHED, enriched)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, deadLetters)
        .and(CORRECTIONS, enrichment.get(EnrichOrders.correctionsTag()));
  }

  /** The category an order counts under. */
  static String categoryOf(EnrichedOrder order) {
    return order.getCategory() != null ? order.getCategory() : UNKNOWN_CATEGORY;
  }

  /**
   * Turns a key's totals in one window and pane into a result record.
   *
   * <p>Drops one kind of pane: an empty first pane. A key has a window only once an order arrived
   * in it, so a real first pane is never empty. The Flink runner emits such panes when a stream
   * ends: a pending early-firing (processing-time) timer fires after the window was already
   * garbage-collected, and with state gone it starts a fresh pane #0 (the family of
   * apache/beam#32727). They are counted as {@code spuriousEmptyPanes}.
   */
  static final class ToCategoryRevenueFn
      extends DoFn<KV<KV<String, String>, OrderTotals>, CategoryRevenue> {
    private static final long serialVersionUID = 1L;
    private final Counter spuriousEmptyPanes =
        Metrics.counter(ComputeOrderRevenue.class, "spuriousEmptyPanes");

    @ProcessElement
    public void process(
        @Element KV<KV<String, String>, OrderTotals> totals,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<CategoryRevenue> out) {
      if (pane.getIndex() == 0 && totals.getValue().orderCount() == 0) {
        spuriousEmptyPanes.inc();
        return;
      }
      Instant start =
          window instanceof IntervalWindow
              ? ((IntervalWindow) window).start()
              : BoundedWindow.TIMESTAMP_MIN_VALUE;
      out.output(
          CategoryRevenue.newBuilder()
              .setCategory(totals.getKey().getKey())
              .setCurrency(totals.getKey().getValue())
              .setWindowStart(java.time.Instant.ofEpochMilli(start.getMillis()))
              .setWindowEnd(java.time.Instant.ofEpochMilli(window.maxTimestamp().getMillis() + 1))
              .setOrderCount(totals.getValue().orderCount())
              .setRevenueCents(totals.getValue().revenueCents())
              .setPaneTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .setFinalPane(pane.isLast())
              .build());
    }
  }
}
