#!/usr/bin/env bash
# A three-node PostgreSQL 15 cluster managed by Patroni, with one etcd, all on loopback, for the
# high-availability tests (docs/ha.md). Debian's packages: patroni, etcd-server, postgresql-15.
#
#   tests/ha/cluster.sh start DIR    starts etcd and three Patroni nodes under DIR and waits
#                                    until a leader and a synchronous standby are running;
#                                    prints HA_URL=... (the three hosts, read-write) and HA_DIR=...
#   tests/ha/cluster.sh stop DIR     stops everything started under DIR (also after a failure)
#   tests/ha/cluster.sh leader DIR   prints the running leader's name (node1..node3), if any
#   tests/ha/cluster.sh members DIR  prints "<members running> <synchronous standbys running>"
#   tests/ha/cluster.sh kill-node DIR NAME    kills NAME's Patroni and PostgreSQL (SIGKILL), as a
#                                             lost host; start-node DIR NAME starts it again
#   tests/ha/cluster.sh kill-etcd DIR         kills etcd (SIGKILL); start-etcd DIR starts it again
#   tests/ha/cluster.sh freeze-node DIR NAME  stops NAME's Patroni (SIGSTOP) and leaves its
#                                             PostgreSQL running: the node is cut off from the
#                                             cluster, and a primary stays one (split brain);
#                                             thaw-node DIR NAME lets its Patroni go on (SIGCONT)
#   tests/ha/cluster.sh node-url DIR NAME     prints the URL of NAME's PostgreSQL alone
#   tests/ha/cluster.sh is-primary DIR NAME   prints "t" when NAME's PostgreSQL takes writes
#
# Ports are taken from a free range at start and written to DIR/ports. PostgreSQL refuses to run
# as root, so when run as root the nodes run as the postgres user.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
cmd="${1:?usage: cluster.sh start|stop|leader|members DIR}"
dir="${2:?usage: cluster.sh start|stop|leader|members DIR}"

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sets REPLY to a TCP port nobody listens on, from 20000 up; no two calls give the same one.
next_port=20000
free_port() {
  local p
  for ((p = next_port; p < 60000; ++p)); do
    if ! (echo >"/dev/tcp/127.0.0.1/${p}") 2>/dev/null; then
      next_port=$((p + 1))
      REPLY=${p}
      return 0
    fi
  done
  return 1
}

# The body of GET http://127.0.0.1:PORT/PATH from Patroni's REST API (an error's body too), or
# nothing when the node does not answer.
rest_get() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=2) as r:
        print(r.read().decode())
except Exception as e:
    if hasattr(e, "read"):
        print(e.read().decode())
PY
}

# The cluster as the first node that answers sees it (GET /cluster), or nothing.
cluster_json() {
  # shellcheck disable=SC1091
  source "${dir}/ports"
  local i port_var body
  for i in 1 2 3; do
    port_var="NODE${i}_REST_PORT"
    body=$(rest_get "${!port_var}" /cluster)
    if [[ -n "${body}" ]]; then
      echo "${body}"
      return 0
    fi
  done
}

leader() {
  local body
  body=$(cluster_json)
  [[ -z "${body}" ]] && return 0
  python3 - "${body}" <<'PY'
import json, sys
for m in json.loads(sys.argv[1]).get("members", []):
    if m.get("role") == "leader" and m.get("state") == "running":
        print(m["name"])
PY
}

members_running() {
  local body
  body=$(cluster_json)
  if [[ -z "${body}" ]]; then
    echo "0 0"
    return 0
  fi
  python3 - "${body}" <<'PY'
import json, sys
members = json.loads(sys.argv[1]).get("members", [])
running = [m for m in members if m.get("state") in ("running", "streaming")]
sync = [m for m in running if m.get("role") == "sync_standby"]
print(len(running), len(sync))
PY
}

wait_for() {  # wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds, or fail naming WHAT.
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  while ((SECONDS < deadline)); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  echo "cluster.sh: ${what} after ${deadline} s; see ${dir}/node*/patroni.out" >&2
  return 1
}
has_leader() { [[ -n "$(leader)" ]]; }
has_sync_standby() { [[ "$(members_running)" == "3 1" ]]; }

# Starts etcd on the ports and data directory of DIR (again, after kill_etcd).
start_etcd() {
  # shellcheck disable=SC1091
  source "${dir}/ports"
  etcd --name ha-etcd --data-dir "${dir}/etcd" --enable-v2=true \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "ha-etcd=http://127.0.0.1:${ETCD_PEER_PORT}" \
    >>"${dir}/etcd.log" 2>&1 &
  echo $! >"${dir}/etcd.pid"
}

