# shellcheck shell=bash
# `scripts/kappa demo visitor-sessions`: sourced by scripts/kappa, which provides ROOT, launch,
# exec_launch, die, demo_dir and await_readers. Streams test-data/visitor-sessions/events.jsonl
# from a fresh topic on the local Kafka (KAFKA_PORT) on embedded Flink, with the sessions table in
# the local PostgreSQL (KAPPA_POSTGRES_PORT), and shows sessions as they close, the late views that
# merge them, the retractions, and the table at the end.

job_demo() {
  cd "$ROOT"
  local events=test-data/visitor-sessions/events.jsonl partitions=2
  local port=${KAFKA_PORT:-9092} pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local topic="visitor-events-demo-$stamp"
  local table="visitor_sessions_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-demo.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  # The file ends with the late views (V-01...) that bridge sessions of C-MERGE2 and C-MERGE3: they
  # are produced once those sessions have been emitted, so that the stream has something to retract.
  local late_lines all_lines
  all_lines=$(grep -c . "$events")
  late_lines=$(grep -c '"view_id": "V-01' "$events" || true)
  if ((late_lines == 0)) || [[ $(tail -n "$late_lines" "$events" | grep -c '"view_id": "V-01') != "$late_lines" ]]; then
    echo "kappa demo visitor-sessions: $events does not end with its late views (V-01...)" >&2
    return 1
  fi
  grep . "$events" | head -n "$((all_lines - late_lines))" >"$DEMO_DIR/events.jsonl"
  grep . "$events" | tail -n "$late_lines" >"$DEMO_DIR/late-views.jsonl"
  cat <<TXT
== Kappa demo: VisitorSessions on the embedded Flink runner, fed from local Kafka, sessions in PostgreSQL ==
Input: $events, $all_lines page views and orders of about 40 visitors over six hours of event
time, produced to topic $topic ($partitions partitions) at ${KAPPA_DEMO_SPEEDUP:-600}x event time
while the job streams it. The file's last $late_lines lines are late views, hours behind the stream:
they are produced once the sessions of C-MERGE2 and C-MERGE3 they bridge have closed, and the job
then merges those sessions, retracting the ones they replace.
Sessions: 30 minutes of inactivity end a session; late events change a session for six hours after
its end (so these late views still count), later ones are too late.
Table: $table in PostgreSQL (scripts/sql/visitor-sessions.sql), upserted by (visitor_id,
session_start) and versioned; retracted rows become tombstones (retracted = true), so the order
in which upserts and retractions reach the table does not matter.

TXT
  "$ROOT/scripts/kafka-local.sh" start
  "$ROOT/scripts/postgres-local.sh" start
  sed "s/visitor_sessions/$table/g" "$ROOT/scripts/sql/visitor-sessions.sql" \
    | "$ROOT/scripts/postgres-local.sh" psql >/dev/null
  "$ROOT/scripts/kafka-local.sh" create-topic "$topic" "$partitions" >/dev/null
  # Each produce-orders run sends its line i to partition i mod $partitions: the stream ends at
  # the sum of both runs' offsets.
  local stops="" p first=$((all_lines - late_lines))
  for ((p = 0; p < partitions; p++)); do
    stops+="${stops:+,}$p=$(((first - p + partitions - 1) / partitions + (late_lines - p + partitions - 1) / partitions))"
  done
  local status=0
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run visitor-sessions @runners-config/flink-embedded.args \
    --source=KAFKA --bootstrapServers="localhost:$port" --inputTopics="$topic" \
    --stopAtOffsets="$stops" --maxEventTimeAhead=P1D \
    --maxOutOfOrderness=PT1M --allowedLateness=PT6H --sessionGap=PT30M \
    --output=console --retractionsOutput=console --tooLateOutput=console \
    --deadLetterOutput=console --jdbcUrl="$jdbc" --jdbcUser=kappa --sessionsTable="$table" \
    "$@" >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  echo "Sessions of C-MERGE2 and C-MERGE3 as they close, merge and are retracted:"
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" | grep --line-buffered -E 'retract|MERGE|too late' \
    | sed -u 's/^/  /' &
  TAIL_PID=$!
  await_readers "$topic" "$partitions" "$err" 300 || return 1
  # Orders go as Avro in their schema version, page views (not orders to this tool) as their JSON
  # bytes, stamped with the time of the order before them (15 orders in six hours), so a view's
  # event time can be hours ahead of its Kafka timestamp: hence --maxEventTimeAhead=P1D above,
  # without which the job's plausibility check makes such views dead letters.
  launch produce-orders "$DEMO_DIR/events.jsonl" --topic="$topic" \
    --bootstrapServers="localhost:$port" --speedUp="${KAPPA_DEMO_SPEEDUP:-600}" 2>>"$err" \
    | sed 's/^/  /' >&2
  # C-MERGE2 has 2 sessions and C-MERGE3 3 before the late views: wait until all 5 have closed (the
  # watermark has passed them; at worst the source's idle rule moves it after a minute).
  local waited=0
  until (($(grep -cE '^\[session\] session C-MERGE[23] ' "$log" || true) >= 5)); do
    if ! kill -0 "$PIPELINE_PID" 2>/dev/null || ((waited >= 180)); then
      echo "kappa demo: the sessions to merge did not close; the pipeline's log:" >&2
      tail -n 30 "$err" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "  -- now the $late_lines late views --"
  launch produce-orders "$DEMO_DIR/late-views.jsonl" --topic="$topic" \
    --bootstrapServers="localhost:$port" 2>>"$err" | sed 's/^/  /' >&2
  wait "$PIPELINE_PID" || status=$?
  PIPELINE_PID=""
  wait "$TAIL_PID" 2>/dev/null || true
  TAIL_PID=""
  echo
  echo "== Summary =="
  printf 'Sessions emitted: %d (updates included); retractions: %d; too late: %d; dead letters: %d\n' \
    "$(grep -c '^\[session\]' "$log" || true)" \
    "$(grep -c '^\[retraction\]' "$log" || true)" \
    "$(grep -c '^\[too-late\]' "$log" || true)" \
    "$(grep -c '^\[dead-letter\]' "$log" || true)"
  echo
  echo "Live sessions in PostgreSQL (table $table, retracted rows left out): the reference has $(grep -c . \
    test-data/visitor-sessions/expected-sessions.jsonl) for the whole file"
  "$ROOT/scripts/postgres-local.sh" psql <<SQL | sed 's/^/  /'
SELECT count(*) AS sessions, sum(page_count) AS pages, sum(orders) AS orders,
       sum(CASE WHEN converted THEN 1 ELSE 0 END) AS converted
FROM $table WHERE NOT retracted;
SELECT visitor_id, session_start, session_end, page_count, orders, retracted
FROM $table WHERE visitor_id LIKE 'C-MERGE%' OR visitor_id LIKE 'C-EDGE%'
ORDER BY visitor_id, session_start;
SQL
  if [[ $status -ne 0 ]]; then
    echo "kappa demo: the pipeline failed; its log:" >&2
    tail -n 30 "$err" >&2
  fi
  echo "The broker and PostgreSQL keep running, with $topic and $table (scripts/kafka-local.sh stop;"
  echo "scripts/postgres-local.sh stop)."
  return "$status"
}
