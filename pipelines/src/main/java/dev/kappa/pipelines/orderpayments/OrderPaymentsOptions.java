package dev.kappa.pipelines.orderpayments;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options only OrderPayments has: the payment interval around each order, its lateness, and
 * where its outputs go. The settings every job shares are in the {@code options} module.
 */
public interface OrderPaymentsOptions extends PipelineOptions {

  @Description(
      "How long before its order a payment may be and still match it (ISO-8601, >= 0): the"
          + " interval is [order time - paymentsBefore, order time + paymentTimeout].")
  @Default.String("PT1M")
  String getPaymentsBefore();

  void setPaymentsBefore(String value);

  @Description(
      "How long after its order a payment may be (ISO-8601, > 0). When the watermark passes order"
          + " time + paymentTimeout without a captured payment, the order is an UNPAID alert.")
  @Default.String("PT15M")
  String getPaymentTimeout();

  void setPaymentTimeout(String value);

  @Description(
      "How late an order or payment may arrive and still change a decision (ISO-8601, >= 0): a"
          + " late payment re-emits its order's result, marked update; later ones go to"
          + " tooLateEventsOutput.")
  @Default.String("PT5M")
  String getPaymentLateness();

  void setPaymentLateness(String value);

  @Description(
      "Where UNPAID alerts go: 'console', 'kafka:<topic>', or a path prefix for JSON-lines files.")
  @Default.String("console")
  String getAlertsOutput();

  void setAlertsOutput(String value);

  @Description(
      "Where orphan payments (in no order's interval) go: 'console', 'kafka:<topic>', or a path"
          + " prefix for JSON-lines files.")
  @Default.String("console")
  String getOrphansOutput();

  void setOrphansOutput(String value);

  @Description(
      "Where orders and payments later than paymentLateness go: 'console', 'kafka:<topic>', or a"
          + " path prefix for JSON-lines files. Never dropped.")
  @Default.String("console")
  String getTooLateEventsOutput();

  void setTooLateEventsOutput(String value);
}
