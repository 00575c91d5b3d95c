package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockEventKind;
import java.util.Comparator;
import org.apache.beam.sdk.transforms.SerializableComparator;

/**
 * The tie rule of the inventory job: at the same millisecond, a product's stock changes come before
 * its orders (a restock committed in the millisecond an order was placed serves that order), a
 * change before a delete, orders by order id (then quantity, product and customer, so two copies of
 * one order that differ still sort the same way in every run), and changes by their quantity then
 * their {@code updated_at} (two changes of one row in one millisecond that agree in both are the
 * same).
 */
final class StockEventOrder implements SerializableComparator<StockEvent> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<StockEvent> ORDER =
      Comparator.comparingInt((StockEvent e) -> rank(e.getKind()))
          .thenComparing(e -> e.getOrder() == null ? "" : e.getOrder().getOrderId())
          .thenComparingLong(e -> e.getOrder() == null ? 0 : e.getOrder().getQuantity())
          .thenComparing(e -> e.getOrder() == null ? "" : e.getOrder().getProductId())
          .thenComparing(e -> e.getOrder() == null ? "" : e.getOrder().getCustomerId())
          .thenComparingLong(e -> e.getChange() == null ? 0 : e.getChange().getQuantity())
          .thenComparing(
              e -> e.getChange() == null ? java.time.Instant.EPOCH : e.getChange().getUpdatedAt());

  @Override
  public int compare(StockEvent a, StockEvent b) {
    return ORDER.compare(a, b);
  }

  /** SET before DELETE before ORDER; also orders {@link StockLevel}s of one millisecond. */
  static int rank(StockEventKind kind) {
    switch (kind) {
      case SET:
        return 0;
      case DELETE:
        return 1;
      case ORDER:
        return 2;
    }
    throw new IllegalStateException("unhandled kind " + kind);
  }
}
