# shellcheck shell=bash
# `scripts/kappa demo card-fraud`: CardFraud on the embedded Flink runner, streaming the test
# transactions from a fresh topic on the local Kafka (KAFKA_PORT), the customers' change stream
# read from its file (a Kafka change topic never ends, and the demo's stream must), alerts printed
# as they fire and upserted into the local PostgreSQL (KAPPA_POSTGRES_PORT), in tables of this
# run's own made by scripts/sql/card-fraud.sql. Sourced by scripts/kappa, which provides ROOT,
# launch, exec_launch, demo_dir and await_readers.

job_demo() {
  cd "$ROOT"
  local transactions=test-data/card-fraud/transactions.jsonl partitions=2
  local changes=test-data/card-fraud/customers.changelog.jsonl
  local port=${KAFKA_PORT:-9092} pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local topic="card-transactions-demo-$stamp"
  local velocity_table="velocity_alerts_demo_$stamp" risk_table="risk_alerts_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-fraud-demo.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  cat <<TXT
== Kappa demo: CardFraud on the embedded Flink runner, fed from local Kafka, alerts in PostgreSQL ==
Input: $transactions, 20 minutes of card transactions (some out of order, one 3 minutes late,
two malformed), produced to topic $topic ($partitions partitions) while the job streams it; the
customers' home countries from the change stream $changes (CU-09 moves FR -> DE at 10:12).
Velocity rule: 3 transactions over 100.00 (JPY: 15000.00) on a card within 60 s; each alert is
printed the moment its evidence has arrived, naming the transactions that make it up.
Risk: sliding 5-minute windows every minute per card, scored when each window closes (allowed
lateness 1 minute here); final scores over 0.85 are risk alerts.
Both alert kinds are upserted into PostgreSQL (scripts/sql/card-fraud.sql): $velocity_table,
$risk_table.

TXT
  "$ROOT/scripts/kafka-local.sh" start
  "$ROOT/scripts/postgres-local.sh" start
  sed -e "s/velocity_alerts/$velocity_table/g" -e "s/risk_alerts/$risk_table/g" \
    "$ROOT/scripts/sql/card-fraud.sql" | "$ROOT/scripts/postgres-local.sh" psql >/dev/null
  "$ROOT/scripts/kafka-local.sh" create-topic "$topic" "$partitions" >/dev/null
  # The producer sends line i to partition i mod $partitions: the stream ends at these offsets.
  local lines stops="" p
  lines=$(grep -c . "$transactions")
  for ((p = 0; p < partitions; p++)); do
    stops+="${stops:+,}$p=$(((lines - p + partitions - 1) / partitions))"
  done
  local from
  from=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # Created before the job starts, so that tail below finds it and follows it from the start.
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run card-fraud @runners-config/flink-embedded.args \
    --source=KAFKA --bootstrapServers="localhost:$port" --inputTopics="$topic" \
    --stopAtOffsets="$stops" --customerChanges="$changes" \
    --velocityMinAmounts=JPY=1500000 --allowedLateness=PT1M --riskEarlyFirings=none \
    --output="$DEMO_DIR/scores" --jdbcUrl="$jdbc" --jdbcUser=kappa \
    --velocityAlertsTable="$velocity_table" --riskAlertsTable="$risk_table" "$@" \
    >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" | grep --line-buffered -v '^\[score\]' &
  TAIL_PID=$!
  await_readers "$topic" "$partitions" "$err" 300 || return 1
  # The transactions are not orders to this tool: each goes as its JSON bytes, keyless. The file
  # holds no order, so the Kafka timestamps are the wall clock's (the job's event time is the
  # payload's event_time) and nothing paces the sends: the stream reads them as they come.
  launch produce-orders "$transactions" --topic="$topic" --bootstrapServers="localhost:$port" \
    2>>"$err" | sed 's/^/  /' >&2
  local status=0
  wait "$PIPELINE_PID" || status=$?
  PIPELINE_PID=""
  wait "$TAIL_PID" 2>/dev/null || true
  TAIL_PID=""
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
  echo "In PostgreSQL, velocity alerts per card ($velocity_table) and risk alerts ($risk_table):"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT card_id, count(*) AS alerts, min(event_time) AS first, max(event_time) AS last
FROM $velocity_table GROUP BY card_id ORDER BY card_id;
SELECT card_id, window_start, window_end, score FROM $risk_table ORDER BY card_id, window_start;
SQL
  echo "The broker, PostgreSQL and the tables stay (scripts/kafka-local.sh stop;"
  echo "scripts/postgres-local.sh stop). A backfill of the same topic into the same tables changes"
  echo "no row (the Kafka timestamps are this run's wall clock, hence the range):"
  echo "  scripts/kappa backfill card-fraud @runners-config/flink-embedded.args \\"
  echo "      --bootstrapServers=localhost:$port --inputTopics=$topic \\"
  echo "      --from=$from --to=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ) \\"
  echo "      --customerChanges=$changes --velocityMinAmounts=JPY=1500000 --allowedLateness=PT1M \\"
  echo "      --jdbcUrl=$jdbc --jdbcUser=kappa --velocityAlertsTable=$velocity_table \\"
  echo "      --riskAlertsTable=$risk_table"
  return 0
}
