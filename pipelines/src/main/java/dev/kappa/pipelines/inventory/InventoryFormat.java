package dev.kappa.pipelines.inventory;

import dev.kappa.schemas.results.OversoldAlert;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockLevel;
import dev.kappa.schemas.results.StockMinute;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One-line human forms of the inventory job's outputs, for the console. */
public final class InventoryFormat {
  private InventoryFormat() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** {@code 2026-03-01 10:00:01.000 P-1 ORDER o-7 x3: 5 -> 2}. */
  public static String human(StockLevel level) {
    return String.format(
        Locale.ROOT,
        "%s %s %-10s %s: %d -> %d%s",
        TIME.format(level.getEventTime()),
        level.getProductId(),
        level.getCause(),
        level.getOrderId() == null
            ? "quantity " + level.getQuantity()
            : level.getOrderId() + " x" + level.getQuantity(),
        level.getLevelBefore(),
        level.getLevel(),
        level.getStocked() ? "" : " (no inventory row)");
  }

  /** {@code OVERSOLD P-1 order o-9 x4 at 2026-03-01 10:00:02.000: 1 -> -3, shortfall 3}. */
  public static String human(OversoldAlert alert) {
    return String.format(
        Locale.ROOT,
        "%s %s order %s x%d at %s: %d -> %d, shortfall %d%s",
        alert.getAlert(),
        alert.getProductId(),
        alert.getOrderId(),
        alert.getQuantity(),
        TIME.format(alert.getEventTime()),
        alert.getLevelBefore(),
        alert.getLevel(),
        alert.getShortfall(),
        alert.getProductStocked() ? "" : " (no inventory row)");
  }

  /**
   * {@code [2026-03-01 10:00:00.000, +1 min) P-1 level 2 orders=3 units=8 changes=1 oversold=0}.
   */
  public static String human(StockMinute minute) {
    return String.format(
        Locale.ROOT,
        "[%s, +1 min) %s level %d orders=%d units=%d changes=%d oversold=%d",
        TIME.format(minute.getMinuteStart()),
        minute.getProductId(),
        minute.getLevel(),
        minute.getOrders(),
        minute.getUnitsOrdered(),
        minute.getChanges(),
        minute.getOversoldOrders());
  }

  /** {@code too late: ORDER P-1 at 2026-03-01 10:00:02.000 (order o-9)}. */
  public static String human(StockEvent event) {
    return String.format(
        Locale.ROOT,
        "too late: %s %s at %s%s",
        event.getKind(),
        event.getProductId(),
        TIME.format(event.getEventTime()),
        event.getOrder() != null ? " (order " + event.getOrder().getOrderId() + ")" : "");
  }
}
