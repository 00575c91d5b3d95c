/**
 * Composable PTransforms configured by typed values, never by PipelineOptions.
 *
 * <p>Sub-packages by concern: {@code windowing} (window, trigger and lateness set together), {@code
 * lateness} (too-late records diverted to their own output), {@code errors} (decoding failures as
 * dead letters) and {@code aggregation} (CombineFns).
 */
package dev.kappa.transforms;
