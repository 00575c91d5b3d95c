package dev.kappa.pipelines.ops;

import static dev.kappa.pipelines.ops.FlinkRestClientTest.json;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Beam metrics as the FlinkRunner reports them through Flink's REST API (captured answers). */
class BeamMetricsTest {

  private static List<String> ids(String file) {
    List<String> ids = new ArrayList<>();
    for (JsonNode metric : json(file)) {
      ids.add(metric.path("id").asText());
    }
    return ids;
  }

  private static List<BeamMetrics.StepMetric> aggregate(String valuesFile) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode metric : json(valuesFile)) {
      values.put(metric.path("id").asText(), metric.path("value").asText());
    }
    return BeamMetrics.aggregate(values);
  }

  /** The job's user accumulators as Flink's REST client reads them from the captured answer. */
  private static Map<String, String> accumulators(String file) {
    String job = "1552e8f34e4add0f0761f065910f8cad";
    return FakeFlink.ask(
        "GET /jobs/" + job + "/accumulators", file, flink -> flink.accumulators(job));
  }

  @Test
  void findsTheBeamMetricsAmongAVertexsFlinkMetrics() {
    List<String> ids = ids("vertex-source-metric-ids.json");

    List<String> beam = ids.stream().filter(id -> BeamMetrics.parse(id).isPresent()).toList();

    assertThat(ids.size(), is(147));
    assertThat(
        beam,
        containsInAnyOrder(
            "0.ComputeOrderRevenue/DecodeOrders/ParMultiDo(Decode).DecodeOrders_decoded",
            "0.ComputeOrderRevenue/DecodeOrders/ParMultiDo(Decode).DecodeOrders_deadLetters",
            "0.Source__ReadOrders/ReplayRecords.dev_kappa_io_file_ReplayFile_recordsEmitted",
            "0.Source__ReadOrders/ReplayRecords.dev_kappa_io_file_ReplayFile_recordsWithoutEventTime"));
  }

  @Test
  void flinksOwnMetricsAreNotBeamMetrics() {
    assertThat(BeamMetrics.parse("0.numRecordsIn"), is(Optional.empty()));
    assertThat(BeamMetrics.parse("0.mailboxLatencyMs_p99"), is(Optional.empty()));
    assertThat(
        BeamMetrics.parse("1.ComputeOrderRevenue/SumRevenue.numRecordsOutPerSecond"),
        is(Optional.empty()));
    assertThat(
        BeamMetrics.parse("0.Shuffle.Netty.Input.Buffers.inputQueueLength"), is(Optional.empty()));
  }

  @Test
  void aBeamMetricIdNamesTheOperatorNamespaceAndName() {
    BeamMetrics.Key key =
        BeamMetrics.parse(
                "1.ComputeOrderRevenue/WindowOrders/DivertTooLate/DivertExpiredWindows"
                    + ".dev_kappa_transforms_lateness_DivertTooLateEvents_tooLateRecords")
            .orElseThrow();

    assertThat(
        key.operator(), is("ComputeOrderRevenue/WindowOrders/DivertTooLate/DivertExpiredWindows"));
    assertThat(key.name(), is("tooLateRecords"));
    assertThat(key.displayName(), is("DivertTooLateEvents/tooLateRecords"));
    assertThat(
        BeamMetrics.parse(
                "0.WriteDeadLetters/MeasureOutput/ParDo(Measure)/ParMultiDo(Measure).dead-letter_recordsOut")
            .orElseThrow()
            .displayName(),
        is("dead-letter/recordsOut"));
  }

  @Test
  void countersAreSummedOverSubtasks() {
    assertThat(
        aggregate("vertex-divert-metric-values.json"),
        contains(
            new BeamMetrics.StepMetric(
                "ComputeOrderRevenue/WindowOrders/DivertTooLate/DivertExpiredWindows",
                "DivertTooLateEvents/lateRecordsAccepted",
                7L,
                null,
                null)));
  }

  @Test
  void distributionsAreCombinedOverSubtasks() {
    List<BeamMetrics.StepMetric> metrics = aggregate("vertex-results-metric-values.json");

    assertThat(
        metrics,
        containsInAnyOrder(
            new BeamMetrics.StepMetric(
                "WriteResults/MeasureOutput", "result/recordsOut", 65L, null, null),
            new BeamMetrics.StepMetric(
                "WriteResults/MeasureOutput",
                "result/eventTimeLatencyMillis",
                null,
                new BeamMetrics.Distribution(
                    65, 1213080151715L + 274660484236L, 22886615647L, 22889585265L),
                null)));
  }

  @Test
  void latencyIsShownAsDurations() {
    BeamMetrics.StepMetric latency =
        new BeamMetrics.StepMetric(
            "WriteResults/MeasureOutput",
            "result/eventTimeLatencyMillis",
            null,
            new BeamMetrics.Distribution(4, 10_000, 1_000, 4_000),
            null);

    assertThat(latency.render(), is("count 4, mean 2.5 s, min 1.0 s, max 4.0 s"));
  }

  @Test
  void anEndedJobsFinalMetricsComeFromItsAccumulator() {
    List<BeamMetrics.StepMetric> metrics =
        BeamMetrics.fromAccumulators(accumulators("finished-job-accumulators.json"));

    assertThat(
        metrics,
        hasItem(
            new BeamMetrics.StepMetric(
                "ComputeOrderRevenue/DecodeOrders", "DecodeOrders/decoded", 187L, null, null)));
    assertThat(
        metrics,
        hasItem(
            new BeamMetrics.StepMetric(
                "ComputeOrderRevenue/WindowOrders/DivertTooLate/DivertExpiredWindows",
                "DivertTooLateEvents/lateRecordsAccepted",
                10L,
                null,
                null)));
    assertThat(
        metrics,
        hasItem(
            new BeamMetrics.StepMetric(
                "WriteDeadLetters/MeasureOutput",
                "dead-letter/eventTimeLatencyMillis",
                null,
                new BeamMetrics.Distribution(6, 137326462128L, 22885880529L, 22889528671L),
                null)));
    assertThat(metrics.size(), is(24));
  }

  @Test
  void aRunningJobsAccumulatorHoldsOnlyItsFinishedTasksMetrics() {
    List<BeamMetrics.StepMetric> metrics =
        BeamMetrics.fromAccumulators(accumulators("running-job-accumulators.json"));

    assertThat(
        metrics.stream().map(m -> m.step() + " " + m.metric()).toList(),
        containsInAnyOrder(
            "ReadCustomerChanges/ReadRecords ReadFiles/recordsRead",
            "ReadCustomerChanges/ReadRecords ReadFiles/filesRead",
            "DecodeCustomerChanges/DecodeCustomerChanges DecodeCustomerChanges/decoded",
            "ReadProductChanges/ReadRecords ReadFiles/recordsRead",
            "ReadProductChanges/ReadRecords ReadFiles/filesRead",
            "DecodeProductChanges/DecodeProductChanges DecodeProductChanges/decoded"));
  }

  @Test
  void varintsAreBeamsEncoding() {
    assertThat(BeamMetrics.varints(new byte[] {(byte) 0xda, 0x02}), equalTo(new long[] {346}));
    assertThat(BeamMetrics.varints(new byte[] {0x09, 0x00}), equalTo(new long[] {9, 0}));
  }

  @Test
  void stepsLoseTheirParDoWrappers() {
    assertThat(
        BeamMetrics.step("WriteResults/MeasureOutput/ParDo(Measure)/ParMultiDo(Measure)"),
        is("WriteResults/MeasureOutput"));
    assertThat(
        BeamMetrics.step("ComputeOrderRevenue/DecodeOrders/ParMultiDo(Decode)"),
        is("ComputeOrderRevenue/DecodeOrders"));
    assertThat(
        BeamMetrics.step("Source__ReadOrders/ReplayRecords"),
        is("Source: ReadOrders/ReplayRecords"));
    assertThat(BeamMetrics.step("ParMultiDo(Anonymous)"), is("ParMultiDo(Anonymous)"));
  }

  @Test
  void classNamespacesAreShortened() {
    assertThat(
        BeamMetrics.shortNamespace("dev_kappa_transforms_lateness_DivertTooLateEvents"),
        is("DivertTooLateEvents"));
    assertThat(BeamMetrics.shortNamespace("dead-letter"), is("dead-letter"));
    assertThat(BeamMetrics.shortNamespace("DecodeOrders"), is("DecodeOrders"));
    assertThat(BeamMetrics.shortNamespace("my_Namespace"), is("Namespace"));
    assertThat(BeamMetrics.shortNamespace("too_late"), is("too_late"));
  }

  @Test
  void unknownValuesAreKeptAsText() {
    List<BeamMetrics.StepMetric> metrics =
        BeamMetrics.aggregate(Map.of("0.Op.ns_name", "not a number"));

    assertThat(metrics.get(0).render(), is("not a number"));
  }
}
