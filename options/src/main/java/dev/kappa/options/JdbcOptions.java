package dev.kappa.options;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the job's PostgreSQL is: for lookups, snapshots and upserted results. */
public interface JdbcOptions extends PipelineOptions {

  @Description("JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://localhost:55432/kappa.")
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("Database user.")
  @Default.String("kappa")
  String getJdbcUser();

  void setJdbcUser(String value);

  /**
   * The password given inline. {@code @JsonIgnore}: Beam leaves it out of the options it serialises
   * with the job (the Flink job's configuration, shown by the REST API and the web UI), so it is
   * read only at launch, where the job layer puts it into the job's database settings.
   */
  @Description(
      "Database password. Prefer --jdbcPasswordFile or the KAPPA_JDBC_PASSWORD environment"
          + " variable, used in that order when this option is not set, so that it stays out of"
          + " process listings. Never part of the job's configuration.")
  @JsonIgnore
  String getJdbcPassword();

  void setJdbcPassword(String value);

  @Description(
      "Path of a file whose content (without a trailing newline) is the database password, e.g. a"
          + " mounted Kubernetes Secret. Read once at launch.")
  String getJdbcPasswordFile();

  void setJdbcPasswordFile(String value);

  @Description("Rows per upsert batch.")
  @Default.Integer(500)
  int getJdbcBatchSize();

  void setJdbcBatchSize(int value);

  @Description(
      "How long a failing upsert of results is retried (ISO-8601) before its rows become dead"
          + " letters: long enough to ride out a database restart. (Lookups and snapshot reads"
          + " retry 3 times, then fail the bundle, which the runner retries.)")
  @Default.String("PT2M")
  String getJdbcRetryTimeout();

  void setJdbcRetryTimeout(String value);

  @Description(
      "Table the results are upserted into (keyed by result key and window), e.g."
          + " category_revenue; not set: results are not written to the database.")
  String getResultsTable();

  void setResultsTable(String value);
}
