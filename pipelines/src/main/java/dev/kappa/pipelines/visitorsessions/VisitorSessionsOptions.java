package dev.kappa.pipelines.visitorsessions;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options only VisitorSessions has: the session gap and where retractions and the sessions
 * table go. The allowed lateness and the too-late output are the shared lateness options.
 */
public interface VisitorSessionsOptions extends PipelineOptions {

  @Description(
      "Inactivity that ends a visitor's session (ISO-8601, e.g. PT30M): an event this long or"
          + " longer after the previous one starts a new session.")
  @Default.String("PT30M")
  String getSessionGap();

  void setSessionGap(String value);

  @Description(
      "Where retractions go (sessions a late event merged into another or moved):"
          + " 'console', 'kafka:<topic>', or a path prefix for JSON-lines files.")
  @Default.String("console")
  String getRetractionsOutput();

  void setRetractionsOutput(String value);

  @Description(
      "A PostgreSQL table to keep the sessions in (needs --jdbcUrl; create it with"
          + " scripts/sql/visitor-sessions.sql): sessions are upserted by (visitor_id,"
          + " session_start), versioned, and retracted ones marked retracted, so after a stream"
          + " its live rows are what a backfill of the same events gives.")
  String getSessionsTable();

  void setSessionsTable(String value);
}
