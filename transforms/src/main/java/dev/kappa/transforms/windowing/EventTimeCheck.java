package dev.kappa.transforms.windowing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;

/**
 * An event-time check that a decoding step applies ({@link DecodeWithEventTimes}) instead of a step
 * of its own ({@link DivertImplausibleEventTimes}): the bounds, and the step name its dead letters
 * and counter carry, so that they are the same whichever step applied it.
 *
 * @param bounds the bounds applied
 * @param stepName the name of the check step it stands for, e.g. {@code CheckOrdersEventTimes}
 */
public record EventTimeCheck(EventTimeBounds bounds, String stepName) implements Serializable {
  public EventTimeCheck {
    checkNotNull(bounds, "bounds must be set");
    checkArgument(
        stepName != null && !stepName.isBlank(), "step name must not be blank, was %s", stepName);
  }
}
