/**
 * ArchiveTopics: Kafka topics to Avro files that keep each record's bytes and Kafka position, so a
 * backfill can replay history from files once Kafka no longer holds it.
 */
package dev.kappa.pipelines.archive;
