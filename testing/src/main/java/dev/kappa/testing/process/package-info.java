/**
 * What the local servers of this module ({@link dev.kappa.testing.kafka.KafkaBroker}, {@link
 * dev.kappa.testing.postgres.PostgresServer}, {@link dev.kappa.testing.flink.FlinkCluster}) and
 * their command lines do alike: find free loopback ports, start a child process with its output in
 * a log file, wait for it to exit, quote the end of its log in failures, read the classpath file a
 * module's build writes, and dispatch a subcommand. Each server keeps what is its own.
 */
package dev.kappa.testing.process;
