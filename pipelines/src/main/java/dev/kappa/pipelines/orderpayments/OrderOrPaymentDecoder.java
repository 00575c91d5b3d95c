package dev.kappa.pipelines.orderpayments;

import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.validation.OrderEvents;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.joda.time.Instant;

/**
 * Decodes a record of the job's one input, which carries both event types (the orders and payments
 * topics, or one file with both): Avro single-object bytes of any OrderEvent or Payment version, or
 * a JSON line of either. The fields tell them apart: an order has a {@code product_id}, a payment a
 * {@code payment_id}, and each type's decoder rejects the other's fields. A record that is neither,
 * or breaks its type's rules, is an error naming why.
 */
final class OrderOrPaymentDecoder {
  private static final EventCodec<OrderEvent> ORDERS = EventCodec.of(OrderEvent.class);
  private static final EventCodec<Payment> PAYMENTS = EventCodec.of(Payment.class);

  private OrderOrPaymentDecoder() {}

  /**
   * The order or payment in {@code record}, validated.
   *
   * @throws IllegalArgumentException saying why it is neither a valid order nor a valid payment
   */
  static SpecificRecordBase decode(SourceRecord record) {
    byte[] bytes = Bytes.copyOf(record.getPayload());
    OrderEvent order = null;
    RuntimeException asOrder = null;
    try {
      order = ORDERS.decode(bytes);
    } catch (RuntimeException e) {
      asOrder = e;
    }
    if (order != null) {
      List<String> violations = OrderEvents.validate(order);
      if (!violations.isEmpty()) {
        throw new IllegalArgumentException(
            "order " + order.getOrderId() + " is invalid: " + String.join("; ", violations));
      }
      return order;
    }
    Payment payment;
    try {
      payment = PAYMENTS.decode(bytes);
    } catch (RuntimeException asPayment) {
      IllegalArgumentException error =
          new IllegalArgumentException(
              "neither an order ("
                  + asOrder.getMessage()
                  + ") nor a payment ("
                  + asPayment.getMessage()
                  + ")",
              asPayment);
      error.addSuppressed(asOrder);
      throw error;
    }
    List<String> violations = PaymentRules.validate(payment);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(
          "payment " + payment.getPaymentId() + " is invalid: " + String.join("; ", violations));
    }
    return payment;
  }

  /** The event time of the order or payment in {@code record}; throws if it is neither. */
  static Instant eventTime(SourceRecord record) {
    SpecificRecordBase event = decodeUnchecked(Bytes.copyOf(record.getPayload()));
    java.time.Instant time =
        event instanceof OrderEvent order ? order.getEventTime() : ((Payment) event).getEventTime();
    return new Instant(time.toEpochMilli());
  }

  private static SpecificRecordBase decodeUnchecked(byte[] bytes) {
    try {
      return ORDERS.decode(bytes);
    } catch (RuntimeException e) {
      return PAYMENTS.decode(bytes);
    }
  }
}
