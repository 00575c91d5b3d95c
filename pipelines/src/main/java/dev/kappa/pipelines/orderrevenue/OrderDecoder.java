package dev.kappa.pipelines.orderrevenue;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.validation.OrderEvents;
import dev.kappa.transforms.errors.RecordDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.joda.time.Instant;

/**
 * Decodes an order record (Avro single-object bytes of any OrderEvent version, or a JSON line) and
 * rejects orders that break the domain rules, naming every broken rule.
 *
 * <p><b>One decode per record where the steps are chained.</b> The same bytes are read up to three
 * times in a row: by the source for the event time (Kafka and replay sources), by {@code
 * CheckOrdersEventTimes} for the event time again, and by {@code DecodeOrders}. Each thread keeps
 * the last order it decoded with its bytes ({@link LastDecoded}); a later read of equal bytes on
 * that thread reuses it, and {@link #decode} takes it, so no order object is handed out twice.
 * Flink's streaming translation chains these steps on one thread, so there each record should be
 * decoded once (not measured yet). Its batch translation runs each ParDo as a task of its own, on
 * another thread: there the cache misses and the record is decoded again, with the same result.
 * Decoding is a function of the bytes alone, so reuse changes no result; bytes that fail to decode
 * are not kept, and fail again where the dead letter is made.
 */
final class OrderDecoder implements RecordDecoder<OrderEvent> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);

  @Override
  public OrderEvent decode(SourceRecord record) {
    OrderEvent order = LastDecoded.take(record.getPayload());
    List<String> violations = OrderEvents.validate(order);
    if (!violations.isEmpty()) {
      throw new InvalidOrderException(order.getOrderId(), violations);
    }
    return order;
  }

  /** The event time of the order in {@code record}; throws if the record can't be decoded. */
  static Instant eventTime(SourceRecord record) {
    return new Instant(LastDecoded.peek(record.getPayload()).getEventTime().toEpochMilli());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  /** An order that decoded but breaks one or more domain rules. */
  static final class InvalidOrderException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidOrderException(String orderId, List<String> violations) {
      super("order " + orderId + " is invalid: " + String.join("; ", violations));
    }
  }

  /**
   * The last order decoded on this thread and the bytes it came from. {@link #peek} leaves it for
   * the next read of the same bytes (the event-time reads, which only read it); {@link #take} hands
   * it out and forgets it (the decoding step, whose output goes on down the pipeline).
   */
  static final class LastDecoded {
    private static final ThreadLocal<LastDecoded> LAST = ThreadLocal.withInitial(LastDecoded::new);

    private byte[] bytes;
    private OrderEvent order;

    private LastDecoded() {}

    /** The order in {@code payload}, kept for the next read of the same bytes on this thread. */
    static OrderEvent peek(ByteBuffer payload) {
      LastDecoded last = LAST.get();
      if (last.order == null || !ByteBuffer.wrap(last.bytes).equals(payload)) {
        byte[] bytes = bytes(payload);
        last.order = null;
        last.bytes = bytes;
        last.order = CODEC.decode(bytes);
      }
      return last.order;
    }

    /** The order in {@code payload}, not kept. */
    static OrderEvent take(ByteBuffer payload) {
      LastDecoded last = LAST.get();
      OrderEvent order = last.order;
      boolean hit = order != null && ByteBuffer.wrap(last.bytes).equals(payload);
      last.order = null;
      last.bytes = null;
      return hit ? order : CODEC.decode(bytes(payload));
    }
  }
}
