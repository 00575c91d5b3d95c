package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * A stream's bundles close after {@link JobRunner#STREAM_BUNDLE_MILLIS} unless the user chose a
 * bundle time: the Flink runner holds the watermark while a bundle is open.
 */
class StreamBundlesTest {

  @Test
  void beamsDefaultBundleTimeIsShortenedForAStream() {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleTimeMills(), is(JobRunner.STREAM_BUNDLE_MILLIS));
  }

  @Test
  void beamsStreamingDefaultIsShortenedToo() {
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--streaming=true").as(FlinkPipelineOptions.class);

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleTimeMills(), is(JobRunner.STREAM_BUNDLE_MILLIS));
  }

  @Test
  void aBundleTimeTheUserChoseIsKept() {
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--maxBundleTimeMills=500").as(FlinkPipelineOptions.class);

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleTimeMills(), is(500L));
  }
}
