/**
 * PostgreSQL over JDBC: {@link dev.kappa.io.jdbc.Jdbc#upsert} (idempotent writes of results, with
 * retries and dead letters), {@link dev.kappa.io.jdbc.Jdbc#lookup} and {@link
 * dev.kappa.io.jdbc.Jdbc#snapshot} (reference data for the enrichment transforms), all configured
 * by one {@link dev.kappa.io.jdbc.JdbcConfig}.
 *
 * <p>Rows are generated Avro records mapped to columns by field name. Each DoFn or lookup instance
 * holds one connection, opened on first use and replaced after a failure; no pool is needed. Failed
 * writes become {@link dev.kappa.schemas.common.DeadLetter}s with position {@code system="jdbc"}
 * and {@code name=} the table.
 */
package dev.kappa.io.jdbc;
