#!/usr/bin/env bash
# The fault suite on a real network: three hosts in network namespaces (etcd member + pgha agent +
# PostgreSQL 15 each), a client namespace with HAProxy and the writers, a recorder per node, the
# nemeses below, and history checkers (check.py). See tests/fault/README.md.
#
#   tests/fault/run.sh --smoke     every nemesis once (about 2 minutes); exit 1 on any failure
#   tests/fault/run.sh --control   negative control: a replica promoted behind the agents' back
#                                  (a real dual primary); exit 0 only if the checkers catch it
#
# Needs root, the binaries built in build/ (pgha, pgha-fence-guard), etcd, haproxy, nft,
# postgresql-15, python3-psycopg2. Runs under flock /tmp/pgha-cluster.lock, like every test that
# starts etcd/PostgreSQL/HAProxy on this machine. Cleans everything up on any exit.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=${1:-}
case "$MODE" in --smoke|--control) ;; *) echo "usage: $0 --smoke | --control" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
if [ -z "${PGHA_FAULT_LOCKED:-}" ]; then  # serialize with the other cluster tests
  export PGHA_FAULT_LOCKED=1
  exec flock /tmp/pgha-cluster.lock "$0" "$@"
fi
PY=/usr/bin/python3
BIN_DIR=${PGHA_BIN_DIR:-$ROOT/build/src/bin}
for c in etcd etcdctl haproxy nft ip setpriv curl jq; do
  command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 77; }
done
for f in "$BIN_DIR/pgha" "$BIN_DIR/pgha-fence-guard" /usr/lib/postgresql/15/bin/initdb; do
  [ -x "$f" ] || { echo "SKIP: $f missing (build: ninja -C build pgha pgha-fence-guard)"; exit 77; }
done
$PY -c 'import psycopg2' 2>/dev/null || { echo "SKIP: python3-psycopg2 missing"; exit 77; }

source "$HERE/net.sh"
TTL=5                # pgha's default (docs/timing.md); the harness does not override it
HOLD=$((3 * TTL))    # how long a partition lasts
MAX_RUN=900          # every background process stops by itself after this many seconds
DIR=$(mktemp -d /var/tmp/pgha-fault.XXXXXX)
chmod 0755 "$DIR"
STOP="$DIR/stop"
EVENTS="$DIR/events.jsonl"
declare -A ETCD_PID AGENT_PID REC_PID
HELPER_PIDS=()
STATUS=1

