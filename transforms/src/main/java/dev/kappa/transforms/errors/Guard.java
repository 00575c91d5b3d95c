package dev.kappa.transforms.errors;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableList;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Runs a per-element step so that an exception on one element becomes a dead letter instead of a
 * failed bundle (Beam's error-handling pattern): the other elements proceed, and the job keeps
 * running instead of failing, or under a restart strategy crash-looping on the same element.
 *
 * <p>The dead letter names the step, the error's class, message and stack trace, and the element's
 * coordinates from an {@link ElementCoordinates} function (by default the step's name and the
 * element's bytes in its coder). Dead letters leave in the global window with the default trigger,
 * whatever the input's windowing, so they can join any job's dead-letter output. Both outputs are
 * counted ({@code guarded} and {@code deadLetters}, namespaced by the step name).
 *
 * <p>A step whose failure means the job must stop (a bug no element should survive, or a sink that
 * must not skip a record) declares itself {@link #failFast()}: then exceptions propagate as with a
 * plain ParDo and the dead-letter output stays empty. {@link Error}s (out of memory) always
 * propagate: they are about the worker, not the element.
 *
 * <p>Wrapping an existing step keeps its Flink operator uid (its full name) with {@link
 * #withPrimitiveName}: for a former {@code MapElements} step, {@code withPrimitiveName("Map",
 * "ParMultiDo(Anonymous)")}.
 *
 * <pre>{@code
 * Guard<EnrichedOrder, KV<String, OrderEvent>> keyBy =
 *     Guard.map("KeyByCategory", (EnrichedOrder o) -> KV.of(o.getCategory(), o.getOrder()))
 *         .withOutputCoder(KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(OrderEvent.class)))
 *         .withCoordinates(OrderCoordinates.of(EnrichedOrder::getOrder));
 * PCollectionTuple keyed = orders.apply("KeyByCategory", keyBy);
 * PCollection<KV<String, OrderEvent>> byCategory = keyed.get(keyBy.outputTag());
 * PCollection<DeadLetter> failed = keyed.get(keyBy.deadLetterTag());
 * }</pre>
 *
 * @param <InputT> the element type
 * @param <OutputT> the output type
 */
@AutoValue
public abstract class Guard<InputT, OutputT>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** The name recorded in dead letters and counters: the name the step is applied with. */
  public abstract String stepName();

  abstract GuardedFn<InputT, OutputT> fn();

  abstract @Nullable Coder<OutputT> outputCoder();

  abstract @Nullable ElementCoordinates<InputT> coordinates();

  /** Whether exceptions fail the bundle instead of becoming dead letters. */
  public abstract boolean failFast();

  abstract ImmutableList<String> primitiveName();

  abstract TupleTag<OutputT> outputTagInternal();

  abstract TupleTag<DeadLetter> deadLetterTagInternal();

  abstract Builder<InputT, OutputT> toBuilder();

  /** Guards {@code fn}, applied as step {@code stepName}. */
  public static <InputT, OutputT> Guard<InputT, OutputT> of(
      String stepName, GuardedFn<InputT, OutputT> fn) {
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
    return new AutoValue_Guard.Builder<InputT, OutputT>()
        .setStepName(stepName)
        .setFn(checkNotNull(fn, "fn must be set"))
        .setFailFast(false)
        .setPrimitiveName(ImmutableList.of("ParMultiDo(Guarded)"))
        .setOutputTagInternal(new TupleTag<OutputT>("output") {})
        .setDeadLetterTagInternal(new TupleTag<DeadLetter>("deadLetters") {})
        .build();
  }

  /** Guards a one-to-one {@code fn}, applied as step {@code stepName}. */
  public static <InputT, OutputT> Guard<InputT, OutputT> map(
      String stepName, SerializableFunction<InputT, OutputT> fn) {
    checkNotNull(fn, "fn must be set");
    return of(stepName, (element, context, out) -> out.accept(fn.apply(element)));
  }

  /** Encodes outputs with {@code coder}; required. */
  public Guard<InputT, OutputT> withOutputCoder(Coder<OutputT> coder) {
    return toBuilder().setOutputCoder(checkNotNull(coder, "coder must be set")).build();
  }

  /** Locates failed elements with {@code coordinates} instead of the step name and their bytes. */
  public Guard<InputT, OutputT> withCoordinates(ElementCoordinates<InputT> coordinates) {
    return toBuilder().setCoordinates(checkNotNull(coordinates, "coordinates must be set")).build();
  }

  /** Lets exceptions fail the bundle: for steps where skipping an element would be wrong. */
  public Guard<InputT, OutputT> asFailFast() {
    return toBuilder().setFailFast(true).build();
  }

  /**
   * Applies the guarded ParDo under this path inside the step (default {@code
   * ParMultiDo(Guarded)}), so that a step wrapped in a guard keeps its primitive's full name, which
   * the Flink runner uses as the operator uid that savepoints are restored by.
   */
  public Guard<InputT, OutputT> withPrimitiveName(String... path) {
    checkArgument(path.length > 0, "the path must name at least one step");
    for (String name : path) {
      checkArgument(name != null && !name.isBlank(), "path step names must not be blank");
    }
    return toBuilder().setPrimitiveName(ImmutableList.copyOf(path)).build();
  }

  /** What the step emitted for the elements that did not fail. */
  public TupleTag<OutputT> outputTag() {
    return outputTagInternal();
  }

  /** One dead letter per element that failed, in the global window. */
  public TupleTag<DeadLetter> deadLetterTag() {
    return deadLetterTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> input) {
    checkArgument(outputCoder() != null, "%s: withOutputCoder(...) is required", stepName());
    GuardFn<InputT, OutputT> guardFn =
        new GuardFn<>(
            stepName(),
            fn(),
            coordinates(),
            input.getCoder(),
            failFast(),
            outputTag(),
            deadLetterTag());
    PTransform<? super PCollection<InputT>, PCollectionTuple> parDo =
        ParDo.of(guardFn).withOutputTags(outputTag(), TupleTagList.of(deadLetterTag()));
    PCollectionTuple result = input.apply(primitiveName().get(0), nested(parDo, 1));
    result.get(outputTag()).setCoder(outputCoder());
    PCollection<DeadLetter> deadLetters =
        result
            .get(deadLetterTag())
            .setCoder(SpecificRecordCoder.of(DeadLetter.class))
            // A failure inside a window is still one record of the job's dead-letter output, which
            // lives in the global window.
            .apply(
                "DeadLettersIntoGlobalWindow",
                Window.<DeadLetter>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    return PCollectionTuple.of(outputTag(), result.get(outputTag()))
        .and(deadLetterTag(), deadLetters);
  }

  /** {@code parDo}, nested under the rest of the primitive path from {@code depth} on. */
  private PTransform<? super PCollection<InputT>, PCollectionTuple> nested(
      PTransform<? super PCollection<InputT>, PCollectionTuple> parDo, int depth) {
    if (depth == primitiveName().size()) {
      return parDo;
    }
    // Not "name": inside the anonymous PTransform, that is PTransform's own field.
    String innerName = primitiveName().get(depth);
    PTransform<? super PCollection<InputT>, PCollectionTuple> inner = nested(parDo, depth + 1);
    return new PTransform<PCollection<InputT>, PCollectionTuple>() {
      private static final long serialVersionUID = 1L;

      @Override
      public PCollectionTuple expand(PCollection<InputT> in) {
        return in.apply(innerName, inner);
      }
    };
  }

  static final class GuardFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
    private static final long serialVersionUID = 1L;
    private final String stepName;
    private final GuardedFn<InputT, OutputT> fn;
    private final @Nullable ElementCoordinates<InputT> coordinates;
    private final Coder<InputT> inputCoder;
    private final boolean failFast;
    private final TupleTag<OutputT> outputTag;
    private final TupleTag<DeadLetter> deadLetterTag;
    private final Counter guarded;
    private final Counter deadLetters;

    GuardFn(
        String stepName,
        GuardedFn<InputT, OutputT> fn,
        @Nullable ElementCoordinates<InputT> coordinates,
        Coder<InputT> inputCoder,
        boolean failFast,
        TupleTag<OutputT> outputTag,
        TupleTag<DeadLetter> deadLetterTag) {
      this.stepName = stepName;
      this.fn = fn;
      this.coordinates = coordinates;
      this.inputCoder = inputCoder;
      this.failFast = failFast;
      this.outputTag = outputTag;
      this.deadLetterTag = deadLetterTag;
      this.guarded = Metrics.counter(stepName, "guarded");
      this.deadLetters = Metrics.counter(stepName, "deadLetters");
    }

    @ProcessElement
    public void process(
        @Element InputT element,
        BoundedWindow window,
        PaneInfo pane,
        @Timestamp Instant timestamp,
        MultiOutputReceiver out)
        throws Exception {
      GuardedFn.Context context = new GuardedFn.Context(window, pane, timestamp);
      if (failFast) {
        fn.process(element, context, out.get(outputTag)::output);
        guarded.inc();
        return;
      }
      List<OutputT> outputs = new ArrayList<>(1);
      try {
        fn.process(element, context, outputs::add);
      } catch (Exception e) {
        deadLetters.inc();
        out.get(deadLetterTag)
            .output(DeadLetters.of(locate(element, window), stepName, e, java.time.Instant.now()));
        return;
      }
      guarded.inc();
      outputs.forEach(out.get(outputTag)::output);
    }

    /** The element's coordinates; never throws. */
    private SourceRecord locate(InputT element, BoundedWindow window) {
      if (coordinates != null) {
        try {
          SourceRecord located = coordinates.locate(element, window);
          if (located != null) {
            return located;
          }
        } catch (Exception e) {
          // Fall back to what always works: the step and the element's bytes.
        }
      }
      return SourceRecord.newBuilder()
          .setPosition(SourcePosition.newBuilder().setSystem("step").setName(stepName).build())
          .setPayload(ByteBuffer.wrap(bytes(element)))
          .build();
    }

    private byte[] bytes(InputT element) {
      try {
        return CoderUtils.encodeToByteArray(inputCoder, element);
      } catch (Exception e) {
        return String.valueOf(element).getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  @AutoValue.Builder
  abstract static class Builder<InputT, OutputT> {
    abstract Builder<InputT, OutputT> setStepName(String stepName);

    abstract Builder<InputT, OutputT> setFn(GuardedFn<InputT, OutputT> fn);

    abstract Builder<InputT, OutputT> setOutputCoder(Coder<OutputT> coder);

    abstract Builder<InputT, OutputT> setCoordinates(ElementCoordinates<InputT> coordinates);

    abstract Builder<InputT, OutputT> setFailFast(boolean failFast);

    abstract Builder<InputT, OutputT> setPrimitiveName(ImmutableList<String> path);

    abstract Builder<InputT, OutputT> setOutputTagInternal(TupleTag<OutputT> tag);

    abstract Builder<InputT, OutputT> setDeadLetterTagInternal(TupleTag<DeadLetter> tag);

    abstract Guard<InputT, OutputT> build();
  }
}
