/**
 * Composable PTransforms configured by typed values, never by PipelineOptions.
 *
 * <p>Sub-packages by concern: {@code windowing} (window, trigger and lateness set together), {@code
 * lateness} (too-late records diverted to their own output), {@code carry} (elements' windows
 * carried through a global-window join and back), {@code errors} (decoding failures as dead
 * letters), {@code enrichment} (joining events with a table: as of the event's time from the
 * table's change stream, by lookup, or from a periodic snapshot; see {@code
 * docs/design/enrichment.md}) and {@code metrics} (records out and their event-time latency per
 * output).
 */
package dev.kappa.transforms;
