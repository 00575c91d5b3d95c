package dev.kappa.io.jdbc;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;

/**
 * Where a PostgreSQL database is and how hard to try when it fails: the URL and credentials, the
 * batch size of writes, and the retry budget for transient failures (a restart, a lost connection,
 * a deadlock). The password never appears in {@link #toString()} or display data.
 *
 * <p>The defaults ride out a database that is away for a minute: a failing batch is retried with
 * exponential backoff from 100 ms, capped at 5 s, for up to 2 minutes of waiting or 50 retries,
 * whichever comes first ({@link #backoff()}: Beam's {@link FluentBackoff}). Every setting can be
 * changed with a {@code withX} method, in any order.
 *
 * <pre>{@code
 * JdbcConfig config =
 *     JdbcConfig.of("jdbc:postgresql://127.0.0.1:55432/kappa", "kappa", password)
 *         .withBatchSize(1000)
 *         .withRetryBudget(100, Duration.ofMinutes(5));
 * }</pre>
 */
@AutoValue
public abstract class JdbcConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default rows per batch. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** Largest allowed batch: one batch is one transaction held in memory. */
  public static final int MAX_BATCH_SIZE = 100_000;

  static final int DEFAULT_MAX_RETRIES = 50;
  static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(2);
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&]*");

  /** The JDBC URL, e.g. {@code jdbc:postgresql://host:5432/kappa}. */
  public abstract String url();

  /** The database user. */
  public abstract String user();

  /** Package-private: only the connection code reads it. */
  abstract String password();

  /** Rows written per batch (one transaction); default {@value #DEFAULT_BATCH_SIZE}. */
  public abstract int batchSize();

  /** At most this many retries of a failing batch; default 50. */
  public abstract int maxRetries();

  /**
   * At most this long waiting between retries of a failing batch, in total; default 2 minutes. The
   * attempts themselves add to it, each bounded by {@link #connectTimeout()} when the server does
   * not answer.
   */
  public abstract Duration maxRetryDuration();

  /** The nominal first wait before a retry, doubled each time; default 100 ms. */
  public abstract Duration initialBackoff();

  /** The longest nominal wait between retries, before jitter; default 5 s. */
  public abstract Duration maxBackoff();

  /**
   * How long opening a connection may take, login included; default 10 s. Also how long a query at
   * launch ({@link Jdbc#checkTable}) may wait for an answer.
   */
  public abstract Duration connectTimeout();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setUrl(String url);

    abstract Builder setUser(String user);

    abstract Builder setPassword(String password);

    abstract Builder setBatchSize(int batchSize);

    abstract Builder setMaxRetries(int maxRetries);

    abstract Builder setMaxRetryDuration(Duration maxRetryDuration);

    abstract Builder setInitialBackoff(Duration initialBackoff);

    abstract Builder setMaxBackoff(Duration maxBackoff);

    abstract Builder setConnectTimeout(Duration connectTimeout);

    abstract JdbcConfig build();
  }

  /**
   * The database at {@code url} ({@code jdbc:postgresql://...}), as {@code user} with {@code
   * password} (may be empty, never null), with the default batch size and retry budget.
   */
  public static JdbcConfig of(String url, String user, String password) {
    if (url == null || !url.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException(
          "url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), was "
              + (url == null ? "null" : "\"" + redact(url) + "\""));
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user must not be blank, was " + quoted(user));
    }
    if (password == null) {
      throw new IllegalArgumentException("password must not be null (use \"\" for none)");
    }
    return new AutoValue_JdbcConfig.Builder()
        .setUrl(url)
        .setUser(user)
        .setPassword(password)
        .setBatchSize(DEFAULT_BATCH_SIZE)
        .setMaxRetries(DEFAULT_MAX_RETRIES)
        .setMaxRetryDuration(DEFAULT_MAX_RETRY_DURATION)
        .setInitialBackoff(DEFAULT_INITIAL_BACKOFF)
        .setMaxBackoff(DEFAULT_MAX_BACKOFF)
        .setConnectTimeout(DEFAULT_CONNECT_TIMEOUT)
        .build();
  }

  /** Writes {@code batchSize} rows per batch, 1 to {@value #MAX_BATCH_SIZE}. */
  public JdbcConfig withBatchSize(int batchSize) {
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "batchSize must be in 1.." + MAX_BATCH_SIZE + ", was " + batchSize);
    }
    return toBuilder().setBatchSize(batchSize).build();
  }

  /**
   * Retries a batch that fails transiently at most {@code maxRetries} times and for at most {@code
   * maxRetryDuration} of waiting in all, whichever ends first. {@code (0, Duration.ZERO)} never
   * retries.
   */
  public JdbcConfig withRetryBudget(int maxRetries, Duration maxRetryDuration) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
    }
    if (maxRetryDuration == null || maxRetryDuration.isNegative()) {
      throw new IllegalArgumentException(
          "maxRetryDuration must be zero or positive, was " + maxRetryDuration);
    }
    return toBuilder().setMaxRetries(maxRetries).setMaxRetryDuration(maxRetryDuration).build();
  }

  /**
   * Waits {@code initial} before the first retry, doubling the wait each time up to {@code max}
   * (each wait is jittered by up to half either way, so that workers do not retry in step).
   */
  public JdbcConfig withBackoff(Duration initial, Duration max) {
    if (initial == null || initial.isZero() || initial.isNegative()) {
      throw new IllegalArgumentException("initial backoff must be positive, was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "max backoff must be at least the initial backoff " + initial + ", was " + max);
    }
    return toBuilder().setInitialBackoff(initial).setMaxBackoff(max).build();
  }

  /**
   * Gives up opening a connection after {@code timeout}: the TCP connect, and the login, so that a
   * port that accepts connections but never answers (a firewall, a wrong service) fails in bounded
   * time. PostgreSQL counts these timeouts in whole seconds: {@code timeout} is rounded up to one.
   */
  public JdbcConfig withConnectTimeout(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("connectTimeout must be positive, was " + timeout);
    }
    return toBuilder().setConnectTimeout(timeout).build();
  }

  /**
   * A new retry schedule for one flush: Beam's {@link FluentBackoff} with this config's backoff and
   * budget, so the batch and then its rows one by one share {@link #maxRetryDuration()}. {@link
   * BackOff#STOP_BACKOFF} when the budget is empty.
   */
  BackOff backoff() {
    if (maxRetries() == 0 || maxRetryDuration().isZero()) {
      return BackOff.STOP_BACKOFF;
    }
    return FluentBackoff.DEFAULT
        .withExponent(2)
        .withInitialBackoff(millis(initialBackoff()))
        .withMaxBackoff(millis(maxBackoff()))
        .withMaxRetries(maxRetries())
        .withMaxCumulativeBackoff(millis(maxRetryDuration()))
        .backoff();
  }

  /**
   * A positive duration in whole milliseconds (at least one), as {@link FluentBackoff} takes it.
   */
  private static org.joda.time.Duration millis(Duration duration) {
    return org.joda.time.Duration.millis(Math.max(1, duration.toMillis()));
  }

  /** {@link #connectTimeout()} in whole seconds, rounded up, as the PostgreSQL driver takes it. */
  int connectTimeoutSeconds() {
    long seconds = (connectTimeout().toMillis() + 999) / 1000;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  /** The URL with any {@code password=} parameter masked, for messages and display data. */
  public String redactedUrl() {
    return redact(url());
  }

  @Override
  public final String toString() {
    return "JdbcConfig{url="
        + redactedUrl()
        + ", user="
        + user()
        + ", password=****, batchSize="
        + batchSize()
        + ", maxRetries="
        + maxRetries()
        + ", maxRetryDuration="
        + maxRetryDuration()
        + ", backoff="
        + initialBackoff()
        + ".."
        + maxBackoff()
        + ", connectTimeout="
        + connectTimeout()
        + "}";
  }

  private static String redact(String url) {
    return PASSWORD_IN_URL.matcher(url).replaceAll("$1****");
  }

  private static String quoted(String value) {
    return value == null ? "null" : "\"" + value + "\"";
  }
}
