package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.validation.OrderEvents;
import dev.kappa.transforms.errors.RecordDecoder;
import java.util.List;
import org.joda.time.Instant;

/**
 * Decodes an order record (Avro single-object bytes of any OrderEvent version, or a JSON line) and
 * rejects orders that break the domain rules (a quantity that is not positive would add stock),
 * naming every broken rule.
 */
final class InventoryOrderDecoder implements RecordDecoder<OrderEvent> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);

  @Override
  public OrderEvent decode(SourceRecord record) {
    OrderEvent order = CODEC.decode(Bytes.copyOf(record.getPayload()));
    List<String> violations = OrderEvents.validate(order);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(
          "order " + order.getOrderId() + " is invalid: " + String.join("; ", violations));
    }
    return order;
  }

  /** The event time of the order in {@code record}; throws if the record can't be decoded. */
  static Instant eventTime(SourceRecord record) {
    return new Instant(
        CODEC.decode(Bytes.copyOf(record.getPayload())).getEventTime().toEpochMilli());
  }
}
