#!/usr/bin/env bash
# A local Kafka broker (KRaft, one node, loopback only) for running pipelines by hand. It runs in a
# JVM of its own from the testing module's classpath file, with its data, log and pid file in
# .kappa/kafka; the data survives restarts until wiped.
#
#   scripts/kafka-local.sh start [--secure]               start it and wait until it answers
#   scripts/kafka-local.sh stop [--wipe]                  stop it (--wipe: then delete its data)
#   scripts/kafka-local.sh wipe                           stop it and delete its data
#   scripts/kafka-local.sh status                         running (exit 0) or stopped (exit 3)
#   scripts/kafka-local.sh topics                         list the topics and their partitions
#   scripts/kafka-local.sh create-topic <name> [partitions]   (1 partition unless given)
#   scripts/kafka-local.sh grant read|write <topic> [group-prefix]   ACLs for user kappa (--secure)
#
# --secure (on new data): a SASL_SSL listener (SCRAM-SHA-512 users admin and kappa, a CA and broker
# certificate made with keytool) and ACLs; the client settings of each user are written to
# .kappa/kafka/secure/admin.properties and kappa.properties, for --kafkaClientProperties. The user
# kappa may do nothing until 'grant' allows it (docs/security.md).
# Environment: KAFKA_PORT (9092) and KAFKA_CONTROLLER_PORT (9093) choose the ports at start;
# KAFKA_LOG_LEVEL (WARN) the level of .kappa/kafka/broker.log. Topics are never auto-created.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.kappa/kafka"
BOOTSTRAP_FILE="$DATA/bootstrap"
CLASSPATH_FILE="$ROOT/testing/target/kafka-broker.classpath"
CLASSES="$ROOT/testing/target/classes"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck source=ports.sh
source "$ROOT/scripts/ports.sh"

die() {
  echo "kafka-local: $*" >&2
  exit 1
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

bootstrap() {
  if [[ -f $BOOTSTRAP_FILE ]]; then cat "$BOOTSTRAP_FILE"; else echo "127.0.0.1:$PORT"; fi
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
  command -v "$JAVA" >/dev/null || die "java not found: install a Java 17 JDK"
  "$JAVA" -Dlog4j.configuration=dev/kappa/testing/kafka/broker-log4j.properties \
    -Dkappa.kafka.logLevel=ERROR -Dkappa.kafka.dataDir="$DATA" \
    -cp "$CLASSES:$(<"$CLASSPATH_FILE")" dev.kappa.testing.kafka.KafkaLocalCli "$@"
}

start() {
  local secure=("$@")
  build_if_needed
  mkdir -p "$DATA"
  if ! cli status "$DATA" >/dev/null; then
    require_free_port "$PORT" KAFKA_PORT "the Kafka broker"
    require_free_port "$CONTROLLER_PORT" KAFKA_CONTROLLER_PORT "the Kafka broker's controller"
  fi
  # KafkaLocalCli writes the configuration, formats new storage, starts the broker's JVM in a
  # session of its own with its pid in broker.pid, and waits until it answers (at most 60 s).
  local result
  result=$(cli start "$DATA" "$PORT" "$CONTROLLER_PORT" "${KAFKA_LOG_LEVEL:-WARN}" "${secure[@]}") \
    || die "start failed; its log is ${DATA#"$ROOT"/}/broker.log"
  if [[ $result == already* ]]; then
    echo "kafka-local: $result at $(bootstrap)"
  else
    echo "127.0.0.1:$PORT" >"$BOOTSTRAP_FILE"
    echo "kafka-local: $result; data and log in ${DATA#"$ROOT"/}"
  fi
  if [[ -f $DATA/secure/kappa.properties ]]; then
    echo "kafka-local: secured (SASL_SSL, SCRAM-SHA-512, ACLs); client settings:" \
      "${DATA#"$ROOT"/}/secure/admin.properties (super user), ${DATA#"$ROOT"/}/secure/kappa.properties"
  fi
}

stop() {
  build_if_needed
  # SIGTERM (a controlled shutdown), SIGKILL if the broker has not exited within 30 s.
  echo "kafka-local: $(cli stop "$DATA")"
}

wipe() {
  stop
  rm -rf "$DATA"
  echo "kafka-local: deleted ${DATA#"$ROOT"/}"
}

status() {
  build_if_needed
  local state
  if state=$(cli status "$DATA"); then
    echo "$state at $(bootstrap)"
  else
    echo "$state"
    exit 3
  fi
}

require_running() {
  build_if_needed
  cli status "$DATA" >/dev/null || die "not running; start it with scripts/kafka-local.sh start"
}

case "${1:-}" in
  start)
    case "${2:-}" in
      "") [[ $# -eq 1 ]] || usage; start ;;
      --secure) [[ $# -eq 2 ]] || usage; start --secure ;;
      *) usage ;;
    esac
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
  grant)
    [[ $# -eq 3 || $# -eq 4 ]] || usage
    require_running
    [[ -f $DATA/secure/admin.properties ]] || die "the broker is not secured (start --secure)"
    cli grant "$(bootstrap)" "$2" "$3" ${4:+"$4"}
    ;;
  *)
    usage
    ;;
esac
