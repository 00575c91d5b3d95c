/**
 * A real Flink 1.19 standalone session cluster (one JobManager and N TaskManagers, each a JVM of
 * its own) for integration tests and local runs: what production runs, not the embedded mini
 * cluster.
 *
 * <p>{@link dev.kappa.testing.flink.FlinkCluster} starts, inspects (through the REST API), kills
 * and stops the JVMs; {@link dev.kappa.testing.flink.FlinkClusterExtension} shares one cluster
 * among a test JVM's tests; {@link dev.kappa.testing.flink.FlinkClusterCli} is the Java half of
 * {@code scripts/flink-cluster.sh}. There is no flink-dist on Maven Central: the JVMs' classpath is
 * resolved from Maven by the {@code cluster} module, whose build writes it to {@code
 * cluster/target/flink-cluster.classpath}, and their configuration is {@code
 * runners-config/flink/cluster}. Of Flink, this module uses only its REST client ({@code
 * flink-clients}, provided: whoever runs the cluster has Flink on the classpath).
 */
package dev.kappa.testing.flink;
