# shellcheck shell=bash
# `scripts/kappa demo order-payments`: sourced by scripts/kappa, which defines ROOT, launch,
# exec_launch, demo_dir and await_readers. OrderPayments on the embedded Flink runner, fed from
# local Kafka, its order status table in PostgreSQL. Own topic and table, named with a timestamp;
# stops only what it started.

job_demo() {
  cd "$ROOT"
  local events=test-data/order-payments/events.jsonl partitions=2
  local port=${KAFKA_PORT:-9092} pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local topic="order-payments-demo-$stamp"
  local table="order_payment_status_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-demo.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  cat <<TXT
== Kappa demo: OrderPayments (a stream-stream interval join) on the embedded Flink runner ==
Input: $events, orders and payments over about an hour of event time, produced to topic
$topic ($partitions partitions) at ${KAPPA_DEMO_SPEEDUP:-120}x event time while the job streams it.
Join: each order with the payments of its order id from 1 min before to 15 min after it.
Per order, once the watermark passes order time + 15 min: PAID / UNDERPAID / OVERPAID with its
payments and time to pay, or an UNPAID alert; payments in no order's interval are orphans.
A repeated payment_id counts once; declined and refunded payments are reported, not counted.
Statuses are upserted into PostgreSQL's table $table, one row per order.

TXT
  "$ROOT/scripts/kafka-local.sh" start
  "$ROOT/scripts/postgres-local.sh" start
  echo "CREATE TABLE $table (LIKE order_payment_status INCLUDING ALL);" \
    | "$ROOT/scripts/postgres-local.sh" psql >/dev/null
  "$ROOT/scripts/kafka-local.sh" create-topic "$topic" "$partitions" >/dev/null
  local lines stops="" p
  lines=$(grep -c . "$events")
  for ((p = 0; p < partitions; p++)); do
    stops+="${stops:+,}$p=$(((lines - p + partitions - 1) / partitions))"
  done
  # Created before the job starts, so that tail below finds it and follows it from the start.
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run order-payments @runners-config/flink-embedded.args \
    --source=KAFKA --bootstrapServers="localhost:$port" --inputTopics="$topic" \
    --stopAtOffsets="$stops" --maxOutOfOrderness=PT1M --jdbcUrl="$jdbc" --jdbcUser=kappa \
    --resultsTable="$table" --output=console --alertsOutput=console --orphansOutput=console \
    --tooLateEventsOutput=console --deadLetterOutput=console "$@" >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" &
  await_readers "$topic" "$partitions" "$err" 120 || return 1
  # Orders go as Avro, payments (not orders to this tool) as their JSON bytes: the job reads both.
  launch produce-orders "$events" --topic="$topic" --bootstrapServers="localhost:$port" \
    --speedUp="${KAPPA_DEMO_SPEEDUP:-120}" 2>>"$err" | sed 's/^/  /' >&2
  local status=0
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
  printf 'Paid orders: %d; UNPAID alerts: %d; orphan payments: %d; too late: %d; dead letters: %d\n' \
    "$(grep -c '^\[paid\]' "$log" || true)" "$(grep -c '^\[unpaid\]' "$log" || true)" \
    "$(grep -c '^\[orphan\]' "$log" || true)" "$(grep -c '^\[too-late\]' "$log" || true)" \
    "$(grep -c '^\[dead-letter\]' "$log" || true)"
  echo
  echo "Order statuses in PostgreSQL (table $table):"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT status, count(*) AS orders, round(sum(paid_cents) / 100.0, 2) AS paid,
       round(sum(order_total_cents) / 100.0, 2) AS total
FROM $table GROUP BY status ORDER BY status;
SQL
  echo "The broker and PostgreSQL keep running (scripts/kafka-local.sh stop,"
  echo "scripts/postgres-local.sh stop); the topic $topic stays for a backfill:"
  echo "  scripts/kappa backfill order-payments @runners-config/flink-embedded.args \\"
  echo "      --bootstrapServers=localhost:$port --inputTopics=$topic \\"
  echo "      --from=2026-03-01T00:00:00Z --to=2026-03-02T00:00:00Z"
  return "$status"
}
