package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.kappa.pipelines.ArgumentFiles;
import dev.kappa.pipelines.EmbeddedFlinkArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkExecutionEnvironments;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Flink runner's configuration flushes a stream's network buffers every {@value
 * #SHIPPED} ms instead of Flink's 100 ms, and that reaches the Flink environment of a stream on
 * both ways Kappa runs it ({@code [local]}, and the prestarted mini cluster's context environment),
 * but not a bounded run, and a configuration the user gives wins (docs/performance.md, the
 * streaming race's buffer timeout).
 */
class StreamBufferTimeoutTest {
  private static final Path CONF_DIR =
      Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
          .resolve("flink/embedded");

  /** What {@code runners-config/flink/embedded/config.yaml} sets. */
  private static final long SHIPPED = 10;

  /** The embedded runner's options ({@code runners-config/flink-embedded.args}). */
  private static FlinkPipelineOptions embedded(String... more) {
    List<String> args = EmbeddedFlinkArgs.with("--useDataStreamForBatch=true");
    args.addAll(List.of(more));
    // A later --flinkConfDir replaces the first, as on Kappa's command line.
    return PipelineOptionsFactory.fromArgs(ArgumentFiles.expand(args.toArray(String[]::new)))
        .as(FlinkPipelineOptions.class);
  }

  private static StreamExecutionEnvironment beamsEnvironment(FlinkPipelineOptions options) {
    return FlinkExecutionEnvironments.createStreamExecutionEnvironment(
        options, List.of(), options.getFlinkConfDir());
  }

  @Test
  void beamsLocalEnvironmentForAStreamHasIt() {
    FlinkPipelineOptions options = embedded("--streaming=true");

    StreamExecutionEnvironment env = beamsEnvironment(options);

    assertThat(env.getBufferTimeout(), is(SHIPPED));
    assertThat(bufferTimeouts(env), everyItem(is(SHIPPED)));
  }

  @Test
  void thePrestartedClustersEnvironmentForAStreamHasIt() {
    FlinkPipelineOptions options = embedded("--streaming=true");
    EmbeddedMiniCluster cluster = EmbeddedMiniCluster.prestart(options);
    assertThat(cluster, notNullValue());
    try {
      cluster.useForRun(options);
      // Beam's [auto] takes the context environment the cluster installed.
      StreamExecutionEnvironment env = beamsEnvironment(options);

      assertThat(env.getBufferTimeout(), is(SHIPPED));
      assertThat(bufferTimeouts(env), everyItem(is(SHIPPED)));
    } finally {
      cluster.release(options);
    }
  }

  @Test
  void aBoundedRunHasNone() {
    FlinkPipelineOptions options = embedded();
    StreamExecutionEnvironment env = beamsEnvironment(options);
    // What Beam's translation does for a bounded run with --useDataStreamForBatch.
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);

    List<Long> timeouts = bufferTimeouts(env);

    assertThat(timeouts, not(List.of()));
    assertThat(timeouts, everyItem(is(ExecutionOptions.DISABLED_NETWORK_BUFFER_TIMEOUT)));
  }

  @Test
  void aConfigurationTheUserGivesWins(@TempDir Path userConf) throws IOException {
    Files.writeString(
        userConf.resolve("config.yaml"),
        Files.readString(CONF_DIR.resolve("config.yaml"))
            .replace(
                "execution.buffer-timeout.interval: " + SHIPPED + " ms",
                "execution.buffer-timeout.interval: 50 ms"));
    FlinkPipelineOptions options = embedded("--streaming=true", "--flinkConfDir=" + userConf);

    StreamExecutionEnvironment env = beamsEnvironment(options);

    assertThat(env.getBufferTimeout(), is(50L));
  }

  @Test
  void aClusterSubmissionTakesItFromTheLaunchersConfiguration(@TempDir Path clientConf)
      throws IOException {
    Files.writeString(
        clientConf.resolve("config.yaml"), "execution.buffer-timeout.interval: 10 ms\n");
    FlinkPipelineOptions options =
        embedded(
            "--streaming=true", "--flinkMaster=localhost:8081", "--flinkConfDir=" + clientConf);

    // Beam builds the job graph, and each step's timeout in it, in the launcher.
    StreamExecutionEnvironment env = beamsEnvironment(options);

    assertThat(env.getBufferTimeout(), is(10L));
    assertThat(bufferTimeouts(env), everyItem(is(10L)));
  }

  /** Each step's buffer timeout in a small keyed job's stream graph from {@code env}. */
  private static List<Long> bufferTimeouts(StreamExecutionEnvironment env) {
    env.fromSequence(0, 10).keyBy(n -> n % 2).map(n -> n + 1).addSink(new DiscardingSink<>());
    return env.getStreamGraph().getStreamNodes().stream()
        .map(StreamNode::getBufferTimeout)
        .collect(Collectors.toList());
  }
}
