package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class KafkaSafetyTest {

  private static OrderRevenue.Options options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(OrderRevenue.Options.class);
  }

  private static InvalidOptionException refused(String... args) {
    return assertThrows(InvalidOptionException.class, () -> KafkaSafety.check(options(args)));
  }

  @Test
  void exactlyOnceWithoutCheckpointingIsRefused() {
    InvalidOptionException e = refused("--runner=FlinkRunner", "--kafkaDelivery=EXACTLY_ONCE");

    assertThat(e.option(), equalTo("kafkaDelivery"));
    assertThat(e.getMessage(), containsString("--checkpointingInterval=<ms>"));
  }

  @Test
  void exactlyOnceOnTheDirectRunnerIsRefused() {
    InvalidOptionException e = refused("--runner=DirectRunner", "--kafkaDelivery=EXACTLY_ONCE");

    assertThat(e.option(), equalTo("kafkaDelivery"));
  }

  @Test
  void exactlyOnceWithCheckpointingOnFlinkIsAccepted() {
    assertDoesNotThrow(
        () ->
            KafkaSafety.check(
                options(
                    "--runner=FlinkRunner",
                    "--source=KAFKA",
                    "--kafkaDelivery=EXACTLY_ONCE",
                    "--checkpointingInterval=10000")));
  }

  @Test
  void exactlyOnceInAStreamThatEndsIsRefused() {
    InvalidOptionException e =
        refused(
            "--runner=FlinkRunner",
            "--kafkaDelivery=EXACTLY_ONCE",
            "--checkpointingInterval=10000",
            "--stopAtEnd");

    assertThat(e.option(), equalTo("kafkaDelivery"));
    assertThat(e.getMessage(), containsString("apache/beam#28554"));
  }

  @Test
  void exactlyOnceInABackfillIsRefused() {
    InvalidOptionException e =
        refused(
            "--runner=FlinkRunner",
            "--kafkaDelivery=EXACTLY_ONCE",
            "--checkpointingInterval=10000",
            "--source=KAFKA",
            "--from=2026-03-01T10:00:00Z",
            "--to=2026-03-01T11:00:00Z");

    assertThat(e.option(), equalTo("kafkaDelivery"));
    assertThat(e.getMessage(), containsString("a bounded run"));
  }

  @Test
  void exactlyOnceOverFilesIsRefused() {
    InvalidOptionException e =
        refused(
            "--runner=FlinkRunner",
            "--kafkaDelivery=EXACTLY_ONCE",
            "--checkpointingInterval=10000",
            "--source=FILES");

    assertThat(e.option(), equalTo("kafkaDelivery"));
  }

  @Test
  void autoCommitWithCheckpointingIsRefused() {
    InvalidOptionException e =
        refused("--runner=FlinkRunner", "--checkpointingInterval=10000", "--kafkaAutoCommit");

    assertThat(e.option(), equalTo("kafkaAutoCommit"));
    assertThat(e.getMessage(), containsString("apache/beam#21742"));
  }

  @Test
  void autoCommitWithoutCheckpointingIsAccepted() {
    assertDoesNotThrow(
        () -> KafkaSafety.check(options("--runner=FlinkRunner", "--kafkaAutoCommit")));
  }

  @Test
  void aBackfillNeedsBothEnds() {
    InvalidOptionException e = refused("--source=KAFKA", "--from=2026-03-01T10:00:00Z");

    assertThat(e.getMessage(), equalTo("--to: a backfill needs both --from and --to"));
  }

  @Test
  void aBackfillRangeMustBeInOrder() {
    InvalidOptionException e =
        refused("--source=KAFKA", "--from=2026-03-01T10:00:00Z", "--to=2026-03-01T09:00:00Z");

    assertThat(e.option(), equalTo("to"));
    assertThat(e.getMessage(), containsString("must be after --from"));
  }

  @Test
  void aBackfillRangeNeedsAKafkaSource() {
    InvalidOptionException e =
        refused("--source=FILES", "--from=2026-03-01T10:00:00Z", "--to=2026-03-01T11:00:00Z");

    assertThat(e.option(), equalTo("from"));
  }

  @Test
  void aBackfillRangeWithABadInstantNamesTheOption() {
    InvalidOptionException e =
        refused("--source=KAFKA", "--from=yesterday", "--to=2026-03-01T11:00:00Z");

    assertThat(e.getMessage(), containsString("--from: 'yesterday' is not an ISO-8601 instant"));
  }

  @Test
  void aBackfillAlreadyEnds() {
    InvalidOptionException e =
        refused(
            "--source=KAFKA",
            "--from=2026-03-01T10:00:00Z",
            "--to=2026-03-01T11:00:00Z",
            "--stopAtEnd");

    assertThat(e.option(), equalTo("stopAtEnd"));
  }
}
