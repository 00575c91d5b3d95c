package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockEventKind;
import java.util.Comparator;
import org.apache.beam.sdk.transforms.SerializableComparator;

/**
 * The tie rule of the inventory job, for events of one product at the same millisecond. Its stock
 * changes come before its orders (a restock committed in the millisecond an order was placed serves
 * that order). Changes come in the order of the change stream ({@code change_position}: Debezium's
 * {@code source.lsn}, else the Kafka offset or file line), since all changes of one transaction
 * share their commit time: a delete and a re-insert leave the product stocked, updates to 8 then 5
 * leave 5. Orders go by order id, then quantity, product and customer, so two copies of one order
 * that differ still sort the same way in every run; two copies that agree in all of that are equal,
 * and so are the levels after them (not their order: {@link SummarizeMinutes#APPLIED} tells them
 * apart). Changes without a position (none come from the job's sources) follow those with one, a
 * change before a delete, then by quantity and {@code updated_at}.
 */
final class StockEventOrder implements SerializableComparator<StockEvent> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<StockEvent> ORDER =
      Comparator.comparingInt((StockEvent e) -> e.getKind() == StockEventKind.ORDER ? 1 : 0)
          .thenComparing(
              StockEvent::getChangePosition, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparingInt(e -> e.getKind() == StockEventKind.DELETE ? 1 : 0)
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
}
