package dev.kappa.transforms.errors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Guard} on the Direct runner with a step that divides 100 by each element: the zero fails
 * with an ArithmeticException, every other element proceeds.
 */
@ExtendWith(TestPipelineExtension.class)
class GuardTest {
  private static final String STEP = "DivideHundred";

  /** {@code 100 / n}, and for {@code n > 50} also {@code n} itself: two outputs. */
  private static final GuardedFn<Integer, Integer> DIVIDE =
      (n, context, out) -> {
        if (n > 50) {
          out.accept(n);
        }
        out.accept(100 / n);
      };

  /** Coordinates as an order would have them: a named system and the element as text. */
  private static final ElementCoordinates<Integer> NUMBERS =
      (n, window) ->
          SourceRecord.newBuilder()
              .setPosition(
                  SourcePosition.newBuilder()
                      .setSystem("numbers")
                      .setName("n=" + n)
                      .setOffset((long) n)
                      .build())
              .setKey(ByteBuffer.wrap(("key-" + n).getBytes(StandardCharsets.UTF_8)))
              .setPayload(ByteBuffer.wrap(String.valueOf(n).getBytes(StandardCharsets.UTF_8)))
              .build();

  private static String utf8(ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
  }

  @Test
  void anExceptionOnOneElementIsADeadLetterWithStepAndCoordinatesAndTheOthersProceed(
      TestPipeline p) {
    Guard<Integer, Integer> divide =
        Guard.of(STEP, DIVIDE).withOutputCoder(VarIntCoder.of()).withCoordinates(NUMBERS);

    PCollectionTuple out = p.apply(Create.of(4, 0, 5, 100)).apply(STEP, divide);

    PAssert.that(out.get(divide.outputTag())).containsInAnyOrder(25, 20, 100, 1);
    PAssert.that(out.get(divide.deadLetterTag()))
        .satisfies(
            letters -> {
              List<DeadLetter> all = new ArrayList<>();
              letters.forEach(all::add);
              assertThat(all.size(), is(1));
              DeadLetter letter = all.get(0);
              assertThat(letter.getStep(), equalTo(STEP));
              assertThat(letter.getErrorClass(), equalTo(ArithmeticException.class.getName()));
              assertThat(letter.getErrorMessage(), equalTo("/ by zero"));
              assertThat(letter.getStackTrace(), containsString("ArithmeticException"));
              assertThat(letter.getPosition().getSystem(), equalTo("numbers"));
              assertThat(letter.getPosition().getName(), equalTo("n=0"));
              assertThat(letter.getPosition().getOffset(), equalTo(0L));
              assertThat(utf8(letter.getKey()), equalTo("key-0"));
              assertThat(utf8(letter.getPayload()), equalTo("0"));
              return null;
            });
    p.run();
  }

  @Test
  void aFailingElementEmitsNothingEvenWhatItEmittedBeforeFailing(TestPipeline p) {
    // 60 emits itself, then 100 / 60; a step that emits itself and then fails would leave half
    // its output behind without the guard's buffering.
    GuardedFn<Integer, Integer> emitThenFail =
        (n, context, out) -> {
          out.accept(n);
          if (n == 60) {
            throw new IllegalStateException("failed after emitting " + n);
          }
        };
    Guard<Integer, Integer> guard =
        Guard.of("EmitThenFail", emitThenFail).withOutputCoder(VarIntCoder.of());

    PCollectionTuple out = p.apply(Create.of(1, 60, 2)).apply("EmitThenFail", guard);

    PAssert.that(out.get(guard.outputTag())).containsInAnyOrder(1, 2);
    PAssert.that(out.get(guard.deadLetterTag()))
        .satisfies(
            letters -> {
              DeadLetter letter = letters.iterator().next();
              assertThat(letter.getErrorMessage(), equalTo("failed after emitting 60"));
              return null;
            });
    p.run();
  }

