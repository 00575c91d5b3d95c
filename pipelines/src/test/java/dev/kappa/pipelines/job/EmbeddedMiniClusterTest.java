package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;

class EmbeddedMiniClusterTest {
  private static final String CONF_DIR = "../runners-config/flink/embedded";

  private static FlinkPipelineOptions embedded(String... more) {
    List<String> args = new ArrayList<>(List.of("--runner=FlinkRunner", "--parallelism=2"));
    args.add("--flinkConfDir=" + CONF_DIR);
    args.addAll(List.of(more));
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(FlinkPipelineOptions.class);
    if (args.stream().noneMatch(a -> a.startsWith("--flinkMaster="))) {
      options.setFlinkMaster("[local]");
    }
    return options;
  }

  @Test
  void startsOnlyForAttachedDataStreamRunsOnTheEmbeddedRunner() {
    assertThat(
        EmbeddedMiniCluster.prestart(PipelineOptionsFactory.create()),
        nullValue()); // the Direct runner
    assertThat(EmbeddedMiniCluster.prestart(embedded()), nullValue()); // batch on the DataSet API
    assertThat(
        EmbeddedMiniCluster.prestart(
            embedded("--useDataStreamForBatch=true", "--flinkMaster=localhost:8081")),
        nullValue());
    assertThat(
        EmbeddedMiniCluster.prestart(embedded("--streaming=true", "--attachedMode=false")),
        nullValue());
  }

  @Test
  void theExecutorsClusterIsTheStartedOneWithTheJobsOwnSettingsAdded() {
    Configuration environment = EmbeddedMiniCluster.environmentConfiguration(CONF_DIR);
    MiniClusterConfiguration started = EmbeddedMiniCluster.clusterConfiguration(environment);

    Configuration withJob = new Configuration(environment);
    withJob.setString("execution.runtime-mode", "BATCH");
    withJob.setString("parallelism.default", "2");
    assertThat(
        EmbeddedMiniCluster.sameCluster(started, EmbeddedMiniCluster.clusterConfiguration(withJob)),
        equalTo(true));

    Configuration moreSlots = new Configuration(environment);
    moreSlots.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
    assertThat(
        EmbeddedMiniCluster.sameCluster(
            started, EmbeddedMiniCluster.clusterConfiguration(moreSlots)),
        equalTo(false));

    Configuration otherNetwork = new Configuration(environment);
    otherNetwork.setString("taskmanager.memory.network.max", "256m");
    otherNetwork.setString("taskmanager.memory.managed.size", "1");
    assertThat(
        EmbeddedMiniCluster.sameCluster(
            started, EmbeddedMiniCluster.clusterConfiguration(otherNetwork)),
        equalTo(false));
  }

  @Test
  void aJobRunsOnTheStartedClusterAndTheNextRunIsMadeAsBefore() {
    FlinkPipelineOptions options = embedded("--useDataStreamForBatch=true");
    options.setRunner(FlinkRunner.class);
    EmbeddedMiniCluster cluster = EmbeddedMiniCluster.prestart(options);
    assertThat(cluster, notNullValue());
    try {
      cluster.useForRun(options);
      PipelineResult result = countRun(options);
      assertThat(result.getState(), equalTo(PipelineResult.State.DONE));
      assertThat(seen(result), equalTo(100L));
      assertThat(cluster.adopted(), equalTo(true));
    } finally {
      cluster.release(options);
    }
    assertThat(options.getFlinkMaster(), equalTo("[local]"));

    // The context environment was taken once: the next run starts its own cluster, as Beam does.
    PipelineResult again = countRun(options);
    assertThat(again.getState(), equalTo(PipelineResult.State.DONE));
    assertThat(seen(again), equalTo(100L));
  }

  private static PipelineResult countRun(FlinkPipelineOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(Create.of(IntStream.range(0, 100).boxed().collect(Collectors.toList())))
        .apply(ParDo.of(new Count()));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  private static long seen(PipelineResult result) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(Count.class, "seen"))
                    .build());
    return metrics.getCounters().iterator().next().getAttempted();
  }

  private static final class Count extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter(Count.class, "seen");

    @ProcessElement
    public void process(@Element Integer element) {
      seen.inc();
    }
  }
}