kill_etcd() {
  if [[ -f "${dir}/etcd.pid" ]]; then kill -9 "$(cat "${dir}/etcd.pid")" 2>/dev/null || true; fi
}

write_node_config() {  # write_node_config NAME PG_PORT REST_PORT ETCD_PORT
  local name=$1 pg_port=$2 rest_port=$3 etcd_port=$4
  cat >"${dir}/${name}.yml" <<YML
scope: account-ha
name: ${name}
restapi:
  listen: 127.0.0.1:${rest_port}
  connect_address: 127.0.0.1:${rest_port}
# etcd's v2 API, not etcd3: Patroni 3.0.2 (Debian 12's) renews an expired leader lease under
# etcd3 by writing the leader key whoever holds it, so a leader whose Patroni stalled past ttl
# takes the key back from the member promoted meanwhile, whose acknowledged commits are then
# rewound (the split-brain test found it; fixed upstream in Patroni 3.0.3). Under v2 the
# renewal compares the key's value, and the stalled leader demotes (docs/ha.md).
etcd:
  hosts: 127.0.0.1:${etcd_port}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 0
    synchronous_mode: true
    # Strict: with no synchronous standby Patroni sets synchronous_standby_names to '*' rather
    # than emptying it, so a commit waits for a standby rather than returning on the primary
    # alone. Without it, a primary cut off from the cluster released its waiting commits when its
    # Patroni next ran, and acknowledged a commit that was then rewound (docs/ha.md).
    synchronous_mode_strict: true
    failsafe_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        synchronous_commit: "on"
  initdb:
    - encoding: UTF8
    - auth-host: scram-sha-256
  pg_hba:
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:${pg_port}
  connect_address: 127.0.0.1:${pg_port}
  data_dir: ${dir}/${name}/data
  bin_dir: ${PG_BIN}
  pgpass: ${dir}/${name}/pgpass
  authentication:
    superuser:
      username: postgres
      password: ha-super
    replication:
      username: replicator
      password: ha-repl
    rewind:
      username: postgres
      password: ha-super
  parameters:
    unix_socket_directories: ''
log:
  dir: ${dir}/${name}/log
  level: INFO
YML
}

start() {
  mkdir -p "${dir}"
  local etcd_client etcd_peer i
  free_port && etcd_client=${REPLY}
  free_port && etcd_peer=${REPLY}
  local pg_ports=() rest_ports=()
  for i in 1 2 3; do
    free_port && pg_ports+=("${REPLY}")
    free_port && rest_ports+=("${REPLY}")
  done
  {
    echo "ETCD_PORT=${etcd_client}"
    for i in 1 2 3; do
      echo "NODE${i}_PG_PORT=${pg_ports[$((i - 1))]}"
      echo "NODE${i}_REST_PORT=${rest_ports[$((i - 1))]}"
    done
  } >"${dir}/ports"
  echo "ETCD_PEER_PORT=${etcd_peer}" >>"${dir}/ports"
  start_etcd
  for i in 1 2 3; do
    mkdir -p "${dir}/node${i}/log"
    write_node_config "node${i}" "${pg_ports[$((i - 1))]}" "${rest_ports[$((i - 1))]}" \
      "${etcd_client}"
  done
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "${dir}"; fi
  for i in 1 2 3; do
    as_pg patroni "${dir}/node${i}.yml" >"${dir}/node${i}/patroni.out" 2>&1 &
    # The first node bootstraps alone, so that it is the one that runs initdb.
    if [[ ${i} -eq 1 ]]; then wait_for 60 "no leader" has_leader; fi
  done
  wait_for 90 "no synchronous standby" has_sync_standby
  local hosts="127.0.0.1:${pg_ports[0]},127.0.0.1:${pg_ports[1]},127.0.0.1:${pg_ports[2]}"
  echo "HA_URL=postgresql://postgres:ha-super@${hosts}/postgres?target_session_attrs=read-write"
  echo "HA_DIR=${dir}"
}

# The pid of node NAME's Patroni (not of the runuser in front of it), or nothing.
patroni_pid() { pgrep -f "^/usr/bin/python3 /usr/bin/patroni ${dir}/$1.yml\$" | head -1 || true; }

