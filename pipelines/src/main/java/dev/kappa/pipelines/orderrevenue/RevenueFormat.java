package dev.kappa.pipelines.orderrevenue;

import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One-line human forms of OrderRevenue's outputs, for the console. */
public final class RevenueFormat {
  private RevenueFormat() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** {@code [2026-03-01 10:00, 10:05) footwear USD orders=3 revenue=359.81 ON_TIME #1 final}. */
  public static String human(CategoryRevenue result) {
    return String.format(
        Locale.ROOT,
        "[%s, %s) %-11s %s  orders=%-4d revenue=%-12s %-7s #%d%s",
        DATE_TIME.format(result.getWindowStart()),
        TIME.format(result.getWindowEnd()).substring(0, 5),
        result.getCategory(),
        result.getCurrency(),
        result.getOrderCount(),
        money(result.getRevenueCents()),
        result.getPaneTiming(),
        result.getPaneIndex(),
        result.getFinalPane() ? " final" : "");
  }

  /**
   * {@code order O-00370 P-101 USD at 10:12:05 missed [10:10:00, 10:15:00) by 00:41:33 beyond its
   * 01:00:00 lateness (watermark 11:56:33)}.
   */
  public static String human(TooLateOrder late) {
    OrderEvent order = late.getOrder();
    MissedWindow missed = late.getMissedWindow();
    return String.format(
        Locale.ROOT,
        "order %s %s %s at %s missed [%s, %s) by %s beyond its %s lateness (watermark %s)",
        order.getOrderId(),
        order.getProductId(),
        order.getCurrency(),
        TIME.format(order.getEventTime()),
        TIME.format(missed.getWindowStart()),
        TIME.format(missed.getWindowEnd()),
        hms(missed.getLateByMillis()),
        hms(missed.getAllowedLatenessMillis()),
        TIME.format(missed.getWatermark()));
  }

  /** {@code order O-00042 at 10:42:05 P-103 wearables (since 2026-03-01 10:30) C-05 gold}. */
  public static String human(EnrichedOrder enriched) {
    OrderEvent order = enriched.getOrder();
    return String.format(
        Locale.ROOT,
        "order %s at %s %s %s (since %s) %s %s",
        order.getOrderId(),
        TIME.format(order.getEventTime()),
        order.getProductId(),
        enriched.getCategory() == null ? "<no product>" : enriched.getCategory(),
        enriched.getProductVersion() == null ? "-" : DATE_TIME.format(enriched.getProductVersion()),
        order.getCustomerId(),
        enriched.getCustomerTier() == null ? "<no customer>" : enriched.getCustomerTier());
  }

  /**
   * {@code order O-00042 at 10:42:05 P-103 USD 25.00: category wearables -> audio (products change
   * from 10:30:00 arrived late)}.
   */
  public static String human(EnrichmentCorrection correction) {
    OrderEvent order = correction.getOrder();
    return String.format(
        Locale.ROOT,
        "order %s at %s %s %s %s: %s %s -> %s (%s change from %s arrived late)",
        order.getOrderId(),
        TIME.format(order.getEventTime()),
        order.getProductId(),
        order.getCurrency(),
        correction.getRevenueCents() == null ? "?" : money(correction.getRevenueCents()),
        correction.getField(),
        correction.getEmittedValue() == null ? "<none>" : correction.getEmittedValue(),
        correction.getCorrectedValue() == null ? "<none>" : correction.getCorrectedValue(),
        correction.getTable(),
        TIME.format(correction.getChangeValidFrom()));
  }

  static String money(long cents) {
    return String.format(
        Locale.ROOT,
        "%s%d.%02d",
        cents < 0 ? "-" : "",
        Math.abs(cents / 100),
        Math.abs(cents % 100));
  }

  static String hms(long millis) {
    Duration d = Duration.ofMillis(millis);
    return String.format(
        Locale.ROOT, "%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
