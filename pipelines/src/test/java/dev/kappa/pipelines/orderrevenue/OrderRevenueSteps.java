package dev.kappa.pipelines.orderrevenue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configurations of OrderRevenue whose step names are frozen, and the names of a built graph.
 *
 * <p>Each configuration's list, {@code order-revenue-steps-<name>.txt} next to this class, holds
 * the full name of every node of the graph (composites and primitives), sorted.
 */
enum OrderRevenueSteps {
  /** A Flink stream from Kafka, temporal joins on Kafka change topics, every output to Kafka. */
  KAFKA_STREAM(
      "--runner=FlinkRunner",
      "--checkpointingInterval=10000",
      "--source=KAFKA",
      "--bootstrapServers=localhost:1",
      "--productChanges=kafka:products",
      "--customerChanges=kafka:customers",
      "--kafkaDelivery=EXACTLY_ONCE",
      "--output=kafka:revenue",
      "--enrichedOutput=kafka:enriched",
      "--tooLateOutput=kafka:too-late",
      "--deadLetterOutput=kafka:dead-letters",
      "--correctionsOutput=kafka:corrections",
      "--resultsTable=category_revenue"),
  /**
   * A backfill from files to files, temporal joins on change files (broadcast: the tables'
   * histories as side inputs).
   */
  FILES_BACKFILL(
      "--source=FILES",
      "--input=orders.jsonl",
      "--productChanges=products.changelog.jsonl",
      "--customerChanges=customers.changelog.jsonl",
      "--output=out/results",
      "--enrichedOutput=out/enriched",
      "--tooLateOutput=out/too-late",
      "--deadLetterOutput=out/dead-letters",
      "--correctionsOutput=out/corrections"),
  /**
   * The same backfill with change files the launcher can read: both histories are loaded at launch
   * ({@code --preloadChangesUpTo}) and travel with the look-up step, which needs no side input
   * (docs/performance.md).
   */
  FILES_BACKFILL_LOADED(
      "--source=FILES",
      "--input=orders.jsonl",
      "--productChanges=../test-data/enrichment/products.changelog.jsonl",
      "--customerChanges=../test-data/enrichment/customers.changelog.jsonl",
      "--output=out/results",
      "--enrichedOutput=out/enriched",
      "--tooLateOutput=out/too-late",
      "--deadLetterOutput=out/dead-letters",
      "--correctionsOutput=out/corrections"),
  /**
   * The same backfill with the keyed temporal join the stream uses ({@code
   * --boundedTemporalJoin=keyed}, for tables too large for memory): the steps the backfill had
   * before the broadcast join became its default.
   */
  FILES_BACKFILL_KEYED(
      "--source=FILES",
      "--input=orders.jsonl",
      "--productChanges=products.changelog.jsonl",
      "--customerChanges=customers.changelog.jsonl",
      "--boundedTemporalJoin=keyed",
      "--output=out/results",
      "--enrichedOutput=out/enriched",
      "--tooLateOutput=out/too-late",
      "--deadLetterOutput=out/dead-letters",
      "--correctionsOutput=out/corrections"),
  /** A file replayed as a stream, every output on the console (the demo). */
  REPLAY_CONSOLE(
      "--source=REPLAY",
      "--input=orders.jsonl",
      "--productChanges=products.changelog.jsonl",
      "--customerChanges=customers.changelog.jsonl"),
  /** Products looked up in the database (waiting for a missing one), customers from a snapshot. */
  LOOKUP_AND_SNAPSHOT(
      "--source=FILES",
      "--input=orders.jsonl",
      "--productEnrichment=LOOKUP",
      "--missingProduct=WAIT",
      "--customerEnrichment=SNAPSHOT",
      "--missingCustomer=DEAD_LETTER",
      "--output=out/results",
      "--deadLetterOutput=out/dead-letters"),
  /** Products from a snapshot, customers looked up in the database. */
  SNAPSHOT_AND_LOOKUP(
      "--source=KAFKA",
      "--bootstrapServers=localhost:1",
      "--productEnrichment=SNAPSHOT",
      "--customerEnrichment=LOOKUP",
      "--missingCustomer=DEAD_LETTER",
      "--output=kafka:revenue",
      "--deadLetterOutput=kafka:dead-letters");

  private final List<String> args;

  OrderRevenueSteps(String... args) {
    this.args = List.of(args);
  }

  /** The options of this configuration; {@code jdbcUrl} is added for the database. */
  String[] args(String jdbcUrl) {
    List<String> all = new ArrayList<>(args);
    all.add("--jdbcUrl=" + jdbcUrl);
    return all.toArray(String[]::new);
  }

  /** The name of this configuration's frozen list. */
  String resource() {
    return "order-revenue-steps-" + name().toLowerCase().replace('_', '-') + ".txt";
  }

  /** The frozen full names, sorted. */
  List<String> frozen() throws IOException {
    try (InputStream in = OrderRevenueSteps.class.getResourceAsStream(resource())) {
      Objects.requireNonNull(in, resource() + " is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .toList();
    }
  }
}
