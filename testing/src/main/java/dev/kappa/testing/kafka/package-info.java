/**
 * A real Kafka broker (KRaft, one node combining broker and controller) for integration tests and
 * local runs.
 *
 * <p>The broker runs in its own JVM because {@code kafka_2.13}'s Scala Jackson module clashes with
 * Beam's Jackson: a test JVM holding Beam cannot also hold the broker. {@link
 * dev.kappa.testing.kafka.KafkaBroker} starts, stops, kills and restarts that JVM; {@link
 * dev.kappa.testing.kafka.KafkaBrokerExtension} gives JUnit 5 tests one broker shared by the whole
 * test JVM; {@link dev.kappa.testing.kafka.KafkaLocalCli} starts, stops and reports on a detached
 * broker and lists and creates topics for {@code scripts/kafka-local.sh}.
 *
 * <p>The broker JVM's classpath is written by this module's build to {@code
 * testing/target/kafka-broker.classpath}; run {@code mvn -pl testing package} once before using the
 * broker from another module.
 */
package dev.kappa.testing.kafka;
