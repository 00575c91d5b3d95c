/**
 * Watermark policies shared by Kappa's unbounded sources (file replay now, Kafka later), so that
 * every source estimates event-time progress the same way.
 */
package dev.kappa.io.watermark;
