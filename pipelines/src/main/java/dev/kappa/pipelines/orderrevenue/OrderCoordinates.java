package dev.kappa.pipelines.orderrevenue;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.transforms.errors.ElementCoordinates;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * The coordinates of an element that carries an order, for a guarded step's dead letter: {@code
 * system="order"}, {@code name=} the order id, the order id as key and the order as one JSON object
 * (v3) as payload, the same form as an enrichment dead letter's. A decoded order no longer knows
 * its Kafka offset or file line; its id finds it in the source.
 *
 * @param <T> the element type
 */
final class OrderCoordinates<T> implements ElementCoordinates<T> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);

  private final SerializableFunction<T, OrderEvent> order;

  private OrderCoordinates(SerializableFunction<T, OrderEvent> order) {
    this.order = order;
  }

  /** Coordinates of the order that {@code order} finds in each element. */
  static <T> OrderCoordinates<T> of(SerializableFunction<T, OrderEvent> order) {
    return new OrderCoordinates<>(order);
  }

  @Override
  public SourceRecord locate(T element, BoundedWindow window) {
    OrderEvent event = order.apply(element);
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder().setSystem("order").setName(event.getOrderId()).build())
        .setKey(ByteBuffer.wrap(event.getOrderId().getBytes(StandardCharsets.UTF_8)))
        .setPayload(ByteBuffer.wrap(CODEC.toJson(event).getBytes(StandardCharsets.UTF_8)))
        .build();
  }
}
