#!/usr/bin/env bash
# Installs, from the distribution's packages (apt-get), the command-line tools some tests and
# scripts need beyond Java and Maven, and only those missing from PATH. Idempotent: a tool already
# on PATH is left alone, and a second run does nothing.
#
#   scripts/install-tools.sh <tool>...     install each missing tool; exit 0 once all are on PATH
#   scripts/install-tools.sh --list        the tools it knows and whether each is on PATH
#
# Tools: prometheus (Debian's prometheus package; MetricsPrometheusIT starts it to check the
# Grafana dashboard's queries), chromium (headless browser).
#
# Needs root, or sudo. Packages are installed with DEBIAN_FRONTEND=noninteractive and
# --no-install-recommends, and their services are never started: the prometheus package would
# otherwise start a server on port 9090 (a policy-rc.d that denies every start is put in place for
# the install when the machine has none, and removed afterwards).
set -euo pipefail

die() {
  echo "install-tools: $*" >&2
  exit 1
}

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The Debian package that provides <tool>'s command.
package_of() {
  case $1 in
    prometheus) echo prometheus ;;
    chromium) echo chromium ;;
    *) return 1 ;;
  esac
}

KNOWN=(prometheus chromium)

[[ $# -gt 0 ]] || usage
if [[ $1 == --list ]]; then
  for tool in "${KNOWN[@]}"; do
    if path=$(command -v "$tool"); then
      echo "$tool  $path"
    else
      echo "$tool  missing (package $(package_of "$tool"))"
    fi
  done
  exit 0
fi

missing=()
for tool in "$@"; do
  package=$(package_of "$tool") || die "unknown tool '$tool'; known: ${KNOWN[*]}"
  command -v "$tool" >/dev/null || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

command -v apt-get >/dev/null || die "missing ${missing[*]}, and there is no apt-get to install it"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "installing ${missing[*]} needs root (or sudo)"
  SUDO=(sudo)
fi

POLICY=/usr/sbin/policy-rc.d
created_policy=false
cleanup() {
  if $created_policy; then
    "${SUDO[@]}" rm -f "$POLICY"
  fi
}
trap cleanup EXIT
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\n# Written by scripts/install-tools.sh for the install only.\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  created_policy=true
fi

echo "install-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}
# A clean machine image may have no package lists yet: update them once, then try again.
if ! install; then
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  install
fi

for tool in "$@"; do
  command -v "$tool" >/dev/null || die "$tool is still not on PATH after installing its package"
done
