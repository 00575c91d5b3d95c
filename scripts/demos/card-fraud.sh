# shellcheck shell=bash
# `scripts/kappa demo card-fraud`: CardFraud on the embedded Flink runner replaying the
# transactions file, the customers change stream read from its file (a Kafka change topic never
# ends, so a replay reading one would never finish), alerts printed as they fire and upserted into
# the local PostgreSQL. Sourced by scripts/kappa, which provides ROOT, launch, exec_launch,
# demo_dir and await_readers.
# KAPPA_POSTGRES_PORT (scripts/ports.sh) chooses PostgreSQL's port.

job_demo() {
  cd "$ROOT"
  local transactions=test-data/card-fraud/transactions.jsonl
  local changes=test-data/card-fraud/customers.changelog.jsonl
  local pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local velocity_table="velocity_alerts_demo_$stamp" risk_table="risk_alerts_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-fraud-demo.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  cat <<TXT
== Kappa demo: CardFraud on the embedded Flink runner, with local PostgreSQL ==
Input: $transactions, 20 minutes of card transactions replayed in event time at
${KAPPA_DEMO_SPEEDUP:-20}x (some out of order, one 3 minutes late, two malformed); the customers'
home countries from the change stream $changes (CU-09 moves FR -> DE at 10:12).
Velocity rule: 3 transactions over 100.00 (JPY: 15000.00) on a card within 60 s; each alert is
printed the moment its evidence has arrived, naming the transactions that make it up.
Risk: sliding 5-minute windows every minute per card, scored when each window closes (allowed
lateness 1 minute here); final scores over 0.85 are risk alerts.
Both alert kinds are upserted into PostgreSQL: $velocity_table, $risk_table.

TXT
  "$ROOT/scripts/postgres-local.sh" start
  "$ROOT/scripts/postgres-local.sh" psql >/dev/null <<SQL
CREATE TABLE $velocity_table (
  card_id text NOT NULL, transaction_id text NOT NULL, customer_id text NOT NULL,
  merchant_id text NOT NULL, amount_cents bigint NOT NULL, currency text NOT NULL,
  country text NOT NULL, event_time timestamptz NOT NULL,
  PRIMARY KEY (card_id, transaction_id));
CREATE TABLE $risk_table (
  card_id text NOT NULL, customer_id text NOT NULL, window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL, transaction_count bigint NOT NULL,
  qualifying_count bigint NOT NULL, total_amount_cents bigint NOT NULL,
  distinct_merchants integer NOT NULL, distinct_countries integer NOT NULL,
  foreign_count bigint NOT NULL, score double precision NOT NULL,
  PRIMARY KEY (card_id, window_start, window_end));
SQL
  local status=0
  # Created before the job starts, so that tail below finds it and follows it from the start.
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run card-fraud @runners-config/flink-embedded.args \
    --source=REPLAY --input="$transactions" --replaySpeedUp="${KAPPA_DEMO_SPEEDUP:-20}" \
    --customerChanges="$changes" \
    --velocityMinAmounts=JPY=1500000 --allowedLateness=PT1M --riskEarlyFirings=none \
    --output="$DEMO_DIR/scores" --jdbcUrl="$jdbc" --jdbcUser=kappa \
    --velocityAlertsTable="$velocity_table" --riskAlertsTable="$risk_table" "$@" \
    >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" | grep --line-buffered -v '^\[score\]' &
  wait "$PIPELINE_PID" || status=$?
  PIPELINE_PID=""
  sleep 0.2
  if [[ $status -ne 0 ]]; then
    echo "kappa demo: the pipeline failed; its log:" >&2
    tail -n 30 "$err" >&2
    return "$status"
  fi
  echo
  echo "== Summary =="
  echo "Velocity alerts: $(grep -c '^\[velocity\]' "$log" || true);" \
    "risk alerts: $(grep -c '^\[risk\]' "$log" || true);" \
    "too late: $(grep -c '^\[too-late\]' "$log" || true);" \
    "dead letters: $(grep -c '^\[dead-letter\]' "$log" || true)"
  echo
  echo "In PostgreSQL, velocity alerts per card ($velocity_table):"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT card_id, count(*) AS alerts, min(event_time) AS first, max(event_time) AS last
FROM $velocity_table GROUP BY card_id ORDER BY card_id;
SELECT card_id, window_start, window_end, score FROM $risk_table ORDER BY card_id, window_start;
SQL
  echo "The tables and PostgreSQL stay (scripts/postgres-local.sh stop). A backfill of the same"
  echo "file into the same tables adds exactly what the stream diverted as too late:"
  echo "  scripts/kappa backfill card-fraud @runners-config/flink-embedded.args --source=FILES \\"
  echo "      --input=$transactions --customerChanges=$changes --velocityMinAmounts=JPY=1500000 \\"
  echo "      --jdbcUrl=$jdbc --jdbcUser=kappa --velocityAlertsTable=$velocity_table \\"
  echo "      --riskAlertsTable=$risk_table"
  return 0
}
