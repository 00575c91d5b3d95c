package dev.kappa.pipelines.orderpayments;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole OrderPayments job, bounded, on the Direct runner, against the independent reference's
 * expected files in {@code test-data/order-payments/}: every output equal, line for line.
 */
class OrderPaymentsTest {

  @Test
  void boundedRunEqualsTheReference(@TempDir Path dir) {
    PaymentFiles.Outputs out = run(dir, "--source=FILES");

    assertThat(
        PaymentFiles.paid(out.paid()), equalTo(PaymentFiles.expected("expected-paid.jsonl")));
    assertThat(
        PaymentFiles.unpaid(out.unpaid()), equalTo(PaymentFiles.expected("expected-unpaid.jsonl")));
    assertThat(
        PaymentFiles.orphans(out.orphans()),
        equalTo(PaymentFiles.expected("expected-orphans.jsonl")));
    assertThat(
        PaymentFiles.deadLetterLines(out.deadLetters()),
        equalTo(PaymentFiles.expected("expected-dead-letters.jsonl")));
    // A bounded run has no late events.
    assertThat(PaymentFiles.tooLate(out.tooLate()), is(empty()));
  }

  @Test
  void badBoundsFailAtLaunchNamingTheOption(@TempDir Path dir) {
    InvalidOptionException timeout =
        assertThrows(
            InvalidOptionException.class,
            () -> run(dir, "--source=FILES", "--paymentTimeout=PT0S"));
    assertThat(timeout.getMessage(), containsString("paymentTimeout"));
    InvalidOptionException before =
        assertThrows(
            InvalidOptionException.class,
            () -> run(dir, "--source=FILES", "--paymentsBefore=-PT1M"));
    assertThat(before.getMessage(), containsString("paymentsBefore"));
    InvalidOptionException lateness =
        assertThrows(
            InvalidOptionException.class,
            () -> run(dir, "--source=FILES", "--paymentLateness=soon"));
    assertThat(lateness.getMessage(), containsString("paymentLateness"));
  }

  static PaymentFiles.Outputs run(Path dir, String... args) {
    PaymentFiles.Outputs outputs = PaymentFiles.Outputs.under(dir);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--runner=DirectRunner");
    all.add("--input=" + PaymentFiles.testData("events.jsonl"));
    all.addAll(outputs.args());
    OrderPayments.Options options =
        PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
            .withValidation()
            .as(OrderPayments.Options.class);
    PipelineResult.State state = JobRunner.run(new OrderPayments(), options).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
    return outputs;
  }
}
