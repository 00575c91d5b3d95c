/**
 * Generated Avro types of what pipelines write: per-window aggregates ({@code ProductRevenue}) and
 * the named output of events that missed their window ({@code TooLateOrder}), and corrections of
 * orders whose enrichment a late table change superseded ({@code EnrichmentCorrection});
 * CardFraud's alerts ({@code VelocityAlert}, its table row {@code VelocityFlag}, {@code
 * RiskAlert}), scores ({@code RiskScore}) and too-late transactions ({@code TooLateTransaction});
 * the inventory job's stock levels, oversold alerts, per-minute history and its stock events
 * ({@code StockLevel}, {@code OversoldAlert}, {@code StockMinute}, {@code StockEvent});
 * VisitorSessions' sessions ({@code VisitorSession}), the retractions of sessions a late event
 * merged away ({@code SessionRetraction}) and the key a retraction marks in the sessions table
 * ({@code SessionKey}), too-late page views and orders ({@code TooLateVisitorEvent}), and the two
 * types it works with inside: one page view or order ({@code VisitorEvent}) and a session's running
 * summary ({@code SessionActivity}).
 *
 * <p>The classes are generated from {@code src/main/avro/current/results}.
 */
package dev.kappa.schemas.results;
