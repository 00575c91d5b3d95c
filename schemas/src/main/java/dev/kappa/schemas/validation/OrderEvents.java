package dev.kappa.schemas.validation;

import dev.kappa.schemas.events.OrderEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rules and calculations for {@link OrderEvent}: the business meaning its schema cannot carry.
 *
 * <pre>{@code
 * List<String> problems = OrderEvents.validate(order);
 * if (problems.isEmpty()) {
 *   long revenue = OrderEvents.revenueCents(order);
 * }
 * }</pre>
 */
public final class OrderEvents {
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private OrderEvents() {}

  /**
   * Returns the broken rules of an order, empty if it is valid: order_id, customer_id and
   * product_id are not blank, quantity is positive, unit_price_cents is not negative, and currency
   * is a 3-letter upper-case (ISO 4217 style) code.
   */
  public static List<String> validate(OrderEvent order) {
    List<String> problems = new ArrayList<>();
    requireText(problems, "order_id", order.getOrderId());
    requireText(problems, "customer_id", order.getCustomerId());
    requireText(problems, "product_id", order.getProductId());
    if (order.getQuantity() <= 0) {
      problems.add("quantity must be > 0, got " + order.getQuantity());
    }
    if (order.getUnitPriceCents() < 0) {
      problems.add("unit_price_cents must be >= 0, got " + order.getUnitPriceCents());
    } else if (order.getQuantity() > 0
        && order.getUnitPriceCents() > Long.MAX_VALUE / order.getQuantity()) {
      problems.add(
          "quantity * unit_price_cents overflows a long: "
              + order.getQuantity()
              + " * "
              + order.getUnitPriceCents());
    }
    String currency = order.getCurrency();
    if (currency == null || !CURRENCY.matcher(currency).matches()) {
      problems.add(
          "currency must be a 3-letter upper-case code such as USD, got "
              + (currency == null ? "null" : "\"" + currency + "\""));
    }
    return problems;
  }

  /** {@link #validate} as a {@link Validator}, for transforms that take any validator. */
  public static Validator<OrderEvent> validator() {
    return OrderEvents::validate;
  }

  /**
   * The order's revenue in minor currency units: quantity times unit price.
   *
   * @throws ArithmeticException if the product overflows a long, rather than wrap to a wrong sum
   */
  public static long revenueCents(OrderEvent order) {
    return Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents());
  }

  private static void requireText(List<String> problems, String field, String value) {
    if (value == null || value.isBlank()) {
      problems.add(
          field + " must not be empty, got " + (value == null ? "null" : "\"" + value + "\""));
    }
  }
}
