package dev.kappa.schemas.validation;

import java.io.Serializable;
import java.util.List;

/**
 * Checks a decoded record against the rules of its domain.
 *
 * <p>Returns every broken rule rather than throwing on the first, so a dead letter tells the
 * producer everything to fix at once. Serializable so that DoFns can hold one.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface Validator<T> extends Serializable {
  /**
   * The broken rules as readable messages, e.g. {@code "quantity must be > 0, got 0"}; empty if
   * valid.
   */
  List<String> validate(T record);
}
