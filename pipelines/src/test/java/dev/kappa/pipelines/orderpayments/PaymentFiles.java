package dev.kappa.pipelines.orderpayments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.UnpaidOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The outputs of an OrderPayments run, read back from its files and written as the lines of the
 * {@code test-data/order-payments/expected-*.jsonl} files (same fields, same order, compact JSON),
 * so a test compares them with the reference's lines exactly.
 */
final class PaymentFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PaymentFiles() {}

  /** Output prefixes of one run. */
  record Outputs(Path paid, Path unpaid, Path orphans, Path tooLate, Path deadLetters) {
    static Outputs under(Path dir) {
      return new Outputs(
          dir.resolve("out/paid"),
          dir.resolve("out/unpaid"),
          dir.resolve("out/orphans"),
          dir.resolve("out/too-late"),
          dir.resolve("out/dead-letters"));
    }

    List<String> args() {
      return List.of(
          "--output=" + paid,
          "--alertsOutput=" + unpaid,
          "--orphansOutput=" + orphans,
          "--tooLateEventsOutput=" + tooLate,
          "--deadLetterOutput=" + deadLetters);
    }
  }

  static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data"))
        .resolve("order-payments")
        .resolve(relative);
  }

  /** The lines of an expected file. */
  static List<String> expected(String file) {
    try {
      return Files.readAllLines(testData(file), StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> paid(Path prefix) {
    return read(prefix, PaidOrder.class).stream()
        .sorted(Comparator.comparing(p -> p.getOrder().getOrderId()))
        .map(PaymentFiles::paidLine)
        .toList();
  }

  static String paidLine(PaidOrder paid) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("order_id", paid.getOrder().getOrderId());
    line.put("status", paid.getStatus());
    line.put("order_total_cents", paid.getOrderTotalCents());
    line.put("paid_cents", paid.getPaidCents());
    line.put("time_to_pay_ms", paid.getTimeToPayMs());
    line.put("duplicate_payments", paid.getDuplicatePayments());
    line.put("payments", describe(paid.getPayments()));
    return json(line);
  }

  static List<String> unpaid(Path prefix) {
    return read(prefix, UnpaidOrder.class).stream()
        .sorted(Comparator.comparing(u -> u.getOrder().getOrderId()))
        .map(PaymentFiles::unpaidLine)
        .toList();
  }

  static String unpaidLine(UnpaidOrder unpaid) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("order_id", unpaid.getOrder().getOrderId());
    line.put("deadline", unpaid.getDeadline().toString());
    line.put("payments", describe(unpaid.getPayments()));
    return json(line);
  }

  static List<String> orphans(Path prefix) {
    return read(prefix, OrphanPayment.class).stream()
        .map(OrphanPayment::getPayment)
        .sorted(Comparator.comparing(Payment::getPaymentId).thenComparing(Payment::getEventTime))
        .map(PaymentFiles::orphanLine)
        .toList();
  }

  static String orphanLine(Payment payment) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("payment_id", payment.getPaymentId());
    line.put("order_id", payment.getOrderId());
    line.put("event_time", payment.getEventTime().toString());
    return json(line);
  }

  /** Status rows as the table holds them: the last row per order wins. */
  static String statusLine(OrderPaymentStatus status) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("order_id", status.getOrderId());
    line.put("status", status.getStatus());
    line.put("order_total_cents", status.getOrderTotalCents());
    line.put("paid_cents", status.getPaidCents());
    line.put("time_to_pay_ms", status.getTimeToPayMs());
    line.put("payment_count", status.getPaymentCount());
    line.put("duplicate_payments", status.getDuplicatePayments());
    return json(line);
  }

  static List<TooLatePayment> tooLate(Path prefix) {
    return read(prefix, TooLatePayment.class);
  }

  static List<String> deadLetterLines(Path prefix) {
    return read(prefix, DeadLetter.class).stream()
        .map(d -> d.getPosition().getOffset())
        .sorted()
        .map(offset -> "{\"line\":" + offset + "}")
        .toList();
  }

  private static List<String> describe(List<Payment> payments) {
    List<String> described = new ArrayList<>();
    for (Payment p : payments) {
      described.add(
          p.getPaymentId()
              + ":"
              + p.getStatus()
              + ":"
              + p.getAmountCents()
              + ":"
              + p.getCurrency());
    }
    return described;
  }

  private static String json(Map<String, Object> line) {
    try {
      return JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T extends SpecificRecordBase> List<T> read(Path prefix, Class<T> type) {
    EventCodec<T> codec = EventCodec.of(type);
    List<T> records = new ArrayList<>();
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            records.add(codec.fromJson(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }
}
