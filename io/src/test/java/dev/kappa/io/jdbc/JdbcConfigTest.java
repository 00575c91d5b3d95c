package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Defaults, validation, and a password that never shows. */
class JdbcConfigTest {
  private static final String URL = "jdbc:postgresql://127.0.0.1:55432/kappa";

  private static String failure(Executable executable) {
    return assertThrows(IllegalArgumentException.class, executable).getMessage();
  }

  @Test
  void defaultsRideOutAMinuteLongOutage() {
    JdbcConfig config = JdbcConfig.of(URL, "kappa", "secret");

    assertThat(config.batchSize(), equalTo(500));
    assertThat(config.maxRetries(), equalTo(50));
    assertThat(config.maxRetryDuration(), equalTo(Duration.ofMinutes(2)));
    assertThat(config.initialBackoff(), equalTo(Duration.ofMillis(100)));
    assertThat(config.maxBackoff(), equalTo(Duration.ofSeconds(5)));
  }

  @Test
  void settingsApplyInAnyOrder() {
    JdbcConfig base = JdbcConfig.of(URL, "kappa", "secret");

    assertThat(
        base.withBatchSize(7).withRetryBudget(3, Duration.ofSeconds(9)),
        equalTo(base.withRetryBudget(3, Duration.ofSeconds(9)).withBatchSize(7)));
  }

  @Test
  void validatesItsArgumentsNamingTheBadOne() {
    JdbcConfig config = JdbcConfig.of(URL, "kappa", "");

    assertThat(
        failure(() -> JdbcConfig.of("jdbc:mysql://db/kappa?password=hunter2", "kappa", "x")),
        equalTo(
            "url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), was"
                + " \"jdbc:mysql://db/kappa?password=****\""));
    assertThat(
        failure(() -> JdbcConfig.of(URL, " ", "x")), equalTo("user must not be blank, was \" \""));
    assertThat(
        failure(() -> JdbcConfig.of(URL, "kappa", null)),
        equalTo("password must not be null (use \"\" for none)"));
    assertThat(
        failure(() -> config.withBatchSize(0)), equalTo("batchSize must be in 1..100000, was 0"));
    assertThat(
        failure(() -> config.withRetryBudget(-1, Duration.ZERO)),
        equalTo("maxRetries must be >= 0, was -1"));
    assertThat(
        failure(() -> config.withRetryBudget(1, Duration.ofSeconds(-1))),
        equalTo("maxRetryDuration must be zero or positive, was PT-1S"));
    assertThat(
        failure(() -> config.withBackoff(Duration.ZERO, Duration.ofSeconds(1))),
        equalTo("initial backoff must be positive, was PT0S"));
    assertThat(
        failure(() -> config.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))),
        equalTo("max backoff must be at least the initial backoff PT2S, was PT1S"));
  }

  @Test
  void connectTimeoutIsRoundedUpToWholeSecondsForTheDriver() {
    JdbcConfig config = JdbcConfig.of(URL, "kappa", "secret");

    assertThat(config.connectTimeout(), equalTo(Duration.ofSeconds(10)));
    assertThat(
        config.withConnectTimeout(Duration.ofSeconds(5)).connectTimeoutSeconds(), equalTo(5));
    assertThat(
        config.withConnectTimeout(Duration.ofMillis(1500)).connectTimeoutSeconds(), equalTo(2));
    assertThat(config.withConnectTimeout(Duration.ofMillis(1)).connectTimeoutSeconds(), equalTo(1));
    assertThat(
        failure(() -> config.withConnectTimeout(Duration.ZERO)),
        equalTo("connectTimeout must be positive, was PT0S"));
  }

  @Test
  void toStringNeverShowsThePassword() {
    JdbcConfig config = JdbcConfig.of(URL + "?ssl=true&password=hunter2", "kappa", "secret");

    assertThat(config.toString(), not(containsString("secret")));
    assertThat(config.toString(), not(containsString("hunter2")));
    assertThat(config.toString(), containsString("password=****"));
    assertThat(config.toString(), containsString("user=kappa"));
  }

  @Test
  void survivesSerialization() {
    JdbcConfig config = JdbcConfig.of(URL, "kappa", "secret").withBatchSize(3);

    assertThat(SerializableUtils.clone(config), equalTo(config));
  }
}