  @Test
  void withoutCoordinatesTheDeadLetterNamesTheStepAndKeepsTheElementsBytes(TestPipeline p)
      throws Exception {
    byte[] zero = CoderUtils.encodeToByteArray(VarIntCoder.of(), 0);
    // Coordinates that fail on the failing element fall back to the same.
    ElementCoordinates<Integer> broken =
        (n, window) -> {
          throw new IllegalArgumentException("no coordinates for " + n);
        };
    Guard<Integer, Integer> plain = Guard.of(STEP, DIVIDE).withOutputCoder(VarIntCoder.of());
    Guard<Integer, Integer> brokenCoordinates =
        Guard.of("Divide2", DIVIDE).withOutputCoder(VarIntCoder.of()).withCoordinates(broken);

    PCollection<Integer> numbers = p.apply(Create.of(0, 10));
    PCollectionTuple out = numbers.apply(STEP, plain);
    PCollectionTuple out2 = numbers.apply("Divide2", brokenCoordinates);

    for (PCollection<DeadLetter> letters :
        List.of(out.get(plain.deadLetterTag()), out2.get(brokenCoordinates.deadLetterTag()))) {
      PAssert.that(letters)
          .satisfies(
              all -> {
                DeadLetter letter = all.iterator().next();
                assertThat(letter.getPosition().getSystem(), equalTo("step"));
                assertThat(letter.getPosition().getName(), equalTo(letter.getStep()));
                assertThat(letter.getPosition().getOffset(), is((Long) null));
                assertThat(letter.getKey(), is((ByteBuffer) null));
                assertThat(letter.getPayload(), equalTo(ByteBuffer.wrap(zero)));
                return null;
              });
    }
    PAssert.that(out.get(plain.outputTag())).containsInAnyOrder(10);
    p.run();
  }

  @Test
  void aFailFastStepStillFailsTheJob(TestPipeline p) {
    Guard<Integer, Integer> divide =
        Guard.of(STEP, DIVIDE).withOutputCoder(VarIntCoder.of()).asFailFast();
    p.apply(Create.of(4, 0, 5)).apply(STEP, divide);

    Pipeline.PipelineExecutionException failure =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());

    assertThat(failure.getCause(), instanceOf(ArithmeticException.class));
    assertThat(divide.failFast(), is(true));
  }

  @Test
  void deadLettersOfWindowedElementsLeaveInTheGlobalWindow(TestPipeline p) {
    Instant t0 = new Instant(0);
    IntervalWindow first = new IntervalWindow(t0, Duration.standardMinutes(1));
    Guard<Integer, Integer> divide =
        Guard.of(STEP, DIVIDE).withOutputCoder(VarIntCoder.of()).withCoordinates(NUMBERS);

    PCollectionTuple out =
        p.apply(
                Create.timestamped(
                    TimestampedValue.of(4, t0.plus(Duration.standardSeconds(10))),
                    TimestampedValue.of(0, t0.plus(Duration.standardSeconds(20)))))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
            .apply(STEP, divide);

    PAssert.that(out.get(divide.outputTag())).inWindow(first).containsInAnyOrder(25);
    PAssert.that(out.get(divide.deadLetterTag()))
        .inWindow(GlobalWindow.INSTANCE)
        .satisfies(
            letters -> {
              assertThat(letters.iterator().next().getPosition().getName(), equalTo("n=0"));
              return null;
            });
    assertThat(
        out.get(divide.deadLetterTag()).getWindowingStrategy().getWindowFn(),
        instanceOf(GlobalWindows.class));
    p.run();
  }

  @Test
  void aGuardedStepKeepsThePrimitiveNameItIsGiven(TestPipeline p) {
    SerializableFunction<Integer, Integer> twice = n -> 2 * n;
    p.apply(Create.of(1))
        .apply(
            "KeyByProduct",
            Guard.map("KeyByProduct", twice)
                .withOutputCoder(VarIntCoder.of())
                .withPrimitiveName("Map", "ParMultiDo(Anonymous)"));

    List<String> names = new ArrayList<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });

    // What MapElements applied as "KeyByProduct" is called: the Flink operator uid.
    assertThat(names, hasItem("KeyByProduct/Map/ParMultiDo(Anonymous)"));
    p.run();
  }
}
