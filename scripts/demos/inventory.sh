# shellcheck shell=bash
# `scripts/kappa demo inventory`: sourced by scripts/kappa, which defines ROOT, launch, exec_launch,
# die, demo_dir and await_readers. Defines job_demo.
#
# Plays test-data/inventory: the inventory table's change stream to a topic of its own, then the
# orders (a viral burst of P-SHOE among a few other products) paced in event time, while the
# inventory job runs on the embedded Flink runner. Shows the OVERSOLD alerts as they fire and, at
# the end, the stock table in PostgreSQL. Uses KAFKA_PORT and KAPPA_POSTGRES_PORT like the other
# demos; topics and tables are named with a timestamp; stops only what it started.
# --maxOutOfOrderness=PT1M: the orders file is out of order by up to a minute of event time (each
# minute's other products are listed before its burst), so a shorter bound makes orders too late.

job_demo() {
  cd "$ROOT"
  local orders=test-data/inventory/orders.jsonl changes=test-data/inventory/inventory.changelog.jsonl
  local partitions=3 port=${KAFKA_PORT:-9092} pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local topic="inventory-orders-demo-$stamp" changes_topic="inventory-changes-demo-$stamp"
  local levels_table="stock_levels_demo_$stamp" history_table="stock_history_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-demo-inventory.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  cat <<TXT
== Kappa demo: inventory on the embedded Flink runner, fed from local Kafka, into PostgreSQL ==
Input: the inventory table's change stream ($changes, to topic $changes_topic) and
$orders: $(grep -c . "$orders") orders, most of them a viral burst of P-SHOE (500 in stock at
10:00, restocked to 300 at 10:03:30), produced to topic $topic at ${KAPPA_DEMO_SPEEDUP:-20}x event time.
Per product, changes and orders are applied in event-time order (a change before an order in the
same millisecond); an order that takes a level below zero raises an OVERSOLD alert.
Outputs: alerts below as they fire; every product's current level upserted into PostgreSQL's
table $levels_table, its history per minute into $history_table.

TXT
  "$ROOT/scripts/kafka-local.sh" start
  "$ROOT/scripts/postgres-local.sh" start
  "$ROOT/scripts/postgres-local.sh" psql >/dev/null <<SQL
CREATE TABLE $levels_table (
  product_id text PRIMARY KEY, event_time timestamptz NOT NULL, cause text NOT NULL,
  order_id text, quantity bigint NOT NULL, level_before bigint NOT NULL, level bigint NOT NULL,
  stocked boolean NOT NULL);
CREATE TABLE $history_table (
  product_id text NOT NULL, minute_start timestamptz NOT NULL, minute_end timestamptz NOT NULL,
  level bigint NOT NULL, orders bigint NOT NULL, units_ordered bigint NOT NULL,
  changes bigint NOT NULL, oversold_orders bigint NOT NULL, PRIMARY KEY (product_id, minute_start));
SQL
  "$ROOT/scripts/kafka-local.sh" create-topic "$topic" "$partitions" >/dev/null
  launch produce-changes "$changes" --topic="$changes_topic" --key=product_id \
    --bootstrapServers="localhost:$port" 2>>"$err" | sed 's/^/  /' >&2
  local lines stops="" p
  lines=$(grep -c . "$orders")
  for ((p = 0; p < partitions; p++)); do
    stops+="${stops:+,}$p=$(((lines - p + partitions - 1) / partitions))"
  done
  # Created before the job starts, so that tail below finds it and follows it from the start.
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run inventory @runners-config/flink-embedded.args \
    --source=KAFKA --bootstrapServers="localhost:$port" --inputTopics="$topic" \
    --stopAtOffsets="$stops" --inventoryChanges="kafka:$changes_topic" --maxOutOfOrderness=PT1M \
    --orderingLateness=PT5S --output="$DEMO_DIR/levels" --alertsOutput=console \
    --tooLateOutput=console --deadLetterOutput=console --jdbcUrl="$jdbc" --jdbcUser=kappa \
    --levelsTable="$levels_table" --historyTable="$history_table" "$@" >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" | grep --line-buffered -v '^\[dead-letter\]' &
  TAIL_PID=$!
  await_readers "$topic" "$partitions" "$err" 180 || return 1
  launch produce-orders "$orders" --topic="$topic" --bootstrapServers="localhost:$port" \
    --speedUp="${KAPPA_DEMO_SPEEDUP:-20}" 2>>"$err" | sed 's/^/  /' >&2
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
  echo "OVERSOLD alerts: $(grep -c '^\[alert\]' "$log" || true)," \
    "too late: $(grep -c '^\[too-late\]' "$log" || true)," \
    "dead letters: $(grep -c '^\[dead-letter\]' "$log" || true) (the malformed lines of the test data)"
  echo
  echo "Current stock per product in PostgreSQL (table $levels_table):"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT product_id, level, stocked, cause AS last_change, event_time AS as_of
FROM $levels_table ORDER BY product_id;
SQL
  echo "P-SHOE per minute (table $history_table):"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT minute_start, level, orders, units_ordered, oversold_orders
FROM $history_table WHERE product_id = 'P-SHOE' ORDER BY minute_start;
SQL
  echo "The broker and PostgreSQL keep running (scripts/kafka-local.sh stop;"
  echo "scripts/postgres-local.sh stop); the topics stay, for a backfill:"
  echo "  scripts/kappa backfill inventory @runners-config/flink-embedded.args \\"
  echo "      --bootstrapServers=localhost:$port --inputTopics=$topic \\"
  echo "      --inventoryChanges=kafka:$changes_topic \\"
  echo "      --from=2026-03-01T00:00:00Z --to=2026-03-02T00:00:00Z"
  return "$status"
}
