package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.schemas.codec.EventCodec;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * A typed output of a job and the option naming its {@link Target}: the console, JSON-lines files,
 * or a Kafka topic. {@link JobContext#write} writes it under its step name; every target measures
 * what leaves the job.
 *
 * <pre>{@code
 * static final Output<Options, CategoryRevenue> RESULTS =
 *     Output.<Options, CategoryRevenue>of("WriteResults", CategoryRevenue.class, "result")
 *         .to("output", Options::getOutput)
 *         .formattedBy(RevenueFormat::human)
 *         .keyedBy(OrderRevenue::resultKey);
 * }</pre>
 *
 * @param <O> the job's options
 * @param <T> the output's records
 */
public final class Output<O, T extends SpecificRecordBase> implements JobPart<O> {
  private final String stepName;
  private final Class<T> recordClass;
  private final String label;
  @Nullable private final OptionRef<O, String> option;
  private final boolean optional;
  private final SerializableFunction<T, String> human;
  private final SerializableFunction<T, byte[]> key;
  private final boolean sortedOnConsole;

  private Output(
      String stepName,
      Class<T> recordClass,
      String label,
      @Nullable OptionRef<O, String> option,
      boolean optional,
      SerializableFunction<T, String> human,
      SerializableFunction<T, byte[]> key,
      boolean sortedOnConsole) {
    this.stepName = stepName;
    this.recordClass = recordClass;
    this.label = label;
    this.option = option;
    this.optional = optional;
    this.human = human;
    this.key = key;
    this.sortedOnConsole = sortedOnConsole;
  }

  /**
   * Records of {@code recordClass} written by a step named {@code stepName}; {@code label} names
   * them on the console and in the output metrics. By default the console shows their JSON and
   * Kafka records have no key.
   */
  public static <O, T extends SpecificRecordBase> Output<O, T> of(
      String stepName, Class<T> recordClass, String label) {
    checkArgument(
        stepName != null && stepName.startsWith("Write"), "step name must be Write<what>");
    checkNotNull(recordClass, "record class must be set");
    checkArgument(label != null && !label.isBlank(), "label must be set");
    EventCodec<T> codec = EventCodec.of(recordClass);
    return new Output<>(
        stepName, recordClass, label, null, false, codec::toJson, record -> null, false);
  }

  /** The option naming the target; the job fails at launch if it is not set. */
  public Output<O, T> to(String optionName, Function<O, String> getter) {
    return new Output<>(
        stepName,
        recordClass,
        label,
        new OptionRef<>(optionName, getter),
        false,
        human,
        key,
        sortedOnConsole);
  }

  /** The option naming the target; the output is not written when the option is not set. */
  public Output<O, T> toIfSet(String optionName, Function<O, String> getter) {
    return new Output<>(
        stepName,
        recordClass,
        label,
        new OptionRef<>(optionName, getter),
        true,
        human,
        key,
        sortedOnConsole);
  }

  /** How a record looks on the console: one line. */
  public Output<O, T> formattedBy(SerializableFunction<T, String> human) {
    checkNotNull(human, "human must be set");
    return new Output<>(
        stepName, recordClass, label, option, optional, human, key, sortedOnConsole);
  }

  /** A record's Kafka key (null for none). */
  public Output<O, T> keyedBy(SerializableFunction<T, byte[]> key) {
    checkNotNull(key, "key must be set");
    return new Output<>(
        stepName, recordClass, label, option, optional, human, key, sortedOnConsole);
  }

  /**
   * In a bounded run, the console shows this output sorted once it is complete (a result line
   * starts with its window, then its key). For small outputs only, such as results: one task holds
   * all their lines.
   */
  public Output<O, T> sortedOnConsole() {
    return new Output<>(stepName, recordClass, label, option, optional, human, key, true);
  }

  boolean isSortedOnConsole() {
    return sortedOnConsole;
  }

  public String stepName() {
    return stepName;
  }

  /** The name of the option that names it, e.g. {@code resultsTable}. */
  public String optionName() {
    return option().name();
  }

  public Class<T> recordClass() {
    return recordClass;
  }

  public String label() {
    return label;
  }

  public SerializableFunction<T, String> human() {
    return human;
  }

  public SerializableFunction<T, byte[]> key() {
    return key;
  }

  boolean optional() {
    return optional;
  }

  OptionRef<O, String> option() {
    return checkNotNull(option, "output %s needs to(...) or toIfSet(...)", stepName);
  }

  @Override
  public String toString() {
    return stepName;
  }
}
