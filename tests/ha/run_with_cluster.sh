#!/usr/bin/env bash
# Runs a test program against a fresh three-node Patroni cluster (cluster.sh) and tears the
# cluster down however the program ends. The program gets HA_URL (the three hosts,
# target_session_attrs=read-write), HA_DIR and HA_CLUSTER (this directory's cluster.sh).
#
#   tests/ha/run_with_cluster.sh PROGRAM [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$(mktemp -d /tmp/account-ha-XXXXXX)"
cleanup() {
  local status=$?
  "${here}/cluster.sh" stop "${dir}" || true
  if [[ ${status} -ne 0 ]]; then
    echo "---- cluster logs (${dir}) ----" >&2
    for f in "${dir}"/node*/patroni.out; do
      echo "== ${f}" >&2
      tail -n 30 "${f}" >&2 || true
    done
  fi
  rm -rf "${dir}"
  exit "${status}"
}
trap cleanup EXIT
started=${SECONDS}
settings="$("${here}/cluster.sh" start "${dir}")"
echo "cluster up in $((SECONDS - started)) s"
while IFS='=' read -r key value; do
  [[ -n "${key}" ]] && export "${key}=${value}"
done <<<"${settings}"
export HA_CLUSTER="${here}/cluster.sh"
"$@"
