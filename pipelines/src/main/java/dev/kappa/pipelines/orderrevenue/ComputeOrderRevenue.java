package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.ProductRevenue;
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
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * OrderRevenue's logic, without its sources and sinks: raw order records in; revenue per product,
 * currency and window, too-late orders and dead letters out.
 *
 * <p>Steps (their names are stable: the Flink runner derives operator ids from them):
 *
 * <ol>
 *   <li>{@code DecodeOrders}: JSON lines or Avro single-object bytes of any OrderEvent version to
 *       the current schema, validated; failures to dead letters.
 *   <li>{@code AssignEventTime}: the order's {@code event_time} becomes its timestamp.
 *   <li>{@code WindowOrders}: windows, trigger and lateness from {@link Windowing}; orders later
 *       than the allowed lateness diverted.
 *   <li>{@code KeyByProductAndCurrency}, {@code SumRevenue}: order count and revenue per key and
 *       window, one result per pane.
 *   <li>{@code FormatResults}, {@code FormatTooLate}: the result records.
 * </ol>
 *
 * <p>Tests apply it to a TestStream; {@link OrderRevenue} wires it to real sources and sinks.
 */
@AutoValue
public abstract class ComputeOrderRevenue
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  private static final TupleTag<ProductRevenue> RESULTS = new TupleTag<>("results") {};
  private static final TupleTag<TooLateOrder> TOO_LATE = new TupleTag<>("tooLate") {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  public abstract Windowing windowing();

  /** Computes revenue with the given windowing. */
  public static ComputeOrderRevenue with(Windowing windowing) {
    return new AutoValue_ComputeOrderRevenue(checkNotNull(windowing, "windowing must be set"));
  }

  /** One result per (product, currency, window) and pane. */
  public static TupleTag<ProductRevenue> resultsTag() {
    return RESULTS;
  }

  /** Orders that arrived after their window's allowed lateness: not counted, not lost. */
  public static TupleTag<TooLateOrder> tooLateTag() {
    return TOO_LATE;
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

    WindowEvents<OrderEvent> windowOrders = WindowEvents.using(windowing());
    PCollectionTuple windowed = orders.apply("WindowOrders", windowOrders);

    PCollection<ProductRevenue> results =
        windowed
            .get(windowOrders.windowedTag())
            .apply(
                "KeyByProductAndCurrency",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(), TypeDescriptors.strings()),
                            TypeDescriptor.of(OrderEvent.class)))
                    .via(order -> KV.of(KV.of(order.getProductId(), order.getCurrency()), order)))
            .setCoder(
                KvCoder.of(
                    KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
                    AvroCoder.of(OrderEvent.class)))
            .apply("SumRevenue", Combine.perKey(new OrderTotalsCombineFn()))
            .apply("FormatResults", ParDo.of(new ToProductRevenueFn()))
            .setCoder(AvroCoder.of(ProductRevenue.class));

    PCollection<TooLateOrder> tooLate =
        windowed
            .get(windowOrders.tooLateTag())
            .apply(
                "FormatTooLate",
                MapElements.into(TypeDescriptor.of(TooLateOrder.class))
                    .via(
                        (KV<OrderEvent, MissedWindow> late) ->
                            TooLateOrder.newBuilder()
                                .setOrder(late.getKey())
                                .setMissedWindow(late.getValue())
                                .build()))
            .setCoder(AvroCoder.of(TooLateOrder.class));

    return PCollectionTuple.of(RESULTS, results)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, decoded.get(decode.deadLetterTag()));
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
  static final class ToProductRevenueFn
      extends DoFn<KV<KV<String, String>, OrderTotals>, ProductRevenue> {
    private static final long serialVersionUID = 1L;
    private final Counter spuriousEmptyPanes =
        Metrics.counter(ComputeOrderRevenue.class, "spuriousEmptyPanes");

    @ProcessElement
    public void process(
        @Element KV<KV<String, String>, OrderTotals> totals,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<ProductRevenue> out) {
      if (pane.getIndex() == 0 && totals.getValue().orderCount() == 0) {
        spuriousEmptyPanes.inc();
        return;
      }
      Instant start =
          window instanceof IntervalWindow
              ? ((IntervalWindow) window).start()
              : BoundedWindow.TIMESTAMP_MIN_VALUE;
      out.output(
          ProductRevenue.newBuilder()
              .setProductId(totals.getKey().getKey())
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
