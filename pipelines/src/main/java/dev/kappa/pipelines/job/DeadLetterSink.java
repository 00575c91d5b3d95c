package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkState;

import dev.kappa.schemas.common.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;

/**
 * Collects every dead-letter collection of a job and, when closed, writes them all as one output: a
 * Beam {@link ErrorHandler}, so transforms that take one can report to it, and the {@link
 * JobRunner} closes it after {@code build}, so a job cannot forget to write its dead letters.
 *
 * <p>Why not Beam's own {@code PTransformErrorHandler} (what {@code
 * Pipeline.registerBadRecordErrorHandler} creates): it names its steps {@code
 * Flatten.PCollections}, {@code Record Error Metrics to ...} and {@code Write to error Sink}, so
 * the dead-letter sink's steps (a stateful exactly-once Kafka writer among them) would get new
 * names, and a job restored from a savepoint of the old one would lose their state. This handler
 * keeps the job's names, {@code CollectDeadLetters} and {@code WriteDeadLetters}, and keeps our
 * {@link DeadLetter} record, which carries the Kafka coordinates that Beam's {@code BadRecord}
 * lacks. Counting is done where they are written ({@code WriteDeadLetters/MeasureOutput}).
 */
final class DeadLetterSink implements ErrorHandler<DeadLetter, PDone> {
  private final Function<PCollection<DeadLetter>, PDone> write;
  private final List<PCollection<DeadLetter>> collections = new ArrayList<>();
  private boolean closed;
  @Nullable private PDone output;

  /** A sink that writes the collected dead letters with {@code write}. */
  DeadLetterSink(Function<PCollection<DeadLetter>, PDone> write) {
    this.write = write;
  }

  @Override
  public void addErrorCollection(PCollection<DeadLetter> deadLetters) {
    checkState(!closed, "dead letters cannot be added after the job is built");
    collections.add(deadLetters);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  @Nullable
  public PDone getOutput() {
    checkState(closed, "the dead letters are written when the handler is closed");
    return output;
  }

  /** Adds {@code CollectDeadLetters} and the write; nothing if no step made dead letters. */
  @Override
  public void close() {
    checkState(!closed, "closed twice");
    closed = true;
    if (!collections.isEmpty()) {
      output =
          write.apply(
              PCollectionList.of(collections).apply("CollectDeadLetters", Flatten.pCollections()));
    }
  }
}
