package dev.kappa.pipelines.job;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;

/**
 * The frozen list of a job's step names, for the step-name tests of the jobs meant to restore from
 * savepoints: Flink derives operator uids from step names, so a renamed or removed step (stateless
 * ones too) leaves state in a savepoint that the new job cannot map.
 */
public final class StepNames {
  private StepNames() {}

  /** The full name of every step of {@code pipeline}, composites included, sorted. */
  public static List<String> fullNames(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              names.add(node.getFullName());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names.stream().sorted().toList();
  }

  /**
   * Fails unless {@code pipeline}'s steps are exactly those in resource {@code frozen} next to
   * {@code test}, naming the steps gone and new (and all of them, to freeze a new job's list).
   */
  public static void assertFrozen(Pipeline pipeline, Class<?> test, String frozen) {
    List<String> current = fullNames(pipeline);
    List<String> expected = read(test, frozen);
    if (!current.equals(expected)) {
      List<String> gone = new ArrayList<>(expected);
      gone.removeAll(current);
      List<String> added = new ArrayList<>(current);
      added.removeAll(expected);
      fail(
          "The job's steps no longer match "
              + frozen
              + ". A renamed or removed step breaks savepoint restore.\nGone: "
              + gone
              + "\nNew: "
              + added
              + "\nAll now:\n"
              + String.join("\n", current));
    }
  }

  private static List<String> read(Class<?> test, String resource) {
    try (InputStream in = test.getResourceAsStream(resource)) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
