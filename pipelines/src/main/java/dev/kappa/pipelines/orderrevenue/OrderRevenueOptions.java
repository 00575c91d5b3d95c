package dev.kappa.pipelines.orderrevenue;

import dev.kappa.options.EnrichmentOptions.Enrichment;
import dev.kappa.options.EnrichmentOptions.MissingKey;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options only OrderRevenue has: how orders get their product and customer rows, and where
 * enriched orders and corrections go. The settings every job shares are in the {@code options}
 * module; {@link OrderRevenue.Options} combines both.
 */
public interface OrderRevenueOptions extends PipelineOptions {

  @Description("How orders get their product's category: TEMPORAL, LOOKUP or SNAPSHOT.")
  @Default.Enum("TEMPORAL")
  Enrichment getProductEnrichment();

  void setProductEnrichment(Enrichment value);

  @Description(
      "The products change stream (Debezium-style JSON change events) for TEMPORAL enrichment:"
          + " 'kafka:<topic>', or a path or glob of JSON-lines files.")
  String getProductChanges();

  void setProductChanges(String value);

  @Description(
      "What to do with an order whose product is not found: PASS_THROUGH, DEAD_LETTER, WAIT.")
  @Default.Enum("PASS_THROUGH")
  MissingKey getMissingProduct();

  void setMissingProduct(MissingKey value);

  @Description("How orders get their customer's tier: TEMPORAL, LOOKUP or SNAPSHOT.")
  @Default.Enum("TEMPORAL")
  Enrichment getCustomerEnrichment();

  void setCustomerEnrichment(Enrichment value);

  @Description(
      "The customers change stream for TEMPORAL enrichment: 'kafka:<topic>', or a path or glob"
          + " of JSON-lines files.")
  String getCustomerChanges();

  void setCustomerChanges(String value);

  @Description(
      "What to do with an order whose customer is not found: PASS_THROUGH, DEAD_LETTER, WAIT.")
  @Default.Enum("PASS_THROUGH")
  MissingKey getMissingCustomer();

  void setMissingCustomer(MissingKey value);

  @Description(
      "Where enriched orders go, if anywhere: 'console', 'kafka:<topic>', or a path prefix for"
          + " JSON-lines files.")
  String getEnrichedOutput();

  void setEnrichedOutput(String value);

  @Description(
      "Where corrections go: orders already emitted with a row that a late table change"
          + " (TEMPORAL enrichment) has since superseded, with the value they got and the one a"
          + " backfill gives them. 'console', 'kafka:<topic>', or a path prefix for JSON-lines"
          + " files. Never dropped.")
  @Default.String("console")
  String getCorrectionsOutput();

  void setCorrectionsOutput(String value);
}
