package dev.kappa.pipelines.visitorsessions;

import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.results.VisitorEvent;
import dev.kappa.schemas.validation.OrderEvents;
import dev.kappa.transforms.errors.RecordDecoder;
import java.util.List;
import org.joda.time.Instant;

/**
 * Decodes a record of the visitor-sessions input: a {@link PageView} or an {@link OrderEvent}, as a
 * JSON line or Avro single-object bytes, whichever it is (one topic or file may hold both). An
 * order must pass the order rules; a record that is neither fails with both reasons.
 */
final class VisitorEventDecoder implements RecordDecoder<VisitorEvent> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<PageView> VIEWS = EventCodec.of(PageView.class);
  private static final EventCodec<OrderEvent> ORDERS = EventCodec.of(OrderEvent.class);

  @Override
  public VisitorEvent decode(SourceRecord record) {
    VisitorEvent event = parse(record);
    if (event.getOrder() != null) {
      List<String> violations = OrderEvents.validate(event.getOrder());
      if (!violations.isEmpty()) {
        throw new IllegalArgumentException(
            "order "
                + event.getOrder().getOrderId()
                + " is invalid: "
                + String.join("; ", violations));
      }
    }
    return event;
  }

  /** The event time of the page view or order in {@code record}; throws if it is neither. */
  static Instant eventTime(SourceRecord record) {
    return ComputeVisitorSessions.eventTime(parse(record));
  }

  private static VisitorEvent parse(SourceRecord record) {
    byte[] bytes = Bytes.copyOf(record.getPayload());
    RuntimeException notAView;
    try {
      return VisitorEvent.newBuilder().setPageView(VIEWS.decode(bytes)).setOrder(null).build();
    } catch (RuntimeException e) {
      notAView = e;
    }
    try {
      return VisitorEvent.newBuilder().setPageView(null).setOrder(ORDERS.decode(bytes)).build();
    } catch (RuntimeException notAnOrder) {
      IllegalArgumentException both =
          new IllegalArgumentException(
              "neither a page view ("
                  + notAView.getMessage()
                  + ") nor an order ("
                  + notAnOrder.getMessage()
                  + ")",
              notAnOrder);
      both.addSuppressed(notAView);
      throw both;
    }
  }
}
