package dev.kappa.pipelines.orderrevenue;

import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.validation.OrderEvents;
import dev.kappa.transforms.windowing.TimedDecoder;
import java.util.List;
import org.joda.time.Instant;

/**
 * Decodes an order record (Avro single-object bytes of any OrderEvent version, or a JSON line) and
 * rejects orders that break the domain rules, naming every broken rule. In two stages, so that a
 * bounded run checks the order's event time between them and decodes each record once.
 */
final class OrderDecoder implements TimedDecoder<OrderEvent> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);

  @Override
  public OrderEvent parse(SourceRecord record) {
    return CODEC.decode(Bytes.copyOf(record.getPayload()));
  }

  @Override
  public Instant eventTime(OrderEvent order) {
    return new Instant(order.getEventTime().toEpochMilli());
  }

  @Override
  public void validate(OrderEvent order) {
    List<String> violations = OrderEvents.validate(order);
    if (!violations.isEmpty()) {
      throw new InvalidOrderException(order.getOrderId(), violations);
    }
  }

  /** The event time of the order in {@code record}; throws if the record can't be decoded. */
  static Instant eventTime(SourceRecord record) {
    return new Instant(
        CODEC.decode(Bytes.copyOf(record.getPayload())).getEventTime().toEpochMilli());
  }

  /** An order that decoded but breaks one or more domain rules. */
  static final class InvalidOrderException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidOrderException(String orderId, List<String> violations) {
      super("order " + orderId + " is invalid: " + String.join("; ", violations));
    }
  }
}
