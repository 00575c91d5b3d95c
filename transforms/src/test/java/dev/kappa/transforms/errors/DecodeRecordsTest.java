package dev.kappa.transforms.errors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DecodeRecords} on the Direct runner with a small CSV decoder: good records come out
 * decoded, every bad one as a dead letter that keeps its bytes, position and error.
 */
@ExtendWith(TestPipelineExtension.class)
class DecodeRecordsTest {
  private static final String STEP = "DecodeOrders";
  private static final String GOOD_1 = "o1,c1,p1,2,150,2026-01-01T00:01:00Z";
  private static final String GOOD_2 = "o2,c2,p1,1,1000,2026-01-01T00:02:00Z";
  private static final String TOO_FEW_FIELDS = "o3,c3,p1,2";
  private static final String BAD_QUANTITY = "o4,c4,p1,two,150,2026-01-01T00:04:00Z";

  /** Decodes {@code order_id,customer_id,product_id,quantity,unit_price_cents,event_time}. */
  static final class CsvOrderDecoder implements RecordDecoder<OrderEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public OrderEvent decode(SourceRecord record) {
      String text = UTF_8.decode(record.getPayload().duplicate()).toString();
      if (text.isEmpty()) {
        return null; // breaks the RecordDecoder contract; DecodeRecords must still catch it
      }
      if (text.equals("?")) {
        throw new UnsupportedOperationException(); // an error without a message
      }
      String[] fields = text.split(",", -1);
      if (fields.length != 6) {
        throw new IllegalArgumentException("expected 6 fields, got " + fields.length);
      }
      return order(
          fields[0],
          fields[1],
          fields[2],
          Integer.parseInt(fields[3]),
          Long.parseLong(fields[4]),
          java.time.Instant.parse(fields[5]));
    }
  }

  private static OrderEvent order(
      String id,
      String customer,
      String product,
      int quantity,
      long unitPriceCents,
      java.time.Instant eventTime) {
    return OrderEvent.newBuilder()
        .setOrderId(id)
        .setCustomerId(customer)
        .setProductId(product)
        .setQuantity(quantity)
        .setUnitPriceCents(unitPriceCents)
        .setEventTime(eventTime)
        .build();
  }

  private static SourceRecord record(long line, String payload) {
    return SourceRecord.newBuilder()
        .setPosition(position(line))
        .setKey(ByteBuffer.wrap(("key-" + line).getBytes(UTF_8)))
        .setPayload(ByteBuffer.wrap(payload.getBytes(UTF_8)))
        .build();
  }

  private static SourcePosition position(long line) {
    return SourcePosition.newBuilder()
        .setSystem("file")
        .setName("orders.csv")
        .setPartition(null)
        .setOffset(line)
        .build();
  }

  private static String text(ByteBuffer bytes) {
    return bytes == null ? "null" : UTF_8.decode(bytes.duplicate()).toString();
  }

  /** A dead letter without its stack trace and time, which are checked separately. */
  private static String describe(DeadLetter letter) {
    return letter.getStep()
        + " | "
        + letter.getPosition().getName()
        + ":"
        + letter.getPosition().getOffset()
        + " | key "
        + text(letter.getKey())
        + " | payload '"
        + text(letter.getPayload())
        + "' | "
        + letter.getErrorClass()
        + ": "
        + letter.getErrorMessage();
  }

  private static DecodeRecords<OrderEvent> decodeOrders() {
    return DecodeRecords.using(new CsvOrderDecoder(), SpecificRecordCoder.of(OrderEvent.class))
        .withStepName(STEP);
  }

  @Test
  void decodesGoodRecordsAndTurnsEveryBadOneIntoADeadLetter(TestPipeline p) {
    long startMillis = System.currentTimeMillis();
    DecodeRecords<OrderEvent> decode = decodeOrders();
    PCollectionTuple result =
        p.apply(
                Create.of(
                        record(1, GOOD_1),
                        record(2, TOO_FEW_FIELDS),
                        record(3, GOOD_2),
                        record(4, BAD_QUANTITY),
                        record(5, ""),
                        record(6, "?"))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, decode);
    PCollection<DeadLetter> deadLetters = result.get(decode.deadLetterTag());

    PAssert.that(result.get(decode.decodedTag()))
        .containsInAnyOrder(
            order("o1", "c1", "p1", 2, 150, java.time.Instant.parse("2026-01-01T00:01:00Z")),
            order("o2", "c2", "p1", 1, 1000, java.time.Instant.parse("2026-01-01T00:02:00Z")));
    PAssert.that(
            deadLetters.apply(
                MapElements.into(TypeDescriptors.strings()).via(DecodeRecordsTest::describe)))
        .containsInAnyOrder(
            "DecodeOrders | orders.csv:2 | key key-2 | payload 'o3,c3,p1,2' |"
                + " java.lang.IllegalArgumentException: expected 6 fields, got 4",
            "DecodeOrders | orders.csv:4 | key key-4 | payload '"
                + BAD_QUANTITY
                + "' | java.lang.NumberFormatException: For input string: \"two\"",
            "DecodeOrders | orders.csv:5 | key key-5 | payload '' |"
                + " java.lang.IllegalStateException: the decoder returned null",
            "DecodeOrders | orders.csv:6 | key key-6 | payload '?' |"
                + " java.lang.UnsupportedOperationException: UnsupportedOperationException");
    PAssert.that(deadLetters)
        .satisfies(
            letters -> {
              long endMillis = System.currentTimeMillis();
              for (DeadLetter letter : letters) {
                assertThat(
                    letter.getPosition(), equalTo(position(letter.getPosition().getOffset())));
                assertThat(letter.getStackTrace(), startsWith(letter.getErrorClass()));
                assertThat(letter.getStackTrace(), containsString("\tat "));
                assertThat(letter.getFailedAt().toEpochMilli(), greaterThanOrEqualTo(startMillis));
                assertThat(letter.getFailedAt().toEpochMilli(), lessThanOrEqualTo(endMillis));
              }
              return null;
            });
    PipelineResult run = p.run();

    assertThat(counter(run, "decoded"), equalTo(2L));
    assertThat(counter(run, "deadLetters"), equalTo(4L));
  }

  @Test
  void theStackTraceShowsWhereDecodingFailed(TestPipeline p) {
    DecodeRecords<OrderEvent> decode = decodeOrders();
    PCollection<DeadLetter> deadLetters =
        p.apply(
                Create.of(record(1, BAD_QUANTITY))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, decode)
            .get(decode.deadLetterTag());

    PAssert.thatSingleton(deadLetters)
        .satisfies(
            letter -> {
              assertThat(
                  letter.getStackTrace(),
                  startsWith("java.lang.NumberFormatException: For input string: \"two\""));
              assertThat(
                  letter.getStackTrace(),
                  containsString(CsvOrderDecoder.class.getName() + ".decode"));
              assertThat(text(letter.getPayload()), equalTo(BAD_QUANTITY));
              return null;
            });
    p.run();
  }

  @Test
  void decodedValuesKeepTheirRecordsTimestamps(TestPipeline p) {
    Instant noon = Instant.parse("2026-01-01T12:00:00Z");
    DecodeRecords<OrderEvent> decode = decodeOrders();
    PCollection<OrderEvent> decoded =
        p.apply(
                Create.timestamped(List.of(TimestampedValue.of(record(1, GOOD_1), noon)))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(STEP, decode)
            .get(decode.decodedTag());

    PAssert.that(decoded.apply(Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(
                order("o1", "c1", "p1", 2, 150, java.time.Instant.parse("2026-01-01T00:01:00Z")),
                noon));
    assertThat(decoded.getCoder(), equalTo(SpecificRecordCoder.of(OrderEvent.class)));
    p.run();
  }

  @Test
  void namesEachBadArgument() {
    SpecificRecordCoder<OrderEvent> coder = SpecificRecordCoder.of(OrderEvent.class);

    assertThat(
        assertThrows(NullPointerException.class, () -> DecodeRecords.using(null, coder))
            .getMessage(),
        equalTo("decoder must be set"));
    assertThat(
        assertThrows(
                NullPointerException.class,
                () -> DecodeRecords.<OrderEvent>using(new CsvOrderDecoder(), null))
            .getMessage(),
        equalTo("coder must be set"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> decodeOrders().withStepName(" "))
            .getMessage(),
        equalTo("step name must not be blank, was  "));
    assertThat(
        DecodeRecords.using(new CsvOrderDecoder(), coder).stepName(), equalTo("DecodeRecords"));
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder().addNameFilter(MetricNameFilter.named(STEP, name)).build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
