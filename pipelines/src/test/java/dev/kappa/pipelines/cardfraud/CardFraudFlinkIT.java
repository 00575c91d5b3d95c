package dev.kappa.pipelines.cardfraud;

import static dev.kappa.pipelines.cardfraud.CardFraudRuns.read;
import static dev.kappa.pipelines.cardfraud.CardFraudRuns.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.EmbeddedFlinkArgs;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import dev.kappa.testing.postgres.PostgresExtension;
import dev.kappa.testing.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * CardFraud on the embedded Flink runner (parallelism 2) with the shared PostgreSQL: a streaming
 * replay of {@code test-data/card-fraud/transactions.jsonl} (out of order and late, nothing too
 * late) and a bounded run of the same file give the same velocity alerts and final scores, and the
 * alert tables each upserts into are identical; the bounded run once more into the same tables (a
 * replay) leaves both tables exactly as they were. Asserts final results only.
 */
@ExtendWith(PostgresExtension.class)
class CardFraudFlinkIT {

  private static String[] flink(String... args) {
    return EmbeddedFlinkArgs.with(args).toArray(new String[0]);
  }

  @Test
  @Timeout(600)
  void streamAndBackfillGiveTheSameAlertsAndTablesAndAReplayChangesNoRow(
      PostgresServer postgres, @TempDir Path dir) throws IOException, SQLException {
    String stream = postgres.createSchema("fraud_stream");
    String backfill = postgres.createSchema("fraud_backfill");
    String ddl = Files.readString(Path.of("../scripts/sql/card-fraud.sql"), StandardCharsets.UTF_8);
    postgres.execute("SET search_path TO " + stream + ";\n" + ddl);
    postgres.execute("SET search_path TO " + backfill + ";\n" + ddl);
    String input = "--input=" + testData("card-fraud/transactions.jsonl");

    CardFraudRuns.Outputs streamed =
        CardFraudRuns.run(
            dir.resolve("stream"),
            flink(
                "--source=REPLAY",
                input,
                "--replaySpeedUp=600",
                "--maxOutOfOrderness=PT30S",
                "--riskEarlyFirings=PT1S",
                "--allowedLateness=PT10M",
                "--velocityAlertsTable=velocity_alerts",
                "--riskAlertsTable=risk_alerts",
                "--jdbcUrl=" + postgres.jdbcUrl(stream),
                "--jdbcUser=" + postgres.user(),
                "--jdbcPassword=" + postgres.password()));
    String[] boundedArgs =
        flink(
            "--source=FILES",
            input,
            "--allowedLateness=PT10M",
            "--velocityAlertsTable=velocity_alerts",
            "--riskAlertsTable=risk_alerts",
            "--jdbcUrl=" + postgres.jdbcUrl(backfill),
            "--jdbcUser=" + postgres.user(),
            "--jdbcPassword=" + postgres.password());
    CardFraudRuns.Outputs bounded = CardFraudRuns.run(dir.resolve("backfill"), boundedArgs);

    assertThat(read(streamed.tooLate(), TooLateTransaction.class), is(empty()));
    assertThat(flagged(streamed), equalTo(flagged(bounded)));
    assertThat(flagged(bounded).size(), equalTo(17));
    assertThat(finalScores(streamed), equalTo(finalScores(bounded)));

    Map<String, List<String>> afterBackfill = new LinkedHashMap<>();
    for (String table : List.of("velocity_alerts", "risk_alerts")) {
      List<String> rows = rows(postgres, stream, table);
      afterBackfill.put(table, rows(postgres, backfill, table));
      assertThat(table + " after the stream", rows, equalTo(afterBackfill.get(table)));
      assertThat(table + " is empty", rows.isEmpty(), is(false));
    }

    // A replay: the same bounded run again, into the same tables. Upserts keyed by each alert's
    // identity: it writes every row again and changes none, adds none.
    CardFraudRuns.Outputs replayed = CardFraudRuns.run(dir.resolve("replay"), boundedArgs);
    assertThat(flagged(replayed), equalTo(flagged(bounded)));
    for (String table : afterBackfill.keySet()) {
      assertThat(
          table + " after a replay",
          rows(postgres, backfill, table),
          equalTo(afterBackfill.get(table)));
    }
  }

  /** Each alerting transaction once: the fields every run agrees on, sorted. */
  private static List<String> flagged(CardFraudRuns.Outputs out) {
    return read(out.velocityAlerts(), VelocityAlert.class).stream()
        .map(alert -> DetectCardFraud.flag(alert).toString())
        .sorted()
        .toList();
  }

  private static List<String> finalScores(CardFraudRuns.Outputs out) {
    return read(out.scores(), RiskScore.class).stream()
        .filter(RiskScore::getFinalPane)
        .map(s -> DetectCardFraud.riskAlert(s).toString())
        .sorted()
        .toList();
  }

  private static List<String> rows(PostgresServer postgres, String schema, String table)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT t::text FROM " + schema + "." + table + " t ORDER BY t::text")) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }
}
