package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The argument files for Flink clusters ({@code runners-config/flink-cluster.args}, {@code
 * flink-production.args}) hold only options every pipeline accepts, with checkpointing on and the
 * state backend left to the cluster.
 */
class FlinkClusterArgumentFilesTest {

  private static final Path RUNNERS_CONFIG =
      Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"));

  @ParameterizedTest
  @CsvSource({
    "flink-cluster.args, localhost:8081, 2, 10000",
    "flink-production.args, flink-jobmanager-rest.flink.svc:8081, 4, 60000"
  })
  void everyPipelineAcceptsTheFile(
      String file, String flinkMaster, int parallelism, long checkpointingInterval) {
    String[] options = ArgumentFiles.expand(new String[] {"@" + RUNNERS_CONFIG.resolve(file)});

    for (KappaJob<?> pipeline : KappaJobs.all()) {
      PipelineOptionsFactory.register(pipeline.optionsClass());
      FlinkPipelineOptions flink =
          PipelineOptionsFactory.fromArgs(options)
              .as(pipeline.optionsClass())
              .as(FlinkPipelineOptions.class);

      assertThat(
          pipeline + " " + Arrays.toString(options), flink.getRunner(), equalTo(FlinkRunner.class));
      assertThat(flink.getFlinkMaster(), equalTo(flinkMaster));
      assertThat(flink.getParallelism(), equalTo(parallelism));
      assertThat(flink.getMaxParallelism(), equalTo(128));
      assertThat(flink.getCheckpointingInterval(), equalTo(checkpointingInterval));
      assertThat(flink.getCheckpointingMode(), equalTo("EXACTLY_ONCE"));
      assertThat(flink.isExternalizedCheckpointsEnabled(), is(true));
      assertThat(flink.getRetainExternalizedCheckpointsOnCancellation(), is(true));
      assertThat(flink.getMinPauseBetweenCheckpoints(), greaterThan(0L));
      assertThat("the cluster's state backend", flink.getStateBackend(), nullValue());
    }
  }
}
