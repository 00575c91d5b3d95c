package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * When the launch checks ask Kafka whether an exactly-once output's sink group was used before:
 * only on a fresh start. The broker here does not exist and is not contacted; the refusal itself,
 * against a real broker, is in {@code ExactlyOnceSinkIT}.
 */
class SinkGroupCheckTest {

  private static final OrderRevenue JOB = new OrderRevenue();

  private static Map<String, Map<String, String>> sinkGroupsChecked(String... more) {
    String[] base = {
      "--runner=FlinkRunner",
      "--checkpointingInterval=10000",
      "--source=KAFKA",
      "--bootstrapServers=localhost:1",
      "--productChanges=products.jsonl",
      "--customerChanges=customers.jsonl",
      "--output=kafka:results",
      "--tooLateOutput=late"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class);
    return JobSettings.parse(JOB, options).launchChecks(JOB).sinkGroups();
  }

  @Test
  void aFreshExactlyOnceStartChecksEveryKafkaOutputsGroup() {
    assertThat(
        sinkGroupsChecked(
            "--flinkMaster=localhost:8081",
            "--kafkaDelivery=EXACTLY_ONCE",
            "--deadLetterOutput=kafka:dead-letters"),
        equalTo(
            Map.of(
                "localhost:1",
                Map.of("results", "kappa-order-revenue", "dead-letters", "kappa-order-revenue"))));
  }

  @Test
  void aRestoreFromASavepointIsNotChecked() {
    assertThat(
        sinkGroupsChecked(
            "--flinkMaster=localhost:8081",
            "--kafkaDelivery=EXACTLY_ONCE",
            "--savepointPath=/savepoints/savepoint-1"),
        anEmptyMap());
  }

  @Test
  void anApplicationClusterIsNotChecked() {
    assertThat(
        sinkGroupsChecked("--flinkMaster=[auto]", "--kafkaDelivery=EXACTLY_ONCE"), anEmptyMap());
  }

  @Test
  void atLeastOnceIsNotChecked() {
    assertThat(
        sinkGroupsChecked("--flinkMaster=localhost:8081", "--kafkaDelivery=AT_LEAST_ONCE"),
        anEmptyMap());
  }
}
