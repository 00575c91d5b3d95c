package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link MissingKeyPolicy}: the three choices, their timeout, and the checks on it. */
class MissingKeyPolicyTest {

  @Test
  void eachChoiceSaysWhatItDoes() {
    MissingKeyPolicy wait = MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5));

    assertThat(
        MissingKeyPolicy.deadLetter().action(), equalTo(MissingKeyPolicy.Action.DEAD_LETTER));
    assertThat(MissingKeyPolicy.deadLetter().waits(), equalTo(false));
    assertThat(
        MissingKeyPolicy.passThrough().action(), equalTo(MissingKeyPolicy.Action.PASS_THROUGH));
    assertThat(MissingKeyPolicy.passThrough().timeout(), equalTo(Duration.ZERO));
    assertThat(wait.waits(), equalTo(true));
    assertThat(wait.timeout(), equalTo(Duration.standardMinutes(5)));
    assertThat(SerializableUtils.clone(wait), equalTo(wait));
  }

  @Test
  void aWaitNeedsAPositiveTimeout() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> MissingKeyPolicy.waitUpTo(null))
            .getMessage(),
        equalTo("timeout must be set"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> MissingKeyPolicy.waitUpTo(Duration.ZERO))
            .getMessage(),
        equalTo("timeout must be positive, was PT0S"));
  }
}
