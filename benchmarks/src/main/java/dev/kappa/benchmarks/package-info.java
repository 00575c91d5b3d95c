/**
 * The backfill race ({@code scripts/kappa bench}): generated orders and change streams with their
 * ground truth ({@link dev.kappa.benchmarks.GenerateRaceData}), and three contenders that each run
 * in a JVM of their own on the same data: the read-and-decode floor ({@link
 * dev.kappa.benchmarks.ReadAndDecode}), a native Flink job ({@link
 * dev.kappa.benchmarks.NativeFlinkJob}) and Kappa's own backfill, run from pipelines' bundled jar.
 * The streaming race ({@code scripts/kappa bench --streaming}, {@link
 * dev.kappa.benchmarks.StreamingRace}): the same generator feeding orders at a fixed rate to a
 * native Flink streaming job ({@link dev.kappa.benchmarks.NativeStreamingJob}) and to {@code kappa
 * run order-revenue}, one after the other, timed by the event-time latency of their window results.
 * See docs/performance.md.
 */
package dev.kappa.benchmarks;
