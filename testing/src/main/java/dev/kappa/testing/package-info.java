/**
 * Test infrastructure shared by Kappa's integration tests and local runs.
 *
 * <p>{@link dev.kappa.testing.kafka} runs a real Kafka broker in a JVM of its own, {@link
 * dev.kappa.testing.postgres} a real PostgreSQL server, and {@link dev.kappa.testing.flink} a
 * standalone Flink session cluster (a JobManager and TaskManagers, each a JVM of its own). Depend
 * on this module in test scope; it brings no broker, database or Flink classes onto the depending
 * module's classpath.
 */
package dev.kappa.testing;
