package dev.kappa.pipelines.orderpayments;

import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.UnpaidOrder;
import dev.kappa.schemas.validation.OrderEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What an order's payments add up to, as plain functions of the order and the payments in its
 * interval, so that the stream and the backfill (and the tests) share one definition.
 *
 * <ul>
 *   <li>A {@code payment_id} counts once: of its copies, the earliest by event time (then status,
 *       amount, method: a total order, so the choice does not depend on arrival order) is kept; the
 *       others are duplicates.
 *   <li>Only {@code captured} payments in the order's currency count as paid; declined, refunded,
 *       authorized and other-currency payments are reported, not counted.
 *   <li>PAID if the paid amount equals the order total, UNDERPAID below it, OVERPAID above; an
 *       order with no counted payment is UNPAID (an alert, not a result).
 *   <li>Time to pay: from the order's time to the counted payment, in event-time order, that
 *       brought the paid amount to the total; none if UNDERPAID.
 * </ul>
 */
final class PaymentRules {
  static final String CAPTURED = "captured";
  static final Set<String> STATUSES = Set.of("authorized", CAPTURED, "declined", "refunded");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private static final Comparator<Payment> EARLIEST =
      Comparator.comparing(Payment::getEventTime)
          .thenComparing(Payment::getPaymentId)
          .thenComparing(Payment::getStatus)
          .thenComparingLong(Payment::getAmountCents)
          .thenComparing(Payment::getMethod);

  private PaymentRules() {}

  /** The broken rules of a payment, empty if it is valid. */
  static List<String> validate(Payment payment) {
    List<String> problems = new ArrayList<>();
    if (payment.getPaymentId() == null || payment.getPaymentId().isBlank()) {
      problems.add("payment_id must not be empty");
    }
    if (payment.getOrderId() == null || payment.getOrderId().isBlank()) {
      problems.add("order_id must not be empty");
    }
    if (payment.getAmountCents() < 0) {
      problems.add("amount_cents must be >= 0, got " + payment.getAmountCents());
    }
    if (!STATUSES.contains(payment.getStatus())) {
      problems.add(
          "status must be one of authorized, captured, declined, refunded, got \""
              + payment.getStatus()
              + "\"");
    }
    if (payment.getCurrency() == null || !CURRENCY.matcher(payment.getCurrency()).matches()) {
      problems.add("currency must be a 3-letter upper-case code, got " + payment.getCurrency());
    }
    return problems;
  }

  /** What one order's interval held. */
  record Outcome(
      OrderEvent order,
      List<Payment> payments,
      int duplicates,
      long totalCents,
      long paidCents,
      String status,
      @Nullable Long timeToPayMs) {

    boolean unpaid() {
      return status.equals("UNPAID");
    }
  }

  /** The outcome of {@code order} with the payments (copies included) in its interval. */
  static Outcome outcome(OrderEvent order, List<Payment> inInterval) {
    Map<String, Payment> distinct = new LinkedHashMap<>();
    List<Payment> sorted = new ArrayList<>(inInterval);
    sorted.sort(EARLIEST);
    for (Payment payment : sorted) {
      distinct.putIfAbsent(payment.getPaymentId(), payment);
    }
    List<Payment> payments = new ArrayList<>(distinct.values());
    long total = OrderEvents.revenueCents(order);
    long paid = 0;
    Long timeToPay = null;
    for (Payment payment : payments) {
      if (counts(order, payment)) {
        paid = Math.addExact(paid, payment.getAmountCents());
        if (timeToPay == null && paid >= total) {
          timeToPay = payment.getEventTime().toEpochMilli() - order.getEventTime().toEpochMilli();
        }
      }
    }
    boolean anyCounted = payments.stream().anyMatch(payment -> counts(order, payment));
    String status =
        !anyCounted ? "UNPAID" : paid == total ? "PAID" : paid < total ? "UNDERPAID" : "OVERPAID";
    return new Outcome(
        order, payments, inInterval.size() - payments.size(), total, paid, status, timeToPay);
  }

  static boolean counts(OrderEvent order, Payment payment) {
    return payment.getStatus().equals(CAPTURED)
        && payment.getCurrency().equals(order.getCurrency());
  }

  static PaidOrder paidOrder(Outcome outcome, boolean update) {
    return PaidOrder.newBuilder()
        .setOrder(outcome.order())
        .setPayments(outcome.payments())
        .setOrderTotalCents(outcome.totalCents())
        .setPaidCents(outcome.paidCents())
        .setStatus(outcome.status())
        .setTimeToPayMs(outcome.timeToPayMs())
        .setDuplicatePayments(outcome.duplicates())
        .setUpdate(update)
        .build();
  }

  static UnpaidOrder unpaidOrder(Outcome outcome, Instant deadline, boolean update) {
    return UnpaidOrder.newBuilder()
        .setOrder(outcome.order())
        .setAlert("UNPAID")
        .setDeadline(deadline)
        .setPayments(outcome.payments())
        .setUpdate(update)
        .build();
  }

  static OrderPaymentStatus status(Outcome outcome) {
    OrderEvent order = outcome.order();
    return OrderPaymentStatus.newBuilder()
        .setOrderId(order.getOrderId())
        .setCustomerId(order.getCustomerId())
        .setCurrency(order.getCurrency())
        .setOrderTime(order.getEventTime())
        .setOrderTotalCents(outcome.totalCents())
        .setPaidCents(outcome.paidCents())
        .setStatus(outcome.status())
        .setTimeToPayMs(outcome.timeToPayMs())
        .setPaymentCount(outcome.payments().size())
        .setDuplicatePayments(outcome.duplicates())
        .build();
  }
}
