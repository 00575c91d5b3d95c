package dev.kappa.schemas.compat;

import dev.kappa.schemas.CompatibilityMode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of checking a version chain against a {@link CompatibilityMode}: compatible, or the
 * list of every violation found (not just the first, so one build shows everything to fix).
 */
public final class CompatibilityReport {
  private final String subject;
  private final CompatibilityMode mode;
  private final List<CompatibilityViolation> violations;

  CompatibilityReport(
      String subject, CompatibilityMode mode, List<CompatibilityViolation> violations) {
    this.subject = subject;
    this.mode = mode;
    this.violations = List.copyOf(violations);
  }

  /** What was checked, e.g. {@code OrderEvent v1..v4}. */
  public String subject() {
    return subject;
  }

  /** The mode the chain was checked against. */
  public CompatibilityMode mode() {
    return mode;
  }

  /** Whether the chain satisfies the mode. */
  public boolean isCompatible() {
    return violations.isEmpty();
  }

  /** Every violation, in the order the versions were checked. */
  public List<CompatibilityViolation> violations() {
    return violations;
  }

  /** The reasons alone, handy in assertions and build output. */
  public List<String> reasons() {
    return violations.stream().map(CompatibilityViolation::reason).collect(Collectors.toList());
  }

  /** A multi-line summary for build output. */
  @Override
  public String toString() {
    if (isCompatible()) {
      return subject + " is " + mode + " compatible";
    }
    return subject
        + " is not "
        + mode
        + " compatible:"
        + violations.stream().map(v -> "\n  - " + v.reason()).collect(Collectors.joining());
  }
}
