/**
 * Stream-table enrichment: joining keyed events with rows of a table, with one shape for three
 * guarantees. Each transform takes {@code PCollection<KV<key, event>>} and returns a {@code
 * PCollectionTuple} with {@code enrichedTag()} ({@code KV<event, row>}) and {@code notFoundTag()};
 * what to do with a missing key is a {@link dev.kappa.transforms.enrichment.MissingKeyPolicy}.
 *
 * <ul>
 *   <li>{@link dev.kappa.transforms.enrichment.EnrichByLookup}: asks the database ({@link
 *       dev.kappa.transforms.enrichment.TableLookup}) in batches, through a cache; the row as of
 *       processing time.
 *   <li>{@link dev.kappa.transforms.enrichment.EnrichFromSnapshot}: the whole table ({@link
 *       dev.kappa.transforms.enrichment.TableSnapshot}) in memory as a side input, re-read
 *       periodically; the row as of the last refresh.
 *   <li>{@link dev.kappa.transforms.enrichment.EnrichAsOfEventTime}: a temporal join against a
 *       changelog; the row as of the event's time, the same in a stream and in a backfill. {@link
 *       dev.kappa.transforms.enrichment.DecodeChanges} turns Debezium records into that changelog.
 *       For a bounded changelog, {@link dev.kappa.transforms.enrichment.EnrichFromHistory} gives
 *       the same answers with the table's whole history as a side input, without shuffling the
 *       events (a backfill's join).
 * </ul>
 *
 * <p>Which to use when, and what each guarantees under replay: {@code docs/design/enrichment.md}.
 */
package dev.kappa.transforms.enrichment;
