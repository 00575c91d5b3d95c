#!/usr/bin/env bash
# A local Kafka broker (KRaft, one node, loopback only) for running pipelines by hand. It runs in a
# JVM of its own from the testing module's classpath file, with its data, log and pid file in
# .kappa/kafka; the data survives restarts until wiped.
#
#   scripts/kafka-local.sh start                          start it and wait until it answers
#   scripts/kafka-local.sh stop [--wipe]                  stop it (--wipe: then delete its data)
#   scripts/kafka-local.sh wipe                           stop it and delete its data
#   scripts/kafka-local.sh status                         running (exit 0) or stopped (exit 3)
#   scripts/kafka-local.sh topics                         list the topics and their partitions
#   scripts/kafka-local.sh create-topic <name> [partitions]   (1 partition unless given)
#
# Environment: KAFKA_PORT (9092) and KAFKA_CONTROLLER_PORT (9093) choose the ports at start;
# KAFKA_LOG_LEVEL (WARN) the level of .kappa/kafka/broker.log. Topics are never auto-created.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.kappa/kafka"
PID_FILE="$DATA/broker.pid"
LOG_FILE="$DATA/broker.log"
BOOTSTRAP_FILE="$DATA/bootstrap"
CLASSPATH_FILE="$ROOT/testing/target/kafka-broker.classpath"
CLASSES="$ROOT/testing/target/classes"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
START_TIMEOUT_SECONDS=60
STOP_TIMEOUT_SECONDS=30
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() {
  echo "kafka-local: $*" >&2
  exit 1
}

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The broker's pid if this script's broker is running (a live pid running kafka.Kafka).
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && ps -p "$pid" -o args= 2>/dev/null | grep -q 'kafka\.Kafka' \
    && echo "$pid"
}

bootstrap() {
  if [[ -f $BOOTSTRAP_FILE ]]; then cat "$BOOTSTRAP_FILE"; else echo "127.0.0.1:$PORT"; fi
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

build_if_needed() {
  if [[ ! -f $CLASSPATH_FILE || ! -f $CLASSES/dev/kappa/testing/kafka/KafkaLocalCli.class ]]; then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ to build the testing module"
    echo "kafka-local: building the broker classpath (mvn package -pl testing, tests skipped) ..." >&2
    (cd "$ROOT" && mvn -B -q -pl testing -am package -DskipTests -Dspotless.check.skip=true) >&2 \
      || die "the build failed; run 'mvn -pl testing -am package -DskipTests' in $ROOT to see why"
  fi
}

cli() {
  "$JAVA" -Dlog4j.configuration=dev/kappa/testing/kafka/broker-log4j.properties \
    -Dkappa.kafka.logLevel=ERROR \
    -cp "$CLASSES:$(<"$CLASSPATH_FILE")" dev.kappa.testing.kafka.KafkaLocalCli "$@"
}

log_tail() {
  echo "--- end of $LOG_FILE ---" >&2
  tail -n 30 "$LOG_FILE" >&2 || true
}

start() {
  local pid
  if pid=$(running_pid); then
    echo "kafka-local: already running (pid $pid) at $(bootstrap)"
    return 0
  fi
  command -v "$JAVA" >/dev/null || die "java not found: install a Java 17 JDK"
  for port in "$PORT" "$CONTROLLER_PORT"; do
    ! port_answers "$port" \
      || die "port $port is in use by another process; choose others with KAFKA_PORT / KAFKA_CONTROLLER_PORT"
  done
  build_if_needed
  mkdir -p "$DATA"
  cli configure "$DATA" "$PORT" "$CONTROLLER_PORT"
  # The broker's JVM, set up as KafkaBroker sets it up.
  local broker_jvm=("$JAVA" -Xmx512m -Djava.awt.headless=true
    -Dlog4j.configuration="file:$DATA/log4j.properties"
    -Dkappa.kafka.logLevel="${KAFKA_LOG_LEVEL:-WARN}"
    -cp "$(<"$CLASSPATH_FILE")")
  if [[ ! -f $DATA/logs/meta.properties ]]; then
    local cluster_id
    cluster_id=$("${broker_jvm[@]}" kafka.tools.StorageTool random-uuid)
    "${broker_jvm[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" \
      --config "$DATA/server.properties" --ignore-formatted >>"$LOG_FILE" 2>&1 \
      || { log_tail; die "formatting the storage in $DATA failed"; }
  fi
  echo "127.0.0.1:$PORT" >"$BOOTSTRAP_FILE"
  nohup "${broker_jvm[@]}" kafka.Kafka "$DATA/server.properties" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until port_answers "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die "the broker exited before it answered at 127.0.0.1:$PORT"
    fi
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      log_tail
      die "the broker did not answer at 127.0.0.1:$PORT within $START_TIMEOUT_SECONDS s; killed it"
    fi
    sleep 0.2
  done
  echo "kafka-local: running (pid $pid) at 127.0.0.1:$PORT; data and log in ${DATA#"$ROOT"/}"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    echo "kafka-local: not running"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka-local: no exit $STOP_TIMEOUT_SECONDS s after SIGTERM; killing pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  echo "kafka-local: stopped (pid $pid)"
}

wipe() {
  stop
  rm -rf "$DATA"
  echo "kafka-local: deleted ${DATA#"$ROOT"/}"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "running (pid $pid) at $(bootstrap)"
  else
    echo "stopped"
    exit 3
  fi
}

require_running() {
  running_pid >/dev/null || die "not running; start it with scripts/kafka-local.sh start"
  build_if_needed
}

case "${1:-}" in
  start)
    [[ $# -eq 1 ]] || usage
    start
    ;;
  stop)
    case "${2:-}" in
      "") [[ $# -eq 1 ]] || usage; stop ;;
      --wipe) [[ $# -eq 2 ]] || usage; wipe ;;
      *) usage ;;
    esac
    ;;
  wipe)
    [[ $# -eq 1 ]] || usage
    wipe
    ;;
  status)
    [[ $# -eq 1 ]] || usage
    status
    ;;
  topics)
    [[ $# -eq 1 ]] || usage
    require_running
    cli topics "$(bootstrap)"
    ;;
  create-topic)
    [[ $# -eq 2 || $# -eq 3 ]] || usage
    require_running
    cli create-topic "$(bootstrap)" "$2" "${3:-1}"
    ;;
  *)
    usage
    ;;
esac
