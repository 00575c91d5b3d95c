/**
 * What the local servers of this module ({@link dev.kappa.testing.kafka.KafkaBroker}, {@link
 * dev.kappa.testing.postgres.PostgresServer}, {@link dev.kappa.testing.flink.FlinkCluster}) and
 * their command lines do alike: {@link dev.kappa.testing.process.LocalServer} (port, data
 * directory, shutdown hook, close), free and taken ports ({@link dev.kappa.testing.process.Ports}),
 * pid files ({@link dev.kappa.testing.process.PidFile}), graceful-then-forced termination, kill and
 * a bounded readiness poll ({@link dev.kappa.testing.process.ChildProcesses}), one server per test
 * JVM ({@link dev.kappa.testing.process.SharedServerExtension}), the classpath file a module's
 * build writes, and subcommand dispatch. Each server keeps what is its own.
 */
package dev.kappa.testing.process;
