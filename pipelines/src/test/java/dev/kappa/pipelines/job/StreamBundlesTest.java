package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.junit.jupiter.api.Test;

/**
 * A stream's bundles close after {@link JobRunner#STREAM_BUNDLE_SIZE} elements unless the user
 * chose a bundle size: the Flink runner holds the watermark while a step's bundle is open.
 */
class StreamBundlesTest {

  @Test
  void beamsDefaultBundleSizeIsShortenedForAStream() {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleSize(), is(JobRunner.STREAM_BUNDLE_SIZE));
  }

  @Test
  void beamsStreamingDefaultIsShortenedToo() {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.as(StreamingOptions.class).setStreaming(true);
    assertThat(options.getMaxBundleSize(), is(1_000L));

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleSize(), is(JobRunner.STREAM_BUNDLE_SIZE));
  }

  @Test
  void aBundleSizeTheUserChoseIsKept() {
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--maxBundleSize=200").as(FlinkPipelineOptions.class);

    JobRunner.streamBundles(options);

    assertThat(options.getMaxBundleSize(), is(200L));
  }
}
