package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.value.AutoValue;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.carry.EmptyFirstPanes;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.errors.ElementCoordinates;
import dev.kappa.transforms.errors.Guard;
import dev.kappa.transforms.errors.GuardedFn;
import dev.kappa.transforms.windowing.AssignEventTime;
import dev.kappa.transforms.windowing.DecodeWithEventTimes;
import dev.kappa.transforms.windowing.EventTimeCheck;
import dev.kappa.transforms.windowing.WindowEvents;
import dev.kappa.transforms.windowing.Windowing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
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
 *   <li>{@code AssignEventTime}: the order's {@code event_time} becomes its timestamp. With {@link
 *       #checkingEventTimes} (a bounded run) {@code DecodeOrders} also checks and assigns event
 *       times, decoding each record once, and this step is not there.
 *   <li>{@code EnrichOrders}: the product's category and the customer's tier, by the {@link
 *       EnrichOrders} given (by default as of the order's event time); orders whose key is missing
 *       pass through, or become dead letters, by policy.
 *   <li>{@code WindowOrders}: windows, trigger and lateness from {@link Windowing}; orders later
 *       than the allowed lateness diverted.
 *   <li>{@code KeyByCategoryAndCurrency}, {@code SumRevenue}: order count and revenue per key and
 *       window, one result per pane. Orders without a product count under {@value
 *       #UNKNOWN_CATEGORY}.
 *   <li>{@code FormatResults}, {@code FormatTooLate}: the result records. A total too large for the
 *       result's {@code long} revenue is a dead letter naming its window and key.
 * </ol>
 *
 * <p>Totals are exact at any size, and every per-element step ({@code KeyByProduct}, {@code
 * AddCategory}, {@code AddCustomerTier}, the corrections', {@code KeyByCategoryAndCurrency}, {@code
 * FormatResults}, {@code FormatTooLate}) is {@link Guard guarded}: an exception on one element is a
 * dead letter from that step, not a failed bundle, so no input makes the job throw.
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

  /** The event-time check {@code DecodeOrders} applies, or null if the records come checked. */
  abstract @Nullable EventTimeCheck eventTimeCheck();

  /** Computes revenue with the given windowing, enriching orders with {@code enrichOrders}. */
  public static ComputeOrderRevenue with(Windowing windowing, EnrichOrders enrichOrders) {
    return new AutoValue_ComputeOrderRevenue(
        checkNotNull(windowing, "windowing must be set"),
        checkNotNull(enrichOrders, "enrichOrders must be set"),
        null);
  }

  /**
   * Checks the orders' event times while decoding them ({@link DecodeWithEventTimes}, step {@code
   * DecodeOrders}, without {@code AssignEventTime}), for records read unchecked in a bounded run:
   * each is decoded once, and the dead letters are those of the check step it stands for.
   */
  public ComputeOrderRevenue checkingEventTimes(EventTimeCheck check) {
    return new AutoValue_ComputeOrderRevenue(
        windowing(), enrichOrders(), checkNotNull(check, "check must be set"));
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

  /**
   * Records that could not be decoded or failed validation, orders whose key a table lacked (by
   * policy), and elements a guarded step failed on (such as a window total too large for a long),
   * all in the global window.
   */
  public static TupleTag<DeadLetter> deadLettersTag() {
    return DEAD_LETTERS;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollection<OrderEvent> orders;
    PCollection<DeadLetter> undecodable;
    EventTimeCheck check = eventTimeCheck();
    if (check == null) {
      DecodeRecords<OrderEvent> decode =
          DecodeRecords.using(new OrderDecoder(), SpecificRecordCoder.of(OrderEvent.class))
              .withStepName("DecodeOrders");
      PCollectionTuple decoded = records.apply("DecodeOrders", decode);
      undecodable = decoded.get(decode.deadLetterTag());
      orders =
          decoded
              .get(decode.decodedTag())
              .apply(
                  "AssignEventTime",
                  AssignEventTime.by(order -> new Instant(order.getEventTime().toEpochMilli())));
    } else {
      DecodeWithEventTimes<OrderEvent> decode =
          DecodeWithEventTimes.using(
                  new OrderDecoder(), SpecificRecordCoder.of(OrderEvent.class), check)
              .withStepName("DecodeOrders");
      PCollectionTuple decoded = records.apply("DecodeOrders", decode);
      undecodable = decoded.get(decode.deadLetterTag());
      orders = decoded.get(decode.decodedTag());
    }

    PCollectionTuple enrichment = orders.apply("EnrichOrders", enrichOrders());
    PCollection<EnrichedOrder> enriched = enrichment.get(EnrichOrders.enrichedTag());

    // The diverter's shards follow SumRevenue's key, so each holds a few keys' windows.
    WindowEvents<EnrichedOrder> windowOrders =
        WindowEvents.<EnrichedOrder>using(windowing())
            .withShardKey(
                ComputeOrderRevenue::categoryAndCurrency,
                KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    PCollectionTuple windowed = enriched.apply("WindowOrders", windowOrders);

    // Per-element steps are guarded: an exception on one element is a dead letter, not a failed
    // bundle. Each keeps the primitive name it had as a plain ParDo (its Flink operator uid).
    Guard<EnrichedOrder, KV<KV<String, String>, OrderEvent>> keyByCategoryAndCurrency =
        Guard.map(
                "KeyByCategoryAndCurrency",
                (EnrichedOrder order) -> KV.of(categoryAndCurrency(order), order.getOrder()))
            .withOutputCoder(
                KvCoder.of(
                    KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
                    SpecificRecordCoder.of(OrderEvent.class)))
            .withCoordinates(OrderCoordinates.of(EnrichedOrder::getOrder))
            .withPrimitiveName("Map", "ParMultiDo(Anonymous)");
    PCollectionTuple keyed =
        windowed
            .get(windowOrders.windowedTag())
            .apply("KeyByCategoryAndCurrency", keyByCategoryAndCurrency);

    Guard<KV<KV<String, String>, OrderTotals>, CategoryRevenue> formatResults =
        Guard.of("FormatResults", new ToCategoryRevenueFn())
            .withOutputCoder(SpecificRecordCoder.of(CategoryRevenue.class))
            .withCoordinates(new WindowCoordinates())
            .withPrimitiveName("ParMultiDo(ToCategoryRevenue)");
    PCollectionTuple formatted =
        keyed
            .get(keyByCategoryAndCurrency.outputTag())
            .apply("SumRevenue", Combine.perKey(new OrderTotalsCombineFn()))
            .apply("FormatResults", formatResults);
    PCollection<CategoryRevenue> results = formatted.get(formatResults.outputTag());

    Guard<KV<EnrichedOrder, MissedWindow>, TooLateOrder> formatTooLate =
        Guard.map(
                "FormatTooLate",
                (KV<EnrichedOrder, MissedWindow> late) ->
                    TooLateOrder.newBuilder()
                        .setOrder(late.getKey().getOrder())
                        .setMissedWindow(late.getValue())
                        .build())
            .withOutputCoder(SpecificRecordCoder.of(TooLateOrder.class))
            .withCoordinates(OrderCoordinates.of(late -> late.getKey().getOrder()))
            .withPrimitiveName("Map", "ParMultiDo(Anonymous)");
    PCollectionTuple tooLateFormatted =
        windowed.get(windowOrders.tooLateTag()).apply("FormatTooLate", formatTooLate);
    PCollection<TooLateOrder> tooLate = tooLateFormatted.get(formatTooLate.outputTag());

    // Flatten has no state: more inputs keep its (and every other) operator's savepoint state.
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(undecodable)
            .and(enrichment.get(EnrichOrders.deadLettersTag()))
            .and(keyed.get(keyByCategoryAndCurrency.deadLetterTag()))
            .and(formatted.get(formatResults.deadLetterTag()))
            .and(tooLateFormatted.get(formatTooLate.deadLetterTag()))
            .apply("CollectDeadLetters", Flatten.pCollections());

    return PCollectionTuple.of(RESULTS, results)
        .and(ENRICHED, enriched)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, deadLetters)
        .and(CORRECTIONS, enrichment.get(EnrichOrders.correctionsTag()));
  }

  /** The key an order is summed under: its category and its currency. */
  static KV<String, String> categoryAndCurrency(EnrichedOrder order) {
    return KV.of(categoryOf(order), order.getOrder().getCurrency());
  }

  /** The category an order counts under. */
  static String categoryOf(EnrichedOrder order) {
    return order.getCategory() != null ? order.getCategory() : UNKNOWN_CATEGORY;
  }

  /**
   * Turns a key's totals in one window and pane into a result record.
   *
   * <p>A total that does not fit the record's {@code long} revenue throws {@link
   * TotalTooLargeException}, which the step's guard turns into a dead letter naming the window and
   * key (see {@link WindowCoordinates}): one per pane of that window, while the other windows and
   * keys are exact.
   *
   * <p>Drops the {@link EmptyFirstPanes empty first panes} the Flink runner emits when a stream
   * ends, counted as {@code spuriousEmptyPanes}.
   */
  static final class ToCategoryRevenueFn
      implements GuardedFn<KV<KV<String, String>, OrderTotals>, CategoryRevenue> {
    private static final long serialVersionUID = 1L;
    private static final EmptyFirstPanes<KV<KV<String, String>, OrderTotals>> NO_ORDERS =
        EmptyFirstPanes.where(totals -> totals.getValue().orderCount() == 0);
    private final Counter spuriousEmptyPanes =
        Metrics.counter(ComputeOrderRevenue.class, "spuriousEmptyPanes");

    @Override
    public void process(
        KV<KV<String, String>, OrderTotals> totals,
        GuardedFn.Context context,
        Consumer<CategoryRevenue> out)
        throws TotalTooLargeException {
      PaneInfo pane = context.pane();
      BoundedWindow window = context.window();
      if (NO_ORDERS.isSpurious(totals, pane)) {
        spuriousEmptyPanes.inc();
        return;
      }
      if (!totals.getValue().revenueFitsLong()) {
        throw new TotalTooLargeException(
            WindowCoordinates.describe(totals.getKey(), window), totals.getValue());
      }
      out.accept(
          CategoryRevenue.newBuilder()
              .setCategory(totals.getKey().getKey())
              .setCurrency(totals.getKey().getValue())
              .setWindowStart(java.time.Instant.ofEpochMilli(windowStart(window).getMillis()))
              .setWindowEnd(java.time.Instant.ofEpochMilli(window.maxTimestamp().getMillis() + 1))
              .setOrderCount(totals.getValue().orderCount())
              .setRevenueCents(totals.getValue().revenueCents().longValueExact())
              .setPaneTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .setFinalPane(pane.isLast())
              .build());
    }
  }

  /**
   * The start of a result's window: the interval's, or the beginning of time for the global one.
   */
  static Instant windowStart(BoundedWindow window) {
    return window instanceof IntervalWindow
        ? ((IntervalWindow) window).start()
        : BoundedWindow.TIMESTAMP_MIN_VALUE;
  }

  /**
   * A window's total revenue does not fit the result record's {@code long}: the window and key are
   * named, with the exact total, so nothing is silently wrong and the job goes on.
   */
  static final class TotalTooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    TotalTooLargeException(String windowAndKey, OrderTotals totals) {
      super(
          "the revenue of "
              + windowAndKey
              + " is "
              + totals.revenueCents()
              + " cents over "
              + totals.orderCount()
              + " orders, beyond revenue_cents (a long, at most "
              + Long.MAX_VALUE
              + ")");
    }
  }

  /**
   * The coordinates of a key's totals in a window: {@code system="window"}, {@code name=} {@code
   * <category> <currency> [<start>, <end>)}, the result's Kafka key ({@code
   * category|currency|window_start}) as key, and as payload a JSON object with the key, the window
   * and the exact totals (the revenue as a decimal string).
   */
  static final class WindowCoordinates
      implements ElementCoordinates<KV<KV<String, String>, OrderTotals>> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    static String describe(KV<String, String> key, BoundedWindow window) {
      return key.getKey() + " " + key.getValue() + " [" + start(window) + ", " + end(window) + ")";
    }

    private static java.time.Instant start(BoundedWindow window) {
      return java.time.Instant.ofEpochMilli(windowStart(window).getMillis());
    }

    private static java.time.Instant end(BoundedWindow window) {
      return java.time.Instant.ofEpochMilli(window.maxTimestamp().getMillis() + 1);
    }

    @Override
    public SourceRecord locate(KV<KV<String, String>, OrderTotals> totals, BoundedWindow window)
        throws JsonProcessingException {
      KV<String, String> key = totals.getKey();
      ObjectNode payload =
          JSON.createObjectNode()
              .put("category", key.getKey())
              .put("currency", key.getValue())
              .put("window_start", start(window).toString())
              .put("window_end", end(window).toString())
              .put("order_count", totals.getValue().orderCount())
              .put("revenue_cents", totals.getValue().revenueCents().toString());
      return SourceRecord.newBuilder()
          .setPosition(
              SourcePosition.newBuilder()
                  .setSystem("window")
                  .setName(describe(key, window))
                  .build())
          .setKey(
              ByteBuffer.wrap(
                  (key.getKey() + "|" + key.getValue() + "|" + start(window))
                      .getBytes(StandardCharsets.UTF_8)))
          .setPayload(ByteBuffer.wrap(JSON.writeValueAsBytes(payload)))
          .build();
    }
  }
}
