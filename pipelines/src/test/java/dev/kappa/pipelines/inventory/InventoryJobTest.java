package dev.kappa.pipelines.inventory;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.TestIo;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.results.OversoldAlert;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.schemas.results.StockMinute;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole inventory job, built by the job layer with its sources replaced by one TestStream
 * (orders and inventory changes, split by position name) and every output captured. Each output is
 * asserted, for each lateness case.
 *
 * <p>The script, with 30 s of allowed lateness: orders O-1 (P-1, 2 units, 10:01), O-2 (P-1, 4
 * units, 10:02) and O-3 (P-2, 1 unit, 10:01) arrive <b>before</b> the stock changes that precede
 * them in event time (P-1 stocked with 5 and P-2 with 1 at 10:00), with a line that is not JSON and
 * a change that is not a valid row. The watermark passes 10:03: everything so far is applied in
 * event-time order (on time, out of order). O-4 (P-2, 10:02:45) then arrives 15 s behind the
 * watermark: late, within the lateness, still applied in order. P-1 is deleted at 10:04 and ordered
 * again at 10:06 (O-6, oversold, no inventory row). The watermark passes 10:10, and O-5 (P-1,
 * 10:05) arrives: too late, diverted.
 */
@ExtendWith(TestPipelineExtension.class)
class InventoryJobTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final AtomicLong OFFSET = new AtomicLong();

  private static Instant at(int minutes, int seconds) {
    return T0.plus(Duration.standardMinutes(minutes)).plus(Duration.standardSeconds(seconds));
  }

  private static TimestampedValue<SourceRecord> record(String name, String json, Instant time) {
    return TimestampedValue.of(
        SourceRecord.newBuilder()
            .setPosition(
                SourcePosition.newBuilder()
                    .setSystem("test")
                    .setName(name)
                    .setOffset(OFFSET.incrementAndGet())
                    .build())
            .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
            .build(),
        time);
  }

  private static TimestampedValue<SourceRecord> order(
      String id, String product, int quantity, Instant time) {
    return record(
        "orders",
        String.format(
            "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"%s\",\"quantity\":%d,"
                + "\"unit_price_cents\":1000,\"event_time\":\"%s\"}",
            id, product, quantity, time),
        time);
  }

  private static TimestampedValue<SourceRecord> stock(String product, long quantity, Instant at) {
    return record(
        "inventory",
        String.format(
            "{\"before\":null,\"after\":{\"product_id\":\"%s\",\"quantity\":%d,"
                + "\"updated_at\":\"%s\"},\"source\":{\"table\":\"inventory\",\"ts_ms\":%d},"
                + "\"op\":\"u\",\"ts_ms\":%d}",
            product, quantity, at, at.getMillis(), at.getMillis()),
        at);
  }

  /** A change of one transaction: its commit time {@code at}, its place in the log {@code lsn}. */
  private static TimestampedValue<SourceRecord> stock(
      String product, long quantity, Instant at, long lsn) {
    return record(
        "inventory",
        String.format(
            "{\"before\":null,\"after\":{\"product_id\":\"%s\",\"quantity\":%d,"
                + "\"updated_at\":\"%s\"},\"source\":{\"table\":\"inventory\",\"ts_ms\":%d,"
                + "\"lsn\":%d},\"op\":\"u\",\"ts_ms\":%d}",
            product, quantity, at, at.getMillis(), lsn, at.getMillis()),
        at);
  }

  private static TimestampedValue<SourceRecord> delete(String product, Instant at, long lsn) {
    return record(
        "inventory",
        String.format(
            "{\"before\":{\"product_id\":\"%s\",\"quantity\":0,\"updated_at\":\"%s\"},"
                + "\"after\":null,\"source\":{\"table\":\"inventory\",\"ts_ms\":%d,"
                + "\"lsn\":%d},\"op\":\"d\",\"ts_ms\":%d}",
            product, at, at.getMillis(), lsn, at.getMillis()),
        at);
  }

  private static TimestampedValue<SourceRecord> delete(String product, Instant at) {
    return record(
        "inventory",
        String.format(
            "{\"before\":{\"product_id\":\"%s\",\"quantity\":0,\"updated_at\":\"%s\"},"
                + "\"after\":null,\"source\":{\"table\":\"inventory\",\"ts_ms\":%d},"
                + "\"op\":\"d\",\"ts_ms\":%d}",
            product, at, at.getMillis(), at.getMillis()),
        at);
  }

  private static final SerializableFunction<StockLevel, String> LEVEL =
      l ->
          String.format(
              "%s %s %s%s %d: %d -> %d %s",
              l.getProductId(),
              time(l.getEventTime()),
              l.getCause(),
              l.getOrderId() == null ? "" : " " + l.getOrderId(),
              l.getQuantity(),
              l.getLevelBefore(),
              l.getLevel(),
              l.getStocked() ? "stocked" : "unstocked");

  private static final SerializableFunction<OversoldAlert, String> ALERT =
      a ->
          String.format(
              "%s %s %s shortfall %d%s",
              a.getAlert(),
              a.getProductId(),
              a.getOrderId(),
              a.getShortfall(),
              a.getProductStocked() ? "" : " (no row)");

  private static final SerializableFunction<StockEvent, String> TOO_LATE =
      e ->
          e.getKind()
              + " "
              + e.getProductId()
              + " "
              + (e.getOrder() == null ? "" : e.getOrder().getOrderId() + " ")
              + time(e.getEventTime());

  private static final SerializableFunction<DeadLetter, String> DEAD_LETTER =
      d -> d.getStep() + " " + d.getPosition().getName();

  private static TestStream<SourceRecord> script() {
    return TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
        .advanceWatermarkTo(at(-60, 0))
        .addElements(
            order("O-1", "P-1", 2, at(1, 0)),
            order("O-2", "P-1", 4, at(2, 0)),
            order("O-3", "P-2", 1, at(1, 0)),
            record("orders", "{not json", at(1, 0)))
        .addElements(
            stock("P-1", 5, at(0, 0)),
            stock("P-2", 1, at(0, 0)),
            record(
                "inventory",
                "{\"op\":\"u\",\"after\":{\"product_id\":\"P-3\"},"
                    + "\"source\":{\"table\":\"inventory\",\"ts_ms\":1772359200000}}",
                at(0, 0)))
        .advanceWatermarkTo(at(3, 0))
        .addElements(order("O-4", "P-2", 1, at(2, 45)))
        .addElements(delete("P-1", at(4, 0)), order("O-6", "P-1", 1, at(6, 0)))
        .advanceWatermarkTo(at(10, 0))
        .addElements(order("O-5", "P-1", 1, at(5, 0)))
        .advanceWatermarkToInfinity();
  }

  private static final SerializableFunction<StockMinute, String> MINUTE =
      m ->
          String.format(
              "%s %s level %d orders %d units %d changes %d oversold %d",
              m.getProductId(),
              time(m.getMinuteStart()),
              m.getLevel(),
              m.getOrders(),
              m.getUnitsOrdered(),
              m.getChanges(),
              m.getOversoldOrders());

  /**
   * The job over {@code script} with 30 s of ordering lateness and every output captured (history
   * to a target and a table as well).
   */
  private static TestIo build(TestPipeline p, TestStream<SourceRecord> script) {
    Inventory.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--inventoryChanges=never-read.jsonl",
                "--orderingLateness=PT30S",
                "--historyOutput=console",
                "--levelsTable=stock_levels",
                "--historyTable=stock_history",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/never-contacted")
            .as(Inventory.Options.class);
    TestIo io =
        TestIo.reading(script)
            .route("ReadOrders", "orders")
            .route("ReadInventoryChanges", "inventory");
    JobRunner.build(new Inventory(), p, options, io);
    return io;
  }

  /**
   * Asserts the levels, alerts, history rows and too-late events of {@code io}, no dead letters.
   */
  private static void assertOutputs(
      TestIo io,
      List<String> levels,
      List<String> alerts,
      List<String> minutes,
      List<String> tooLate) {
    PAssert.that(described(io.output("WriteLevels"), "DescribeLevels", LEVEL))
        .containsInAnyOrder(levels);
    PAssert.that(described(io.output("UpsertLevels"), "DescribeUpsertedLevels", LEVEL))
        .containsInAnyOrder(levels);
    PAssert.that(described(io.<OversoldAlert>output("WriteAlerts"), "DescribeAlerts", ALERT))
        .containsInAnyOrder(alerts);
    PAssert.that(described(io.output("WriteHistory"), "DescribeHistory", MINUTE))
        .containsInAnyOrder(minutes);
    PAssert.that(described(io.output("UpsertHistory"), "DescribeUpsertedHistory", MINUTE))
        .containsInAnyOrder(minutes);
    PAssert.that(described(io.<StockEvent>output("WriteTooLate"), "DescribeTooLate", TOO_LATE))
        .containsInAnyOrder(tooLate);
    PAssert.that(
            described(
                io.<DeadLetter>output("WriteDeadLetters"), "DescribeDeadLetters", DEAD_LETTER))
        .empty();
  }

  private static <T> PCollection<String> described(
      PCollection<T> records, String name, SerializableFunction<T, String> describe) {
    return records.apply(name, MapElements.into(TypeDescriptors.strings()).via(describe));
  }

  private static String time(java.time.Instant instant) {
    return instant.toString().substring(11, 19);
  }

  @Test
  void everyOutputOfTheJobForEachLatenessCase(TestPipeline p) {
    Inventory.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--inventoryChanges=never-read.jsonl",
                "--orderingLateness=PT30S",
                "--historyOutput=console",
                "--levelsTable=stock_levels",
                "--historyTable=stock_history",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/never-contacted")
            .as(Inventory.Options.class);
    TestIo io =
        TestIo.reading(script())
            .route("ReadOrders", "orders")
            .route("ReadInventoryChanges", "inventory");

    JobRunner.build(new Inventory(), p, options, io);

    List<String> levels =
        List.of(
            "P-1 10:00:00 RESTOCK 5: 0 -> 5 stocked",
            "P-1 10:01:00 ORDER O-1 2: 5 -> 3 stocked",
            "P-1 10:02:00 ORDER O-2 4: 3 -> -1 stocked",
            "P-1 10:04:00 DELETE 0: -1 -> 0 unstocked",
            "P-1 10:06:00 ORDER O-6 1: 0 -> -1 unstocked",
            "P-2 10:00:00 RESTOCK 1: 0 -> 1 stocked",
            "P-2 10:01:00 ORDER O-3 1: 1 -> 0 stocked",
            "P-2 10:02:45 ORDER O-4 1: 0 -> -1 stocked");
    PAssert.that(described(io.output("WriteLevels"), "DescribeLevels", LEVEL))
        .containsInAnyOrder(levels);
    PAssert.that(described(io.output("UpsertLevels"), "DescribeUpsertedLevels", LEVEL))
        .containsInAnyOrder(levels);
    PAssert.that(described(io.<OversoldAlert>output("WriteAlerts"), "DescribeAlerts", ALERT))
        .containsInAnyOrder(
            "OVERSOLD P-1 O-2 shortfall 1",
            "OVERSOLD P-2 O-4 shortfall 1",
            "OVERSOLD P-1 O-6 shortfall 1 (no row)");
    List<String> minutes =
        List.of(
            "P-1 10:00:00 level 5 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level 3 orders 1 units 2 changes 0 oversold 0",
            "P-1 10:02:00 level -1 orders 1 units 4 changes 0 oversold 1",
            "P-1 10:04:00 level 0 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:06:00 level -1 orders 1 units 1 changes 0 oversold 1",
            "P-2 10:00:00 level 1 orders 0 units 0 changes 1 oversold 0",
            "P-2 10:01:00 level 0 orders 1 units 1 changes 0 oversold 0",
            "P-2 10:02:00 level -1 orders 1 units 1 changes 0 oversold 1");
    SerializableFunction<StockMinute, String> minute =
        m ->
            String.format(
                "%s %s level %d orders %d units %d changes %d oversold %d",
                m.getProductId(),
                time(m.getMinuteStart()),
                m.getLevel(),
                m.getOrders(),
                m.getUnitsOrdered(),
                m.getChanges(),
                m.getOversoldOrders());
    PAssert.that(described(io.output("WriteHistory"), "DescribeHistory", minute))
        .containsInAnyOrder(minutes);
    PAssert.that(described(io.output("UpsertHistory"), "DescribeUpsertedHistory", minute))
        .containsInAnyOrder(minutes);
    PAssert.that(described(io.<StockEvent>output("WriteTooLate"), "DescribeTooLate", TOO_LATE))
        .containsInAnyOrder("ORDER P-1 O-5 10:05:00");
    PAssert.that(
            described(
                io.<DeadLetter>output("WriteDeadLetters"), "DescribeDeadLetters", DEAD_LETTER))
        .containsInAnyOrder("DecodeOrders orders", "DecodeInventoryChanges inventory");

    p.run().waitUntilFinish();
  }

  /**
   * The boundary of {@code --orderingLateness} (30 s): an order at 10:01 is applied when the
   * watermark passes 10:01:30, not before. With the watermark exactly at 10:01:30 a restock at the
   * order's millisecond still comes (the tie rule puts it first) and the order is served; once the
   * watermark has passed 10:01:30, another order at 10:01 is too late, diverted, never applied.
   */
  @Test
  void anOrderIsAppliedWhenTheWatermarkPassesItsTimePlusTheLatenessNotBefore(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 1, at(0, 0)), order("O-1", "P-1", 2, at(1, 0)))
            .advanceWatermarkTo(at(1, 30))
            .addElements(stock("P-1", 5, at(1, 0)))
            .advanceWatermarkTo(at(1, 30).plus(Duration.millis(2)))
            .addElements(order("O-2", "P-1", 1, at(1, 0)))
            .advanceWatermarkToInfinity();
    Inventory.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--inventoryChanges=never-read.jsonl",
                "--orderingLateness=PT30S")
            .as(Inventory.Options.class);
    TestIo io =
        TestIo.reading(script)
            .route("ReadOrders", "orders")
            .route("ReadInventoryChanges", "inventory");

    JobRunner.build(new Inventory(), p, options, io);

    PAssert.that(described(io.output("WriteLevels"), "DescribeLevels", LEVEL))
        .containsInAnyOrder(
            "P-1 10:00:00 RESTOCK 1: 0 -> 1 stocked",
            "P-1 10:01:00 RESTOCK 5: 1 -> 5 stocked",
            "P-1 10:01:00 ORDER O-1 2: 5 -> 3 stocked");
    PAssert.that(described(io.<OversoldAlert>output("WriteAlerts"), "DescribeAlerts", ALERT))
        .empty();
    PAssert.that(described(io.<StockEvent>output("WriteTooLate"), "DescribeTooLate", TOO_LATE))
        .containsInAnyOrder("ORDER P-1 O-2 10:01:00");
    PAssert.that(
            described(
                io.<DeadLetter>output("WriteDeadLetters"), "DescribeDeadLetters", DEAD_LETTER))
        .empty();

    p.run().waitUntilFinish();
  }

  /**
   * Two copies of one order (a producer's retry) in the last millisecond of a minute: both are
   * applied, one after the other, and the minute's level is the one after the second, whichever
   * copy arrived first (the tie rule finds them equal; the lower level is the later one).
   */
  @Test
  void twoCopiesOfOneOrderInTheLastMillisecondOfAMinute(TestPipeline p) {
    Instant last = at(2, 0).minus(Duration.millis(1));
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 3, at(0, 0)), order("O-1", "P-1", 1, at(1, 0)))
            .addElements(order("O-2", "P-1", 1, last), order("O-2", "P-1", 1, last))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 3: 0 -> 3 stocked",
            "P-1 10:01:00 ORDER O-1 1: 3 -> 2 stocked",
            "P-1 10:01:59 ORDER O-2 1: 2 -> 1 stocked",
            "P-1 10:01:59 ORDER O-2 1: 1 -> 0 stocked"),
        List.of(),
        List.of(
            "P-1 10:00:00 level 3 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level 0 orders 3 units 3 changes 0 oversold 0"),
        List.of());
    p.run().waitUntilFinish();
  }

  /** The same with the level going below zero: only the second copy is oversold. */
  @Test
  void twoCopiesOfOneOrderInTheLastMillisecondOfAMinuteOverselling(TestPipeline p) {
    Instant last = at(2, 0).minus(Duration.millis(1));
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(order("O-2", "P-1", 2, last))
            .addElements(stock("P-1", 3, at(0, 0)))
            .addElements(order("O-2", "P-1", 2, last))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 3: 0 -> 3 stocked",
            "P-1 10:01:59 ORDER O-2 2: 3 -> 1 stocked",
            "P-1 10:01:59 ORDER O-2 2: 1 -> -1 stocked"),
        List.of("OVERSOLD P-1 O-2 shortfall 1"),
        List.of(
            "P-1 10:00:00 level 3 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level -1 orders 2 units 4 changes 0 oversold 1"),
        List.of());
    p.run().waitUntilFinish();
  }

  /**
   * The changes of one transaction share their commit time and are applied in the order of the
   * change stream ({@code source.lsn}), not in arrival order nor by kind or quantity: P-1 deleted
   * and inserted again (the insert arrives first) stays stocked; P-2 updated 10 -> 8 -> 5 (the 5
   * arrives first) ends at 5, so its order for 6 is oversold.
   */
  @Test
  void changesOfOneTransactionAreAppliedInTheStreamsOrder(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 6, at(0, 0), 100), stock("P-2", 10, at(0, 0), 116))
            .addElements(stock("P-1", 4, at(1, 0), 148), stock("P-2", 5, at(1, 0), 180))
            .addElements(delete("P-1", at(1, 0), 132), stock("P-2", 8, at(1, 0), 164))
            .addElements(order("O-1", "P-1", 1, at(1, 30)), order("O-2", "P-2", 6, at(1, 30)))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 6: 0 -> 6 stocked",
            "P-1 10:01:00 DELETE 0: 6 -> 0 unstocked",
            "P-1 10:01:00 RESTOCK 4: 0 -> 4 stocked",
            "P-1 10:01:30 ORDER O-1 1: 4 -> 3 stocked",
            "P-2 10:00:00 RESTOCK 10: 0 -> 10 stocked",
            "P-2 10:01:00 CORRECTION 8: 10 -> 8 stocked",
            "P-2 10:01:00 CORRECTION 5: 8 -> 5 stocked",
            "P-2 10:01:30 ORDER O-2 6: 5 -> -1 stocked"),
        List.of("OVERSOLD P-2 O-2 shortfall 1"),
        List.of(
            "P-1 10:00:00 level 6 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level 3 orders 1 units 1 changes 2 oversold 0",
            "P-2 10:00:00 level 10 orders 0 units 0 changes 1 oversold 0",
            "P-2 10:01:00 level -1 orders 1 units 6 changes 2 oversold 1"),
        List.of());
    p.run().waitUntilFinish();
  }

  /**
   * A minute fires when the watermark passes its end (on time), and again (accumulating) when a
   * late order of that minute is applied, within the lateness: both panes are in the history
   * outputs, the second with the late order; upserted, the second wins.
   */
  @Test
  void aMinuteFiresOnTimeAndAgainForALateOrder(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 10, at(0, 0)), order("O-1", "P-1", 1, at(1, 10)))
            .advanceWatermarkTo(at(2, 10))
            .addElements(order("O-2", "P-1", 2, at(1, 50)))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 10: 0 -> 10 stocked",
            "P-1 10:01:10 ORDER O-1 1: 10 -> 9 stocked",
            "P-1 10:01:50 ORDER O-2 2: 9 -> 7 stocked"),
        List.of(),
        List.of(
            "P-1 10:00:00 level 10 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level 9 orders 1 units 1 changes 0 oversold 0",
            "P-1 10:01:00 level 7 orders 2 units 3 changes 0 oversold 0"),
        List.of());
    p.run().waitUntilFinish();
  }

  /**
   * A stock change that arrives behind the watermark (20 s) but within the lateness (30 s) is still
   * applied in order: before the order after it, which arrived first and was waiting.
   */
  @Test
  void aLateStockChangeWithinTheLatenessIsAppliedInOrder(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 1, at(0, 0)), order("O-1", "P-1", 3, at(1, 10)))
            .advanceWatermarkTo(at(1, 20))
            .addElements(stock("P-1", 10, at(1, 0)))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 1: 0 -> 1 stocked",
            "P-1 10:01:00 RESTOCK 10: 1 -> 10 stocked",
            "P-1 10:01:10 ORDER O-1 3: 10 -> 7 stocked"),
        List.of(),
        List.of(
            "P-1 10:00:00 level 1 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level 7 orders 1 units 3 changes 1 oversold 0"),
        List.of());
    p.run().waitUntilFinish();
  }

  /**
   * A stock change that arrives after the watermark has passed its time plus the lateness (and
   * after the order after it was applied) is too late: diverted, never applied; the order keeps the
   * level it had, oversold.
   */
  @Test
  void aTooLateStockChangeIsDivertedNotApplied(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(at(-60, 0))
            .addElements(stock("P-1", 1, at(0, 0)), order("O-1", "P-1", 3, at(1, 10)))
            .advanceWatermarkTo(at(3, 0))
            .addElements(stock("P-1", 10, at(1, 0)))
            .advanceWatermarkToInfinity();

    TestIo io = build(p, script);

    assertOutputs(
        io,
        List.of(
            "P-1 10:00:00 RESTOCK 1: 0 -> 1 stocked", "P-1 10:01:10 ORDER O-1 3: 1 -> -2 stocked"),
        List.of("OVERSOLD P-1 O-1 shortfall 2"),
        List.of(
            "P-1 10:00:00 level 1 orders 0 units 0 changes 1 oversold 0",
            "P-1 10:01:00 level -2 orders 1 units 3 changes 0 oversold 1"),
        List.of("SET P-1 10:01:00"));
    p.run().waitUntilFinish();
  }
}
