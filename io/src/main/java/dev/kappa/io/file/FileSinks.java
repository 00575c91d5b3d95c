package dev.kappa.io.file;

import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;

/**
 * What the file sinks share: the output prefix check, and the windowing every unbounded file sink
 * uses: the global window, fired every interval of processing time, discarding what was fired. Each
 * element is written exactly once whatever the input's own windowing and accumulation, and nothing
 * can be dropped as late (the global window never expires before the input ends).
 */
final class FileSinks {
  private FileSinks() {}

  static <T> Window<T> flushEvery(Duration interval) {
    return Window.<T>into(new GlobalWindows())
        .triggering(
            Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(interval)))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  /** A path ending in a file-name prefix, as every file sink takes. */
  static String checkPrefix(String outputPrefix) {
    if (outputPrefix == null || outputPrefix.isEmpty() || outputPrefix.endsWith("/")) {
      throw new IllegalArgumentException(
          "outputPrefix must be a path ending in a file-name prefix, e.g. /data/out/orders, was "
              + (outputPrefix == null ? "null" : "\"" + outputPrefix + "\""));
    }
    return outputPrefix;
  }

  static Duration checkInterval(Duration interval) {
    if (interval == null || interval.getMillis() <= 0) {
      throw new IllegalArgumentException("flushInterval must be positive, was " + interval);
    }
    return interval;
  }
}
