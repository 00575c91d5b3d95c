package dev.kappa.pipelines;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * When {@link Outputs#refuseUsedSinkGroupsOnFreshStart} leaves the broker alone. The broker here
 * does not exist: asking it would fail after the admin client's timeout. The refusal itself,
 * against a real broker, is in {@code ExactlyOnceSinkIT}.
 */
class OutputsFreshStartTest {

  private static final String NO_BROKER = "localhost:1";

  private static void check(String... args) {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class);
    Outputs.refuseUsedSinkGroupsOnFreshStart(
        options, Outputs.KafkaSink.from(options, "kappa-order-revenue"), "kafka:results", null);
  }

  @Test
  void aRestoreFromASavepointIsNotChecked() {
    assertDoesNotThrow(
        () ->
            check(
                "--runner=FlinkRunner",
                "--flinkMaster=localhost:8081",
                "--bootstrapServers=" + NO_BROKER,
                "--kafkaDelivery=EXACTLY_ONCE",
                "--savepointPath=/savepoints/savepoint-1"));
  }

  @Test
  void anApplicationClusterIsNotChecked() {
    assertDoesNotThrow(
        () ->
            check(
                "--runner=FlinkRunner",
                "--flinkMaster=[auto]",
                "--bootstrapServers=" + NO_BROKER,
                "--kafkaDelivery=EXACTLY_ONCE"));
  }

  @Test
  void atLeastOnceIsNotChecked() {
    assertDoesNotThrow(
        () ->
            check(
                "--runner=FlinkRunner",
                "--flinkMaster=localhost:8081",
                "--bootstrapServers=" + NO_BROKER,
                "--kafkaDelivery=AT_LEAST_ONCE"));
  }
}
