package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.results.StockCause;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.schemas.results.StockMinute;
import java.util.Comparator;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * A product's stock history per event-time minute: its level after the minute's last event, and how
 * many orders, units, changes and oversold orders the minute had.
 *
 * <p>Levels come in at their event's time, and {@link OrderedByEventTime
 * dev.kappa.transforms.ordered.OrderedByEventTime} holds the watermark at the earliest event it
 * still waits for, so a minute closes (its on-time pane) once every event in it has been applied.
 * An event that arrived behind the watermark but within the allowed lateness is applied after the
 * watermark has passed its minute: that minute then fires again with the late level (accumulating
 * panes; upserted, the last pane wins). Minutes stay open for the allowed lateness plus one minute
 * for that; the last pane of each minute is the backfill's answer.
 */
final class SummarizeMinutes
    extends PTransform<PCollection<KV<StockEvent, StockLevel>>, PCollection<StockMinute>> {
  private static final long serialVersionUID = 1L;

  private static final StockEventOrder TIE_RULE = new StockEventOrder();

  /**
   * The order in which a product's levels were computed: by time, then by the job's tie rule
   * ({@link StockEventOrder}) on the events they follow; where that rule finds two events equal
   * (two copies of one order in one millisecond, applied one after the other in arrival order), the
   * lower level is the later one: an order only takes stock away. Total, so the minute's last level
   * does not depend on which copy arrived first.
   */
  static final Comparator<KV<StockEvent, StockLevel>> APPLIED =
      Comparator.<KV<StockEvent, StockLevel>, java.time.Instant>comparing(
              applied -> applied.getValue().getEventTime())
          .thenComparing(KV::getKey, TIE_RULE)
          .thenComparing(applied -> applied.getValue().getLevel(), Comparator.<Long>reverseOrder());

  private final Duration allowedLateness;

  private SummarizeMinutes(Duration allowedLateness) {
    this.allowedLateness = allowedLateness;
  }

  static SummarizeMinutes withAllowedLateness(Duration allowedLateness) {
    return new SummarizeMinutes(allowedLateness);
  }

  @Override
  public PCollection<StockMinute> expand(PCollection<KV<StockEvent, StockLevel>> levels) {
    return levels
        .apply(
            "WindowLevelsByMinute",
            Window.<KV<StockEvent, StockLevel>>into(FixedWindows.of(Duration.standardMinutes(1)))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(
                    allowedLateness.plus(Duration.standardMinutes(1)),
                    Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
                .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                .accumulatingFiredPanes())
        .apply("KeyLevelsByProduct", ParDo.of(new KeyByProductFn()))
        .setCoder(
            KvCoder.of(
                StringUtf8Coder.of(),
                KvCoder.of(
                    SpecificRecordCoder.of(StockEvent.class),
                    SpecificRecordCoder.of(StockLevel.class))))
        .apply("GroupLevelsByMinute", GroupByKey.create())
        .apply("SummarizeEachMinute", ParDo.of(new SummarizeFn()))
        .setCoder(SpecificRecordCoder.of(StockMinute.class));
  }

  static final class KeyByProductFn
      extends DoFn<KV<StockEvent, StockLevel>, KV<String, KV<StockEvent, StockLevel>>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<StockEvent, StockLevel> applied,
        OutputReceiver<KV<String, KV<StockEvent, StockLevel>>> out) {
      out.output(KV.of(applied.getValue().getProductId(), applied));
    }
  }

  static final class SummarizeFn
      extends DoFn<KV<String, Iterable<KV<StockEvent, StockLevel>>>, StockMinute> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<KV<StockEvent, StockLevel>>> minute,
        IntervalWindow window,
        OutputReceiver<StockMinute> out) {
      KV<StockEvent, StockLevel> lastApplied = null;
      long orders = 0;
      long units = 0;
      long changes = 0;
      long oversold = 0;
      for (KV<StockEvent, StockLevel> applied : minute.getValue()) {
        if (lastApplied == null || APPLIED.compare(applied, lastApplied) > 0) {
          lastApplied = applied;
        }
        StockLevel level = applied.getValue();
        if (level.getCause() == StockCause.ORDER) {
          orders++;
          units += level.getQuantity();
          if (level.getLevel() < 0) {
            oversold++;
          }
        } else {
          changes++;
        }
      }
      if (lastApplied == null) {
        return; // an empty pane: the runner may fire one at the end of a window
      }
      out.output(
          StockMinute.newBuilder()
              .setProductId(minute.getKey())
              .setMinuteStart(java.time.Instant.ofEpochMilli(window.start().getMillis()))
              .setMinuteEnd(java.time.Instant.ofEpochMilli(window.end().getMillis()))
              .setLevel(lastApplied.getValue().getLevel())
              .setOrders(orders)
              .setUnitsOrdered(units)
              .setChanges(changes)
              .setOversoldOrders(oversold)
              .build());
    }
  }
}
