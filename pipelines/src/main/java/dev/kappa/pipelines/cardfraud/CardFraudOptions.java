package dev.kappa.pipelines.cardfraud;

import dev.kappa.options.EnrichmentOptions.Enrichment;
import dev.kappa.options.EnrichmentOptions.MissingKey;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options only CardFraud has: the velocity rule, the risk windows and threshold, the customers
 * join, and where alerts go. The settings every job shares are in the {@code options} module;
 * {@link CardFraud.Options} combines both.
 */
public interface CardFraudOptions extends PipelineOptions {

  @Description(
      "The amount (minor units) a transaction must exceed to qualify for the velocity rule, in"
          + " any currency not named by --velocityMinAmounts.")
  @Default.Long(10_000L)
  long getVelocityMinAmount();

  void setVelocityMinAmount(long value);

  @Description(
      "Per-currency qualifying amounts (minor units), e.g. 'JPY=1500000,EUR=9000'; other"
          + " currencies use --velocityMinAmount.")
  @Default.String("")
  String getVelocityMinAmounts();

  void setVelocityMinAmounts(String value);

  @Description(
      "The velocity rule's count: a qualifying transaction raises an alert when, with it, at"
          + " least this many qualifying transactions of its card fall in its interval.")
  @Default.Integer(3)
  int getVelocityCount();

  void setVelocityCount(int value);

  @Description("The velocity rule's interval [t - interval, t] (ISO-8601 duration).")
  @Default.String("PT60S")
  String getVelocityInterval();

  void setVelocityInterval(String value);

  @Description(
      "The risk score's event-time windows: sliding:<size>,<period>, fixed:<size> (ISO-8601).")
  @Default.String("sliding:PT5M,PT1M")
  String getRiskWindow();

  void setRiskWindow(String value);

  @Description(
      "Speculative risk scores this long in processing time after a pane's first transaction"
          + " (ISO-8601), or 'none'. Streaming only: a backfill emits each window's final score.")
  @Default.String("PT30S")
  String getRiskEarlyFirings();

  void setRiskEarlyFirings(String value);

  @Description("A window whose final risk score exceeds this (0 to 1) raises a risk alert.")
  @Default.Double(0.85)
  double getRiskThreshold();

  void setRiskThreshold(double value);

  @Description("How transactions get their customer's home country: TEMPORAL, LOOKUP or SNAPSHOT.")
  @Default.Enum("TEMPORAL")
  Enrichment getCustomerEnrichment();

  void setCustomerEnrichment(Enrichment value);

  @Description(
      "The customers change stream for TEMPORAL enrichment: 'kafka:<topic>', or a path or glob"
          + " of JSON-lines files.")
  String getCustomerChanges();

  void setCustomerChanges(String value);

  @Description(
      "What to do with a transaction whose customer is not found: PASS_THROUGH (scored as not"
          + " foreign), DEAD_LETTER, WAIT.")
  @Default.Enum("PASS_THROUGH")
  MissingKey getMissingCustomer();

  void setMissingCustomer(MissingKey value);

  @Description(
      "Where velocity alerts go: 'console', 'kafka:<topic>', or a path prefix for JSON-lines"
          + " files.")
  @Default.String("console")
  String getVelocityAlertsOutput();

  void setVelocityAlertsOutput(String value);

  @Description(
      "Where risk alerts go: 'console', 'kafka:<topic>', or a path prefix for JSON-lines files.")
  @Default.String("console")
  String getRiskAlertsOutput();

  void setRiskAlertsOutput(String value);

  @Description(
      "The PostgreSQL table velocity alerts are upserted into, keyed by (card_id,"
          + " transaction_id); none if unset.")
  String getVelocityAlertsTable();

  void setVelocityAlertsTable(String value);

  @Description(
      "The PostgreSQL table risk alerts are upserted into, keyed by (card_id, window_start,"
          + " window_end); none if unset.")
  String getRiskAlertsTable();

  void setRiskAlertsTable(String value);
}
