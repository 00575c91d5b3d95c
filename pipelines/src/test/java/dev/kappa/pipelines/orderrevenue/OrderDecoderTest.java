package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderDecoder}'s reuse of the order it decoded for the event time: the same result as a
 * fresh decode, never the same object handed out twice, never another record's order.
 */
class OrderDecoderTest {
  private static final String FIRST =
      "{\"order_id\": \"O-1\", \"event_time\": \"2026-03-01T10:00:00Z\", \"customer_id\": \"C-1\","
          + " \"product_id\": \"P-100\", \"unit_price_cents\": 1499, \"quantity\": 4}";
  private static final String SECOND =
      "{\"order_id\": \"O-2\", \"event_time\": 1772359233000, \"customer_id\": \"C-2\","
          + " \"product_id\": \"P-104\", \"unit_price_cents\": 799, \"quantity\": 1}";
  private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);

  private final OrderDecoder decoder = new OrderDecoder();

  @Test
  void decodingAfterTheEventTimeGivesTheOrderAFreshDecodeGives() {
    SourceRecord record = record(FIRST);

    Instant eventTime = OrderDecoder.eventTime(record);
    // The check step reads a copy of the record: equal bytes, another buffer.
    Instant again = OrderDecoder.eventTime(SourceRecord.newBuilder(record).build());
    OrderEvent order = decoder.decode(record);

    assertThat(eventTime, equalTo(Instant.parse("2026-03-01T10:00:00Z")));
    assertThat(again, equalTo(eventTime));
    assertThat(order, equalTo(CODEC.decode(FIRST.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void anOrderIsHandedOutOnce() {
    SourceRecord record = record(FIRST);

    OrderDecoder.eventTime(record);
    OrderEvent first = decoder.decode(record);
    OrderEvent second = decoder.decode(record);

    assertThat(second, equalTo(first));
    assertThat(second, not(sameInstance(first)));
  }

  @Test
  void anotherRecordIsDecodedItself() {
    OrderDecoder.eventTime(record(FIRST));

    OrderEvent order = decoder.decode(record(SECOND));

    assertThat(order.getOrderId(), equalTo("O-2"));
    assertThat(
        OrderDecoder.eventTime(record(FIRST)), equalTo(Instant.parse("2026-03-01T10:00:00Z")));
    assertThat(decoder.decode(record(FIRST)).getOrderId(), equalTo("O-1"));
  }

  @Test
  void badBytesFailEveryReadWithTheSameError() {
    SourceRecord bad = record("{\"order_id\": \"O-3\", \"event_time\": ");

    RuntimeException forTime =
        assertThrows(RuntimeException.class, () -> OrderDecoder.eventTime(bad));
    RuntimeException forDecode = assertThrows(RuntimeException.class, () -> decoder.decode(bad));

    assertThat(forDecode.getClass(), equalTo(forTime.getClass()));
    assertThat(forDecode.getMessage(), equalTo(forTime.getMessage()));
    assertThat(decoder.decode(record(SECOND)).getOrderId(), containsString("O-2"));
  }

  private static SourceRecord record(String json) {
    return SourceRecord.newBuilder()
        .setPosition(SourcePosition.newBuilder().setSystem("file").setName("orders.jsonl").build())
        .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }
}
