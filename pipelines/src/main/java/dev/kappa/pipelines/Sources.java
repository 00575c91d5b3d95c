package dev.kappa.pipelines;

import dev.kappa.io.file.Files;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SourceOptions;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/** Chooses and configures a job's source from its {@link SourceOptions}. */
public final class Sources {
  private Sources() {}

  /**
   * The undecoded records the options point at, read by a step named {@code stepName}.
   *
   * @param eventTime reads a record's event time, for sources that stamp records themselves (the
   *     replay); it may throw for a bad record, which is then still emitted
   */
  public static PCollection<SourceRecord> records(
      Pipeline pipeline,
      SourceOptions options,
      String stepName,
      SerializableFunction<SourceRecord, Instant> eventTime) {
    String input = OptionValues.required("input", options.getInput());
    switch (options.getSource()) {
      case FILES:
        return pipeline.apply(stepName, Files.read(input));
      case REPLAY:
        return pipeline.apply(
            stepName,
            Files.replay(input)
                .withEventTime(eventTime)
                .withSpeedUp(OptionValues.speedUp("replaySpeedUp", options.getReplaySpeedUp()))
                .withMaxOutOfOrderness(
                    OptionValues.duration("maxOutOfOrderness", options.getMaxOutOfOrderness())));
    }
    throw new IllegalStateException("unhandled source " + options.getSource());
  }
}