# Stops node NAME as a lost host would go: Patroni and PostgreSQL killed at once (SIGKILL), so
# that nothing renews its leader key and the standbys must take over.
kill_node() {
  local name=$1 pid
  pid=$(patroni_pid "${name}")
  [[ -n "${pid}" ]] && kill -9 "${pid}" 2>/dev/null || true
  if [[ -f "${dir}/${name}/data/postmaster.pid" ]]; then
    kill -9 "$(head -1 "${dir}/${name}/data/postmaster.pid")" 2>/dev/null || true
  fi
}

# Cuts node NAME off from the cluster as a partition (or a hung Patroni) would, from the
# cluster's side: its Patroni renews no leader key and answers no REST call, so the others
# promote the synchronous standby after ttl; its PostgreSQL keeps running, a primary still to
# the sessions it has. Replication from it stops with the promotion (the new primary's standbys
# follow the new primary), so its commits wait for a synchronous standby that never answers.
freeze_node() {
  local pid
  pid=$(patroni_pid "$1")
  [[ -n "${pid}" ]] || { echo "cluster.sh: no Patroni running for $1" >&2; return 1; }
  kill -STOP "${pid}"
}

# Continues a stopped Patroni, and the runuser in front of it: runuser stops itself when its
# child stops (as su does), and would never reap it.
continue_node() {
  local pid=$1 parent
  parent=$(ps -o ppid= -p "${pid}" 2>/dev/null | tr -d ' ' || true)
  kill -CONT "${pid}" 2>/dev/null || true
  [[ -n "${parent}" && "${parent}" != 1 ]] && kill -CONT "${parent}" 2>/dev/null || true
}

# Lets node NAME's Patroni go on (after freeze_node): it finds another leader and demotes its
# PostgreSQL, rewinding it to follow the new primary.
thaw_node() {
  local pid
  pid=$(patroni_pid "$1")
  [[ -n "${pid}" ]] && continue_node "${pid}"
  return 0
}

node_port() {  # Sets REPLY to node NAME's PostgreSQL port.
  # shellcheck disable=SC1091
  source "${dir}/ports"
  local port_var="NODE${1#node}_PG_PORT"
  REPLY=${!port_var}
}

node_url() {
  node_port "$1"
  echo "postgresql://postgres:ha-super@127.0.0.1:${REPLY}/postgres"
}

is_primary() {
  node_port "$1"
  PGPASSWORD=ha-super PGCONNECT_TIMEOUT=2 psql -XAtq -h 127.0.0.1 -p "${REPLY}" -U postgres \
    -d postgres -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null || echo "?"
}

# Starts node NAME's Patroni again (after kill_node): it rejoins as a standby, rewinding if need be.
start_node() {
  as_pg patroni "${dir}/$1.yml" >>"${dir}/$1/patroni.out" 2>&1 &
}

stop() {
  local i pid
  for i in 1 2 3; do
    pid=$(patroni_pid "node${i}")
    # A frozen Patroni (freeze_node) handles no SIGTERM until it runs again.
    [[ -n "${pid}" ]] && continue_node "${pid}"
    [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null || true
  done
  sleep 1
  for i in 1 2 3; do
    pid=$(patroni_pid "node${i}")
    [[ -n "${pid}" ]] && kill -9 "${pid}" 2>/dev/null || true
    if [[ -f "${dir}/node${i}/data/postmaster.pid" ]]; then
      as_pg "${PG_BIN}/pg_ctl" -D "${dir}/node${i}/data" stop -m immediate >/dev/null 2>&1 || true
    fi
  done
  if [[ -f "${dir}/etcd.pid" ]]; then kill -9 "$(cat "${dir}/etcd.pid")" 2>/dev/null || true; fi
}

case "${cmd}" in
  start) start ;;
  stop) stop ;;
  leader) leader ;;
  members) members_running ;;
  kill-node) kill_node "${3:?kill-node DIR NAME}" ;;
  start-node) start_node "${3:?start-node DIR NAME}" ;;
  kill-etcd) kill_etcd ;;
  freeze-node) freeze_node "${3:?freeze-node DIR NAME}" ;;
  thaw-node) thaw_node "${3:?thaw-node DIR NAME}" ;;
  node-url) node_url "${3:?node-url DIR NAME}" ;;
  is-primary) is_primary "${3:?is-primary DIR NAME}" ;;
  start-etcd) start_etcd ;;
  *)
    echo "usage: cluster.sh start|stop|leader|members DIR" >&2
    exit 2
    ;;
esac
