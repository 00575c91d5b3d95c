package dev.kappa.pipelines.cardfraud;

import static dev.kappa.pipelines.cardfraud.CardFraudRuns.expected;
import static dev.kappa.pipelines.cardfraud.CardFraudRuns.read;
import static dev.kappa.pipelines.cardfraud.CardFraudRuns.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.RiskAlert;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CardFraud job, bounded over {@code test-data/card-fraud/transactions.jsonl} on the
 * Direct runner, against the expected files of its independent Python reference ({@code
 * generate.py}): the velocity alerts, every window's final score, the risk alerts and the dead
 * letters, exactly. A velocity alert's evidence can be any two or more of its interval's other
 * qualifying transactions (which ones depends on arrival order): each must be in the reference's
 * interval.
 */
class CardFraudTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void boundedRunEqualsTheReference(@TempDir Path dir) {
    CardFraudRuns.Outputs out =
        CardFraudRuns.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("card-fraud/transactions.jsonl"));

    assertEqualsTheReference(out);
  }

  /**
   * A run's outputs against the reference's expected files: velocity alerts (each once, its
   * evidence within the reference's interval), final scores, risk alerts, no too-late transactions,
   * the dead letters' payloads. Also used by {@code CardFraudKafkaIT}.
   */
  static void assertEqualsTheReference(CardFraudRuns.Outputs out) {
    // What the run could not count comes first: a transaction diverted or dead-lettered explains
    // any result that differs below.
    assertThat(read(out.tooLate(), TooLateTransaction.class), is(empty()));
    List<String> deadPayloads = new ArrayList<>();
    for (DeadLetter dead : read(out.deadLetters(), DeadLetter.class)) {
      assertThat(dead.getStep(), equalTo("DecodeTransactions"));
      deadPayloads.add(StandardCharsets.UTF_8.decode(dead.getPayload().duplicate()).toString());
    }
    assertThat(
        deadPayloads.stream().sorted().toList(),
        equalTo(expected("expected-dead-letters.jsonl").stream().sorted().toList()));
    Map<String, JsonNode> expectedAlerts = new HashMap<>();
    Map<String, Set<String>> intervals = new HashMap<>();
    for (String line : expected("expected-velocity-alerts.jsonl")) {
      ObjectNode row = (ObjectNode) tree(line);
      String id = row.get("transaction_id").asText();
      Set<String> interval = new HashSet<>();
      row.remove("interval").forEach(node -> interval.add(node.asText()));
      intervals.put(id, interval);
      expectedAlerts.put(id, row);
    }
    List<VelocityAlert> alerts = read(out.velocityAlerts(), VelocityAlert.class);
    Map<String, JsonNode> flags = new HashMap<>();
    for (VelocityAlert alert : alerts) {
      JsonNode flag = json(DetectCardFraud.flag(alert));
      assertThat(
          "a second alert for " + alert.getTransactionId(),
          flags.put(alert.getTransactionId(), flag),
          is((JsonNode) null));
      List<String> evidence = Arrays.asList(alert.getEvidence().split(","));
      assertThat(evidence.size(), equalTo(alert.getEvidenceCount()));
      assertThat(alert.getEvidenceCount(), greaterThanOrEqualTo(2));
      assertThat(
          evidence, everyItem(is(in(intervals.getOrDefault(alert.getTransactionId(), Set.of())))));
    }
    List<JsonNode> finalScores = new ArrayList<>();
    for (RiskScore score : read(out.scores(), RiskScore.class)) {
      if (score.getFinalPane()) {
        ObjectNode node = (ObjectNode) json(score);
        node.remove(List.of("pane_timing", "pane_index", "final_pane"));
        finalScores.add(node);
      }
    }
    // All three, so that a failure shows whether the velocity rule, the windows or both missed
    // something, and which files the sinks wrote.
    assertAll(
        () ->
            assertThat(
                "velocity alerts; files written: " + CardFraudRuns.files(out.velocityAlerts()),
                flags,
                equalTo(expectedAlerts)),
        () ->
            assertThat(
                "final scores; files written: " + CardFraudRuns.files(out.scores()),
                sorted(finalScores),
                equalTo(sorted(trees("expected-risk-scores.jsonl")))),
        () ->
            assertThat(
                "risk alerts",
                sorted(
                    read(out.riskAlerts(), RiskAlert.class).stream()
                        .map(CardFraudTest::json)
                        .toList()),
                equalTo(sorted(trees("expected-risk-alerts.jsonl")))));
  }

  @SuppressWarnings("unchecked")
  static <T extends SpecificRecordBase> JsonNode json(T record) {
    return tree(EventCodec.of((Class<T>) record.getClass()).toJson(record));
  }

  static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> trees(String file) {
    return expected(file).stream().map(CardFraudTest::tree).toList();
  }

  static List<String> sorted(List<JsonNode> nodes) {
    List<String> texts = new ArrayList<>();
    for (JsonNode node : nodes) {
      texts.add(canonical(node));
    }
    texts.sort(null);
    return texts;
  }

  /** A node's JSON with object fields in name order, so that equal nodes give equal text. */
  static String canonical(JsonNode node) {
    try {
      return JSON.writer()
          .with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsString(JSON.treeToValue(node, Object.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
