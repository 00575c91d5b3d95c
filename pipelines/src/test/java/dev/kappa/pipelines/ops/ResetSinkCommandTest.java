package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The command lines {@code kappa reset-sink} refuses before it contacts a broker (exit code 2); the
 * reset itself runs against a real broker and job in {@code ExactlyOnceSinkIT}.
 */
class ResetSinkCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int resetSink(String... args) {
    return ResetSinkCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void needsTheSinkGroupId() {
    assertThat(resetSink("order-revenue-results"), is(2));
    assertThat(
        err(),
        startsWith(
            "kappa reset-sink: --sinkGroupId is required: the job's, without the topic\nusage:"));
    assertThat(out.toString(StandardCharsets.UTF_8), is(emptyString()));
  }

  @Test
  void needsExactlyOneTopic() {
    assertThat(resetSink("--sinkGroupId=kappa-order-revenue"), is(2));
    assertThat(err(), startsWith("kappa reset-sink: name one output topic, got []"));

    assertThat(resetSink("results", "enriched", "--sinkGroupId=kappa-order-revenue"), is(2));
    assertThat(err(), containsString("name one output topic, got [results, enriched]"));
  }

  @Test
  void refusesUnknownOptionsAndEmptyValues() {
    assertThat(resetSink("results", "--sinkGroupId=g", "--group=g-results"), is(2));
    assertThat(
        err(),
        containsString(
            "unknown option '--group=g-results'; known: --bootstrapServers,"
                + " --kafkaClientProperties, --sinkGroupId"));

    assertThat(resetSink("results", "--sinkGroupId="), is(2));
    assertThat(err(), containsString("--sinkGroupId needs a value: --sinkGroupId=<value>"));
  }

  @Test
  void printsItsUsageWithTheError() {
    resetSink("results");
    assertThat(
        err(),
        containsString(
            "usage: kappa reset-sink <topic> --sinkGroupId=<the job's --sinkGroupId>"
                + " [--bootstrapServers=localhost:9092]"));
  }
}
