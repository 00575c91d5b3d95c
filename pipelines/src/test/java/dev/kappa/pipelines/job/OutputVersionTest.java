package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OutputVersionOptions;
import dev.kappa.pipelines.job.OutputVersions.Kind;
import dev.kappa.pipelines.job.OutputVersions.VersionedOutput;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * What {@code --outputVersion} renames, parsed without contacting any server: every Kafka topic,
 * file prefix and result table of the job, its consumer group and sink group; the database it
 * needs. The tables, views and topics it creates at launch are in {@code ReprocessingIT}.
 */
class OutputVersionTest {

  private static final OrderRevenue JOB = new OrderRevenue();

  private static JobSettings parse(String... more) {
    String[] base = {
      "--runner=FlinkRunner",
      "--source=KAFKA",
      "--bootstrapServers=localhost:1",
      "--inputTopics=orders",
      "--productChanges=products.jsonl",
      "--customerChanges=customers.jsonl",
      "--output=kafka:revenue",
      "--tooLateOutput=out/too-late",
      "--correctionsOutput=console",
      "--deadLetterOutput=kafka:dead-letters",
      "--resultsTable=category_revenue",
      "--jdbcUrl=jdbc:postgresql://localhost:1/kappa"
    };
    // A later option replaces an earlier one of the same name, as in the launcher.
    Map<String, String> byName = new LinkedHashMap<>();
    for (String arg : base) {
      byName.put(arg.substring(0, arg.indexOf('=')), arg);
    }
    for (String arg : more) {
      byName.put(arg.substring(0, arg.indexOf('=')), arg);
    }
    String[] args = byName.values().toArray(String[]::new);
    PipelineOptionsFactory.register(OutputVersionOptions.class);
    return JobSettings.parse(
        JOB, PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class));
  }

  private static Output<?, ?> output(String option) {
    return JOB.parts().stream()
        .filter(part -> part instanceof Output<?, ?> output && output.optionName().equals(option))
        .map(part -> (Output<?, ?>) part)
        .findFirst()
        .orElseThrow();
  }

  private static ResultTable<?, ?> resultTable() {
    return JOB.parts().stream()
        .filter(part -> part instanceof ResultTable<?, ?>)
        .map(part -> (ResultTable<?, ?>) part)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aVersionRenamesEveryTopicFilePrefixTableAndGroup() {
    JobSettings settings =
        parse(
            "--outputVersion=v2", "--kafkaDelivery=EXACTLY_ONCE", "--checkpointingInterval=10000");

    assertThat(settings.outputVersion(), equalTo(new OutputVersion("v2")));
    assertThat(settings.target(output("output")), equalTo(new Target.KafkaTopic("revenue_v2")));
    assertThat(settings.deadLetters(), equalTo(new Target.KafkaTopic("dead-letters_v2")));
    assertThat(settings.resultTable(resultTable()), equalTo("category_revenue_v2"));
    JobSettings.KafkaStream stream = (JobSettings.KafkaStream) settings.source();
    assertThat(stream.read().consumerGroup(), equalTo("kappa-order-revenue-v2"));
    assertThat(settings.kafkaWrite().sinkGroupId(), equalTo("kappa-order-revenue-v2"));
    assertThat(
        settings.versionedOutputs(),
        equalTo(
            List.of(
                new VersionedOutput(
                    "deadLetterOutput", Kind.TOPIC, "dead-letters", "dead-letters_v2"),
                new VersionedOutput("output", Kind.TOPIC, "revenue", "revenue_v2"),
                new VersionedOutput(
                    "resultsTable", Kind.TABLE, "category_revenue", "category_revenue_v2"),
                new VersionedOutput(
                    "tooLateOutput", Kind.FILES, "out/too-late", "out/too-late_v2"))));
  }

  @Test
  void aNamedConsumerGroupGetsTheSuffixToo() {
    JobSettings settings = parse("--outputVersion=v3", "--consumerGroup=revenue-readers");

    assertThat(
        ((JobSettings.KafkaStream) settings.source()).read().consumerGroup(),
        equalTo("revenue-readers-v3"));
  }

  @Test
  void withoutAVersionNothingIsRenamed() {
    JobSettings settings = parse();

    assertThat(settings.outputVersion(), is(nullValue()));
    assertThat(settings.target(output("output")), equalTo(new Target.KafkaTopic("revenue")));
    assertThat(settings.resultTable(resultTable()), equalTo("category_revenue"));
    assertThat(
        ((JobSettings.KafkaStream) settings.source()).read().consumerGroup(),
        equalTo("kappa-order-revenue"));
    assertThat(settings.versionedOutputs(), equalTo(List.of()));
  }

  @Test
  void aVersionThatIsNoVersionFailsNamingTheOption() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> parse("--outputVersion=2"));

    assertThat(e.option(), equalTo("outputVersion"));
    assertThat(e.getMessage(), containsString("such as v2"));
  }

  @Test
  void aVersionNeedsTheDatabaseThatRecordsTheLiveOne() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () ->
                JobSettings.parse(
                    JOB,
                    PipelineOptionsFactory.fromArgs(
                            "--runner=FlinkRunner",
                            "--source=KAFKA",
                            "--bootstrapServers=localhost:1",
                            "--productChanges=products.jsonl",
                            "--customerChanges=customers.jsonl",
                            "--output=console",
                            "--tooLateOutput=console",
                            "--outputVersion=v2")
                        .as(OrderRevenue.Options.class)));

    assertThat(e.option(), equalTo("jdbcUrl"));
    assertThat(e.getMessage(), containsString("kappa_live_versions"));
  }

  @Test
  void aTableNameThatIsNoPlainNameIsRefusedForAVersion() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> parse("--outputVersion=v2", "--resultsTable=revenue-by-category"));

    assertThat(e.option(), equalTo("resultsTable"));
  }

  @Test
  void theMigrationOfAnUnversionedTableRenamesItPutsAViewInItsPlaceAndRecordsV1() {
    assertThat(
        OutputVersions.migration("order-revenue", "category_revenue"),
        equalTo(
            "BEGIN; ALTER TABLE category_revenue RENAME TO category_revenue_v1; CREATE VIEW"
                + " category_revenue AS SELECT * FROM category_revenue_v1; CREATE TABLE IF NOT"
                + " EXISTS kappa_live_versions (job text PRIMARY KEY, version text NOT NULL,"
                + " previous_version text, switched_at timestamptz NOT NULL DEFAULT now(),"
                + " fallback_savepoint text); INSERT INTO kappa_live_versions (job, version)"
                + " VALUES ('order-revenue', 'v1'); COMMIT;"));
  }
}
