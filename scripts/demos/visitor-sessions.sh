# shellcheck shell=bash
# `scripts/kappa demo visitor-sessions`: sourced by scripts/kappa, which provides ROOT, launch,
# exec_launch, die, demo_dir and await_readers. Replays test-data/visitor-sessions/events.jsonl as a stream on embedded
# Flink, with the sessions table in the local PostgreSQL (KAPPA_POSTGRES_PORT, default 55432), and
# shows sessions as they close, the late views that merge them, and the table at the end.

job_demo() {
  cd "$ROOT"
  local events=test-data/visitor-sessions/events.jsonl
  local pg_port=${KAPPA_POSTGRES_PORT:-55432}
  local stamp
  stamp=$(date +%s)
  local table="visitor_sessions_demo_$stamp"
  local jdbc="jdbc:postgresql://127.0.0.1:$pg_port/kappa"
  demo_dir kappa-demo.XXXXXX
  local log=$DEMO_DIR/output.log err=$DEMO_DIR/pipeline.log
  cat <<TXT
== Kappa demo: VisitorSessions on the embedded Flink runner, sessions kept in PostgreSQL ==
Input: $events, $(grep -c . "$events") page views and orders of about 40 visitors over six hours of
event time, replayed at 600x event time. The last lines are late views, hours behind the stream:
they bridge sessions of C-MERGE2 and C-MERGE3 that were already emitted, which the job then merges,
retracting the sessions they replace.
Sessions: 30 minutes of inactivity end a session; late events change a session for six hours after
its end (so these late views still count), later ones are too late.
Table: $table in PostgreSQL (scripts/sql/visitor-sessions.sql), upserted by (visitor_id,
session_start) and versioned; retracted rows become tombstones (retracted = true), so the order
in which upserts and retractions reach the table does not matter.

TXT
  "$ROOT/scripts/postgres-local.sh" start
  sed "s/visitor_sessions/$table/g" "$ROOT/scripts/sql/visitor-sessions.sql" \
    | "$ROOT/scripts/postgres-local.sh" psql >/dev/null
  local status=0
  : >"$log"
  KAPPA_JDBC_PASSWORD=kappa \
    KAPPA_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=error ${KAPPA_JAVA_OPTS:-}" \
    exec_launch run visitor-sessions @runners-config/flink-embedded.args \
    --source=REPLAY --input="$events" --replaySpeedUp="${KAPPA_DEMO_SPEEDUP:-600}" \
    --maxOutOfOrderness=PT1M --allowedLateness=PT6H --sessionGap=PT30M \
    --output=console --retractionsOutput=console --tooLateOutput=console \
    --deadLetterOutput=console --jdbcUrl="$jdbc" --jdbcUser=kappa --sessionsTable="$table" \
    "$@" >"$log" 2>>"$err" &
  PIPELINE_PID=$!
  echo "Sessions of C-MERGE2 and C-MERGE3 as they close, merge and are retracted:"
  tail -n +1 -f "$log" --pid="$PIPELINE_PID" | grep --line-buffered -E 'retract|MERGE|too late' \
    | sed -u 's/^/  /' &
  wait "$PIPELINE_PID" || status=$?
  PIPELINE_PID=""
  sleep 0.2
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
  echo "PostgreSQL keeps running, with $table (scripts/postgres-local.sh stop)."
  return "$status"
}
