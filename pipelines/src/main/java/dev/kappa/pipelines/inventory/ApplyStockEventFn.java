package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.StockCause;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.transforms.ordered.StateFunction;
import java.util.function.Consumer;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One product's stock, event by event in event-time order. The state is the product's last {@link
 * StockLevel} (none: no stock known, level 0). Each result is the event with the level after it:
 * the event tells the per-minute history which of one millisecond's levels was applied last.
 *
 * <ul>
 *   <li>A change of the inventory row (create, update, snapshot read) sets the level to the row's
 *       quantity: a RESTOCK if that raises it (or the product had no row), else a CORRECTION.
 *   <li>An order consumes its quantity; the level may go below zero (oversold). An order for a
 *       product without a row (never stocked, or deleted) starts from 0 and keeps counting, so the
 *       level says how many units were sold without stock.
 *   <li>A delete sets the level to 0 and removes the product's state: nothing of a deleted product
 *       is kept until it is ordered or stocked again.
 * </ul>
 */
final class ApplyStockEventFn
    implements StateFunction<String, StockEvent, StockLevel, KV<StockEvent, StockLevel>> {
  private static final long serialVersionUID = 1L;

  @Override
  public @Nullable StockLevel apply(
      String product,
      @Nullable StockLevel last,
      StockEvent event,
      Instant time,
      Consumer<KV<StockEvent, StockLevel>> results) {
    long before = last == null ? 0 : last.getLevel();
    boolean stocked = last != null && last.getStocked();
    StockLevel.Builder level =
        StockLevel.newBuilder()
            .setProductId(product)
            .setEventTime(java.time.Instant.ofEpochMilli(time.getMillis()))
            .setLevelBefore(before);
    StockLevel after;
    switch (event.getKind()) {
      case SET:
        long quantity = event.getChange().getQuantity();
        after =
            level
                .setCause(
                    !stocked || quantity > before ? StockCause.RESTOCK : StockCause.CORRECTION)
                .setQuantity(quantity)
                .setLevel(quantity)
                .setStocked(true)
                .build();
        results.accept(KV.of(event, after));
        return after;
      case DELETE:
        after =
            level.setCause(StockCause.DELETE).setQuantity(0).setLevel(0).setStocked(false).build();
        results.accept(KV.of(event, after));
        return null;
      case ORDER:
        OrderEvent order = event.getOrder();
        after =
            level
                .setCause(StockCause.ORDER)
                .setOrderId(order.getOrderId())
                .setQuantity(order.getQuantity())
                .setLevel(before - order.getQuantity())
                .setStocked(stocked)
                .build();
        results.accept(KV.of(event, after));
        return after;
    }
    throw new IllegalStateException("unhandled stock event kind " + event.getKind());
  }
}