pause() { sleep "$1" & wait $!; }  # a sleep that lets the INT/TERM trap run at once
log() { echo "[$(date +%T)] $*" >&2; }
now() { date +%s.%N; }
event() { echo "$1" >>"$EVENTS"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cleanup() {
  trap - EXIT INT TERM
  touch "$STOP" 2>/dev/null
  local ns pid
  for h in "${HOSTS[@]}"; do chaos_clear "$h"; done 2>/dev/null
  for pid in "${AGENT_PID[@]}"; do kill -CONT "$pid" 2>/dev/null; done
  sleep 0.5
  # Every process that lives in one of our namespaces, and nothing else.
  for ns in "$CLIENT" $(for h in "${HOSTS[@]}"; do host_ns "$h"; done); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  done
  for pid in "${HELPER_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  local i
  for i in $(seq 1 50); do  # at most 5 s for the killed processes to be gone
    [ -z "$(for ns in "$CLIENT" $(for h in "${HOSTS[@]}"; do host_ns "$h"; done); do
      ip netns pids "$ns" 2>/dev/null; done)" ] && break
    sleep 0.1
  done
  net_down
  if [ "$STATUS" = 0 ] && [ -z "${PGHA_FAULT_KEEP:-}" ]; then
    rm -rf "$DIR"
  else  # keep the histories and logs, not the data directories
    rm -rf "$DIR"/h*/data "$DIR"/h*/etcd "$DIR/bin"
    echo "artifacts kept in $DIR" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- bring the hosts up --------------------------------------------------------------------------
mkdir -p "$DIR/bin"
cp "$BIN_DIR/pgha" "$BIN_DIR/pgha-fence-guard" "$DIR/bin/"  # readable by postgres, stable copy
$PY "$HERE/render.py" "$DIR"
for h in "${HOSTS[@]}"; do
  touch "$DIR/rec_$h.jsonl"  # the recorder runs as postgres
  chown postgres: "$DIR/$h" "$DIR/rec_$h.jsonl"
done
net_down  # leftovers of an interrupted run
net_up

# Background processes are started with a bare `ip netns exec` (it execs, and so do setpriv
# and env), so $! is the process itself: the pid that kill -STOP and kill -9 must hit.
start_etcd() {
  local h=$1
  mapfile -t args <"$DIR/$h/etcd.args"
  ip netns exec "$(host_ns "$h")" etcd "${args[@]}" >"$DIR/$h/etcd.out" 2>&1 &
  ETCD_PID[$h]=$!; disown
}
start_agent() {
  local h=$1
  ip netns exec "$(host_ns "$h")" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    "$DIR/bin/pgha" "$DIR/$h/pgha.yml" >>"$DIR/$h/pgha.log" 2>&1 &
  AGENT_PID[$h]=$!; disown
}
start_recorder() {
  local h=$1
  ip netns exec "$(host_ns "$h")" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    $PY "$HERE/recorder.py" "$h" "$DIR/$h" "$DIR/rec_$h.jsonl" "$STOP" "$MAX_RUN" \
    >>"$DIR/$h/recorder.log" 2>&1 &
  REC_PID[$h]=$!; disown
}
# cluster_json: /cluster from the first agent that answers, seen from the client namespace.
cluster_json() {
  local h
  for h in "${HOSTS[@]}"; do
    in_ns "$CLIENT" curl -s -m 1 "http://$(host_addr "$h"):8008/cluster" && return 0
  done
  return 1
}
leader() { cluster_json | jq -r '.members[] | select(.role == "leader") | .name' 2>/dev/null; }
# Converged: one leader, every other member streaming from it, the write port taking writes.
converged() {
  local j; j=$(cluster_json) || return 1
  [ "$(jq '[.members[] | select(.role == "leader")] | length' <<<"$j")" = 1 ] || return 1
  [ "$(jq '[.members[] | select(.role != "leader" and .state == "streaming")] | length' \
    <<<"$j")" = $((${#HOSTS[@]} - 1)) ] || return 1
  lb_sql "SELECT 1" >/dev/null
}
lb_sql() {
  in_ns "$CLIENT" env PGPASSWORD=pgha-fault-su PGCONNECT_TIMEOUT=2 \
    psql -X -A -t -q -h "$CLIENT_ADDR" -p 5000 -U postgres -d postgres -c "$1" 2>/dev/null
}
# wait_for SECONDS command...: poll every 0.2 s until it succeeds or the deadline passes.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

log "hosts up in $DIR; starting etcd"
for h in "${HOSTS[@]}"; do start_etcd "$h"; done
ETCD_ENDPOINTS=$(for h in "${HOSTS[@]}"; do printf 'http://%s:2379\n' "$(host_addr "$h")"; done |
  paste -sd, -)
etcd_healthy() {
  in_ns "$(host_ns h1)" env ETCDCTL_API=3 etcdctl --dial-timeout=1s --command-timeout=2s \
    --endpoints "$ETCD_ENDPOINTS" endpoint health
}
wait_for 30 etcd_healthy || { log "etcd did not become healthy"; exit 1; }
log "starting agents and HAProxy"
for h in "${HOSTS[@]}"; do start_agent "$h"; done
ip netns exec "$CLIENT" haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
HELPER_PIDS+=($!); disown
wait_for 120 converged || { log "cluster did not converge"; cluster_json; exit 1; }
lb_sql "CREATE TABLE acks (id bigint PRIMARY KEY, src text NOT NULL)" >/dev/null
log "cluster up, leader $(leader); starting recorders and writers"
for h in "${HOSTS[@]}"; do start_recorder "$h"; done
ip netns exec "$CLIENT" $PY "$HERE/writer.py" lb "$CLIENT_ADDR" 5000 \
  "$DIR/writes_lb.jsonl" "$STOP" "$MAX_RUN" >"$DIR/writer_lb.log" 2>&1 &
HELPER_PIDS+=($!); disown
ip netns exec "$CLIENT" $PY "$HERE/writer.py" direct $(for h in "${HOSTS[@]}"; do host_addr "$h"; done) \
  "$DIR/writes_direct.jsonl" "$STOP" "$MAX_RUN" >"$DIR/writer_direct.log" 2>&1 &
HELPER_PIDS+=($!); disown
sleep 3

# --- nemeses -------------------------------------------------------------------------------------
# Each: FAULT NAME LEADER TARGET EXPECT_FAILOVER ASYNC_LOSS_OK, inject, hold (bounded), heal,
# wait (bounded) until the cluster has converged again.
fault_begin() {  # NAME TARGET EXPECT_FAILOVER ASYNC_LOSS_OK
  FAULT=$1; FAULT_LEADER=$(leader)
  event "{\"ev\":\"fault\",\"name\":\"$1\",\"t\":$(now),\"leader\":\"$FAULT_LEADER\",\"target\":\"$2\",\"expect_failover\":$3,\"async_loss_ok\":$4}"
  log "fault $1 on $2 (leader $FAULT_LEADER)"
}
fault_heal() {
  event "{\"ev\":\"heal\",\"name\":\"$FAULT\",\"t\":$(now)}"
  local ok=true
  wait_for 90 converged || ok=false
  event "{\"ev\":\"converged\",\"name\":\"$FAULT\",\"t\":$(now),\"ok\":$ok}"
  log "healed $FAULT; converged=$ok, leader $(leader)"
  sleep 3  # steady writes between faults
}
# Proof that a partition bit: the probe (a command that must FAIL while the fault is on) is run
# once the rules are in; the result goes into the history and check.py fails a fault that did not.
fault_effective() {  # COMMAND...
  local ok=true
  "$@" >/dev/null 2>&1 && ok=false
  event "{\"ev\":\"effective\",\"name\":\"$FAULT\",\"t\":$(now),\"ok\":$ok}"
}
curl_from() { local ns=$1; shift; ip netns exec "$ns" curl -s -o /dev/null -m 1 "$@"; }
new_leader_other_than() { local l; l=$(leader); [ -n "$l" ] && [ "$l" != "$1" ]; }
replica_of() { local h; for h in "${HOSTS[@]}"; do [ "$h" != "$1" ] && { echo "$h"; return; }; done; }

nemesis_kill9() {  # T01: power loss of the primary's node: agent, guard, PostgreSQL (not etcd)
  local L; L=$(leader)
  fault_begin kill9-primary "$L" true true
  local pid
  for pid in $(ip netns pids "$(host_ns "$L")"); do
    [ "$pid" = "${ETCD_PID[$L]}" ] || [ "$pid" = "${REC_PID[$L]}" ] || kill -9 "$pid" 2>/dev/null
  done
  wait_for 30 new_leader_other_than "$L"
  start_agent "$L"
  fault_heal
}
nemesis_isolate() {  # T05a: every packet of the leader's host dropped, both ways
  local L; L=$(leader)
  fault_begin drop-isolate "$L" true true
  chaos_isolate "$L"
  fault_effective curl_from "$CLIENT" "http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$L"
  fault_heal
}
nemesis_reject() {  # PostgreSQL and REST between one replica and a healthy leader: tcp reset
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin reject-pg-rest "$R<->$L" false false
  chaos_reject_pg_rest "$R" "$L"
  # refused at once (a reset, not a timeout), while the client still reaches the leader
  fault_effective bash -c "curl_rc() { ip netns exec $(host_ns "$R") curl -s -o /dev/null -m 2 \
    http://$(host_addr "$L"):8008/; echo \$?; }; [ \$(curl_rc) != 7 ] || \
    ! ip netns exec $CLIENT curl -s -o /dev/null -m 1 http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$R"
  fault_heal
}
nemesis_sigstop() {  # T09: the leader's agent frozen for 2 x ttl (its fencing guard keeps running)
  local L; L=$(leader)
  fault_begin sigstop-agent "$L" true true
  kill -STOP "${AGENT_PID[$L]}"
  pause $((2 * TTL))
  kill -CONT "${AGENT_PID[$L]}"
  fault_heal
}
nemesis_etcd_cut() {  # T05b: the leader's host loses etcd (peers and clients), nothing else
  local L; L=$(leader)
  fault_begin etcd-cut-leader "$L" true true
  chaos_cut_etcd "$L"
  fault_effective curl_from "$(host_ns "$L")" "http://$(host_addr "$(replica_of "$L")"):2379/health"
  pause "$HOLD"
  chaos_clear "$L"
  fault_heal
}

nemesis_rogue_promote() {  # control: pg_ctl promote on a replica while the leader is healthy
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin rogue-promote "$R" false false
  ip netns exec "$(host_ns "$R")" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    /usr/lib/postgresql/15/bin/pg_ctl promote -D "$DIR/$R/data" >>"$DIR/$R/control.log" 2>&1
  pause "$TTL"
  fault_heal
}

NEMESES=(kill9 isolate reject sigstop etcd_cut)
[ "$MODE" = --control ] && NEMESES=(rogue_promote)
for n in "${NEMESES[@]}"; do
  wait_for 60 converged || log "not converged before $n"
  "nemesis_$n"
done
event "{\"ev\":\"end\",\"t\":$(now)}"

# --- final state: stop the workload, let replicas catch up, read every node's table -------------
touch "$STOP"
sleep 2
FINAL=$(leader)
caught_up() {
  local want h; want=$(lb_sql "SELECT pg_current_wal_lsn()") || return 1
  for h in "${HOSTS[@]}"; do
    [ "$h" = "$FINAL" ] && continue
    [ "$(in_ns "$(host_ns "$h")" psql -X -A -t -q -h "$DIR/$h" -U postgres -d postgres \
      -c "SELECT pg_last_wal_replay_lsn() >= '$want'" 2>/dev/null)" = t ] || return 1
  done
}
wait_for 30 caught_up || log "replicas did not catch up"
tables="{"
for h in "${HOSTS[@]}"; do
  in_ns "$(host_ns "$h")" psql -X -A -t -q -h "$DIR/$h" -U postgres -d postgres \
    -c "SELECT id FROM acks ORDER BY id" >"$DIR/final_$h.txt" 2>/dev/null
  tables+="\"$h\":\"$DIR/final_$h.txt\","
done
echo "{\"leader\":\"$FINAL\",\"tables\":${tables%,}}}" >"$DIR/final.json"
log "final leader $FINAL; checking histories"
$PY "$HERE/check.py" "$DIR" | tee "$DIR/check.out"
STATUS=${PIPESTATUS[0]}
if [ "$MODE" = --control ]; then
  if [ "$STATUS" = 0 ] || ! grep -q "dual-primary" "$DIR/check.out"; then
    echo "CONTROL FAILED: the checkers passed a cluster with a rogue primary"; STATUS=1
  else
    echo "control ok: the checkers caught the rogue primary"; STATUS=0
  fi
fi
exit "$STATUS"
