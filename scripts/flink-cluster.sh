#!/usr/bin/env bash
# A local Flink 1.19 standalone session cluster, as production runs one: a JobManager and
# TaskManagers, each a JVM of its own (no flink-dist: the jars come from Maven, the configuration
# from runners-config/flink/cluster). Logs, checkpoints and savepoints in .kappa/flink.
#
#   scripts/flink-cluster.sh start [--taskmanagers N]   start it (2 TaskManagers, 2 slots each) and
#                                                       wait until every TaskManager registered;
#                                                       if running, start only missing TaskManagers
#   scripts/flink-cluster.sh stop                       stop it (checkpoints, savepoints, logs stay)
#   scripts/flink-cluster.sh status                     pids, slots, jobs; exit 3 when stopped
#
# Submit with: scripts/kappa run <pipeline> @runners-config/flink-cluster.args [--option=value ...]
# Web UI and REST API: http://localhost:8081. See docs/flink-cluster.md.
#
# Environment: FLINK_REST_PORT (8081) and FLINK_RPC_PORT (6123) choose the ports at start;
# FLINK_WORK_DIR (.kappa/flink) the work directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK_DIR="${FLINK_WORK_DIR:-$ROOT/.kappa/flink}"
CLASSPATH_FILE="$ROOT/cluster/target/flink-cluster.classpath"
CLASSES="$ROOT/testing/target/classes"
REST_PORT="${FLINK_REST_PORT:-8081}"
RPC_PORT="${FLINK_RPC_PORT:-6123}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck source=ports.sh
source "$ROOT/scripts/ports.sh"

die() {
  echo "flink-cluster: $*" >&2
  exit 1
}

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

build_if_needed() {
  if [[ ! -f $CLASSPATH_FILE || ! -f $CLASSES/dev/kappa/testing/flink/FlinkClusterCli.class ]]; then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ to build the cluster classpath"
    echo "flink-cluster: building the cluster classpath (mvn package -pl testing -am, tests skipped) ..." >&2
    (cd "$ROOT" && mvn -B -q -pl testing -am package -DskipTests -Dspotless.check.skip=true) >&2 \
      || die "the build failed; run 'mvn -pl testing -am package -DskipTests' in $ROOT to see why"
  fi
}

cli() {
  command -v "$JAVA" >/dev/null || die "java not found: install a Java 17 JDK"
  build_if_needed
  # The cluster's JVMs inherit this directory: relative paths in jobs resolve from the repository.
  cd "$ROOT"
  "$JAVA" -Dlog4j.configurationFile="$ROOT/runners-config/flink/cluster/log4j-cli.properties" \
    -Dkappa.flink.classpath="$CLASSPATH_FILE" -Dkappa.runnersConfig="$ROOT/runners-config" \
    -cp "$CLASSES:$(<"$CLASSPATH_FILE")" dev.kappa.testing.flink.FlinkClusterCli "$@"
}

case "${1:-}" in
  start)
    shift
    taskmanagers=2
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --taskmanagers) [[ $# -ge 2 ]] || usage; taskmanagers=$2; shift 2 ;;
        --taskmanagers=*) taskmanagers=${1#*=}; shift ;;
        *) usage ;;
      esac
    done
    if [[ ! $taskmanagers =~ ^[1-9][0-9]*$ ]]; then
      echo "flink-cluster: --taskmanagers needs a positive number, got '$taskmanagers'" >&2
      exit 2
    fi
    # What cli needs first, outside the redirection below, so that its errors are seen.
    command -v "$JAVA" >/dev/null || die "java not found: install a Java 17 JDK"
    build_if_needed
    if ! cli status "$WORK_DIR" >/dev/null 2>&1; then
      require_free_port "$REST_PORT" FLINK_REST_PORT "the Flink JobManager's REST endpoint"
      require_free_port "$RPC_PORT" FLINK_RPC_PORT "the Flink JobManager's RPC endpoint"
    fi
    cli start "$WORK_DIR" --taskmanagers "$taskmanagers" --rest-port "$REST_PORT" --rpc-port "$RPC_PORT"
    ;;
  stop)
    [[ $# -eq 1 ]] || usage
    cli stop "$WORK_DIR"
    ;;
  status)
    [[ $# -eq 1 ]] || usage
    cli status "$WORK_DIR"
    ;;
  *)
    usage
    ;;
esac
