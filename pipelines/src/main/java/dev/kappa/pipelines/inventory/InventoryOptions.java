package dev.kappa.pipelines.inventory;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options only the inventory job has: where the inventory table's changes come from, how long
 * to wait for late events, and where alerts, the per-minute history and the tables go. The shared
 * settings are in the {@code options} module; {@link Inventory.Options} combines both.
 */
public interface InventoryOptions extends PipelineOptions {

  @Description(
      "The inventory table's change stream (Debezium-style JSON change events, rows product_id,"
          + " quantity, updated_at): 'kafka:<topic>', or a path or glob of JSON-lines files.")
  String getInventoryChanges();

  void setInventoryChanges(String value);

  @Description(
      "How long after the watermark passes an order or a stock change it is applied (ISO-8601):"
          + " events up to this far behind the watermark are still applied in event-time order;"
          + " later ones go to --tooLateOutput. Every level and alert comes out this much later.")
  @Default.String("PT10S")
  String getOrderingLateness();

  void setOrderingLateness(String value);

  @Description(
      "Where OVERSOLD alerts go: 'console', 'kafka:<topic>', or a path prefix for JSON-lines"
          + " files.")
  @Default.String("console")
  String getAlertsOutput();

  void setAlertsOutput(String value);

  @Description(
      "Where the per-minute stock history goes, if anywhere: 'console', 'kafka:<topic>', or a path"
          + " prefix for JSON-lines files.")
  String getHistoryOutput();

  void setHistoryOutput(String value);

  @Description(
      "Where orders and stock changes that arrived too late to be applied in order go: 'console',"
          + " 'kafka:<topic>', or a path prefix for JSON-lines files.")
  @Default.String("console")
  String getTooLateOutput();

  void setTooLateOutput(String value);

  @Description(
      "A database table the level after each event is upserted into by product_id: each"
          + " product's current level (needs --jdbcUrl).")
  String getLevelsTable();

  void setLevelsTable(String value);

  @Description(
      "A database table the per-minute history is upserted into by (product_id, minute_start)"
          + " (needs --jdbcUrl).")
  String getHistoryTable();

  void setHistoryTable(String value);
}
