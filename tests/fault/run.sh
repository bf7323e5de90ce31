#!/usr/bin/env bash
# The fault suite on a real network: three hosts in network namespaces (etcd member + pgha agent +
# PostgreSQL 15 each), a client namespace with HAProxy and the writers, a recorder per node, the
# nemeses below, and history checkers (check.py). See tests/fault/README.md.
#
#   tests/fault/run.sh --smoke     the smoke set once (about 3 minutes); exit 1 on any failure
#   tests/fault/run.sh --control   negative control: a replica promoted behind the agents' back
#                                  (a real dual primary); exit 0 only if the checkers catch it
#   tests/fault/run.sh --full      every nemesis of the catalogue once (about 12 minutes), then a
#                                  storm of 500 faults (about 15 minutes; --storm below) from the
#                                  seed --seed S gives (default: the clock; printed)
#   tests/fault/run.sh --random SEED N   N nemeses drawn from the catalogue by SEED (a failing
#                                  run replays from its seed)
#   tests/fault/run.sh --storm SEED N   N short faults drawn by SEED, one every 0.5-2.5 s, up to two
#                                  at once, no convergence in between (tests/fault/storm.sh)
#   tests/fault/run.sh --only A,B  the named nemeses (names as in CATALOGUE below), in order
#   tests/fault/run.sh --bench N   N rounds of host-death (etcd's leader elsewhere, then on the
#                                  dying host) and kill9-primary (bench/run.sh uses it to compare
#                                  pgha with Patroni on the same hosts)
# Options (after the mode):
#   --system pgha|patroni|patroni4   the agent on every host (default pgha; patroni = Debian's
#                           3.0.2 or PGHA_FAULT_PATRONI; patroni4 = PyPI's newest 4.x, installed
#                           by tests/fault/patroni4.sh), Patroni at pgha's default timing
#   --sync                  synchronous_mode on: every acknowledged write must survive every fault
#   --json FILE             check.py's figures, one object per fault, written to FILE
#   --seed S, --storm-faults N   --full's storm: its seed and its length (default 500)
#   --ttl N                 both systems at ttl N, loop_wait 1, retry_timeout N/4 (at least 2),
#                           written into bootstrap.dcs; fault lengths and waits scale with N
#                           (default: pgha's defaults, ttl 5; Patroni 4 accepts no ttl below 20)
#
# Needs root, the binaries built in build/ (pgha, pgha-fence-guard), etcd, haproxy, nft,
# postgresql-15, python3-psycopg2. Runs under flock /tmp/pgha-cluster.lock, like every test that
# starts etcd/PostgreSQL/HAProxy on this machine. Cleans everything up on any exit.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
usage() { sed -n '6,29p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
MODE=${1:-}
ROUNDS=1
case "$MODE" in
  --smoke|--control|--full) shift ;;
  --only) ONLY=${2:-}; shift 2 2>/dev/null || usage
    [[ "$ONLY" =~ ^[a-z0-9_]+(,[a-z0-9_]+){0,49}$ ]] || { echo "--only needs nemesis names separated by commas, not '$ONLY'" >&2; exit 2; } ;;
  --random|--storm) SEED=${2:-}; ROUNDS=${3:-}; shift 3 2>/dev/null || usage
    [[ "$SEED" =~ ^[0-9]{1,9}$ ]] || { echo "--random needs a numeric seed, not '$SEED'" >&2; exit 2; }
    [[ "$ROUNDS" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "$MODE needs a fault count 1-9999, not '$ROUNDS'" >&2; exit 2; } ;;
  --bench) ROUNDS=${2:-}; shift 2 2>/dev/null || usage
    [[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || { echo "--bench needs a round count 1-99, not '$ROUNDS'" >&2; exit 2; } ;;
  *) usage ;;
esac
SYSTEM=pgha
SYNC=async
JSON_OUT=""
ORIG_ARGS=("$MODE" "$@")
[ "$MODE" = --bench ] && ORIG_ARGS=("$MODE" "$ROUNDS" "$@")
[ "$MODE" = --only ] && ORIG_ARGS=("$MODE" "$ONLY" "$@")
[ "$MODE" = --random ] || [ "$MODE" = --storm ] && ORIG_ARGS=("$MODE" "$SEED" "$ROUNDS" "$@")
STORM_FAULTS=500
TTL_OPT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --system) SYSTEM=${2:-}; shift 2 2>/dev/null || usage
      case "$SYSTEM" in pgha|patroni|patroni4) ;; *) echo "--system must be pgha, patroni or patroni4, not '$SYSTEM'" >&2; exit 2 ;; esac ;;
    --sync) SYNC=sync; shift ;;
    --seed) SEED=${2:-}; shift 2 2>/dev/null || usage
      [[ "$SEED" =~ ^[0-9]{1,9}$ ]] || { echo "--seed needs a number, not '$SEED'" >&2; exit 2; } ;;
    --storm-faults) STORM_FAULTS=${2:-}; shift 2 2>/dev/null || usage
      [[ "$STORM_FAULTS" =~ ^[0-9]{1,4}$ ]] || { echo "--storm-faults needs a count 0-9999, not '$STORM_FAULTS'" >&2; exit 2; } ;;
    --ttl) TTL_OPT=${2:-}; shift 2 2>/dev/null || usage
      [[ "$TTL_OPT" =~ ^[0-9]{1,2}$ ]] && [ "$TTL_OPT" -ge 5 ] && [ "$TTL_OPT" -le 60 ] ||
        { echo "--ttl needs whole seconds 5-60, not '$TTL_OPT'" >&2; exit 2; } ;;
    --json) JSON_OUT=${2:-}; shift 2 2>/dev/null || usage
      [ -n "$JSON_OUT" ] || usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
# Every nemesis --full runs (nemeses.sh defines nemesis_<name>).
CATALOGUE=(kill9 isolate reject sigstop etcd_cut host_death host_death_etcd kill9_etcd_leader
  sigstop_etcd freeze_replica freeze_leader isolate_replica reject_icmp cut_replica_pg oneway
  switchovers cold_restart etcd_majority pg_crash kill9_agent disk_full_primary
  disk_full_replica flap etcd_data_loss sigstop_etcd_leader freeze_etcd_leader slow_leader)
# Only on request (--only): clock_jump preloads libfaketime into every agent and PostgreSQL for
# the whole run, which changes the system under test for every other nemesis.
ON_REQUEST=(clock_jump)
if [ "$MODE" = --only ]; then
  IFS=, read -r -a only <<<"$ONLY"
  for n in "${only[@]}"; do
    [[ " ${CATALOGUE[*]} ${ON_REQUEST[*]} " == *" $n "* ]] ||
      { echo "--only: no nemesis '$n' (known: ${CATALOGUE[*]} ${ON_REQUEST[*]})" >&2; exit 2; }
  done
fi
# What this run injects, in order (decided before anything starts: --random replays from SEED).
NEMESES=(kill9 isolate reject sigstop etcd_cut host_death host_death_etcd slow_leader freeze_leader)
[ "$MODE" = --control ] && NEMESES=(rogue_promote)
[ "$MODE" = --full ] && NEMESES=("${CATALOGUE[@]}")
[ "$MODE" = --only ] && IFS=, read -r -a NEMESES <<<"$ONLY"
if [ "$MODE" = --random ]; then
  RANDOM=$SEED
  NEMESES=()
  for r in $(seq 1 "$ROUNDS"); do NEMESES+=("${CATALOGUE[RANDOM % ${#CATALOGUE[@]}]}"); done
fi
if [ "$MODE" = --full ] && [ "$STORM_FAULTS" -gt 0 ]; then  # the catalogue, then a storm
  SEED=${SEED:-$(( $(date +%s) % 1000000000 ))}
  ROUNDS=$STORM_FAULTS
fi
[ "$MODE" = --storm ] && NEMESES=()
if [ "$MODE" = --bench ]; then
  NEMESES=()
  for r in $(seq 1 "$ROUNDS"); do NEMESES+=(host_death host_death_etcd kill9); done
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
if [ -z "${PGHA_FAULT_LOCKED:-}" ]; then  # serialize with the other cluster tests
  export PGHA_FAULT_LOCKED=1
  exec flock /tmp/pgha-cluster.lock "$0" "${ORIG_ARGS[@]}"
fi
PY=/usr/bin/python3
BIN_DIR=${PGHA_BIN_DIR:-$ROOT/build/src/bin}
for c in etcd etcdctl haproxy nft iptables ip setpriv curl jq; do
  command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 77; }
done
PATRONI=${PGHA_FAULT_PATRONI:-/usr/bin/patroni}
if [ "$SYSTEM" = patroni4 ]; then  # the newest 4.x from PyPI (tests/fault/patroni4.sh installs it)
  PATRONI=${PGHA_PATRONI4_VENV:-/opt/patroni4}/bin/patroni
  SYSTEM=patroni
  [ -x "$PATRONI" ] || { echo "SKIP: $PATRONI missing (run tests/fault/patroni4.sh)"; exit 77; }
fi
if [ "$SYSTEM" = pgha ]; then
  for f in "$BIN_DIR/pgha" "$BIN_DIR/pgha-fence-guard" /usr/lib/postgresql/15/bin/initdb; do
    [ -x "$f" ] || { echo "SKIP: $f missing (build: ninja -C build pgha pgha-fence-guard)"; exit 77; }
  done
else
  [ -x "$PATRONI" ] || { echo "SKIP: $PATRONI missing (apt-get install patroni)"; exit 77; }
fi
$PY -c 'import psycopg2' 2>/dev/null || { echo "SKIP: python3-psycopg2 missing"; exit 77; }

source "$HERE/net.sh"
source "$HERE/host.sh"
# clock-jump moves the wall clock of the agents and PostgreSQL of one host (libfaketime, from
# Debian's faketime package; etcd keeps the real clock); only runs that inject it preload it.
FAKETIME_LIB=""
# Python's time.sleep fails with EINVAL under libfaketime (Patroni 3.0.2 died of it): Patroni
# runs without it, and clock-jump reports itself skipped there.
if [[ " ${NEMESES[*]} " == *" clock_jump "* ]] && [ "$SYSTEM" = pgha ]; then
  FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
fi
DISK_MB=768          # each host's data disk (a tmpfs): disk-full fills it
TTL=${TTL_OPT:-5}    # pgha's default (docs/timing.md), or --ttl; Patroni gets the same (render.py)
CONVERGE_WAIT=$((6 * TTL > 90 ? 6 * TTL : 90))  # after a heal, at most this long to converge
# Faults that fail over may lose the last asynchronous acknowledgements; in synchronous mode none.
LOSS_OK=true
[ "$SYNC" = sync ] && LOSS_OK=false
HOLD=$((3 * TTL))    # how long a partition lasts
SLOW_MS=200          # slow-leader: each way, so a 400 ms round trip (an ocean between hosts)
# every background process stops by itself after this many seconds (about a minute a fault)
case "$MODE" in
  --full) MAX_RUN=$((600 + ${#NEMESES[@]} * 20 * TTL + STORM_FAULTS * 8)) ;;
  --random) MAX_RUN=$((600 + ROUNDS * 18 * TTL)) ;;
  --storm) MAX_RUN=$((900 + ROUNDS * 8)) ;;
  --bench) MAX_RUN=$((600 + ROUNDS * 3 * 90)) ;;
  --only) MAX_RUN=$((600 + ${#NEMESES[@]} * 20 * TTL)) ;;
  *) MAX_RUN=900 ;;
esac
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
  host_thaw_all 2>/dev/null
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
  for h in "${HOSTS[@]}"; do  # PostgreSQL's log lives on the data disk: keep it, and what filled it
    cp "$DIR/$h/disk/postgresql.log" "$DIR/$h/" 2>/dev/null
    du -sm "$DIR/$h/disk"/* "$DIR/$h/disk"/*/pg_wal "$DIR/$h/disk"/*/pg_replslot \
      >"$DIR/$h/disk_usage.txt" 2>/dev/null
    mountpoint -q "$DIR/$h/disk" && umount -l "$DIR/$h/disk"
  done
  if [ "$STATUS" = 0 ] && [ -z "${PGHA_FAULT_KEEP:-}" ]; then
    rm -rf "$DIR"
  else  # keep the histories and logs, not the data directories
    rm -rf "$DIR"/h*/disk "$DIR"/h*/etcd "$DIR/bin"
    echo "artifacts kept in $DIR" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- bring the hosts up --------------------------------------------------------------------------
mkdir -p "$DIR/bin"
if [ "$SYSTEM" = pgha ]; then  # readable by postgres, a stable copy
  cp "$BIN_DIR/pgha" "$BIN_DIR/pgha-fence-guard" "$DIR/bin/"
fi
$PY "$HERE/render.py" "$DIR" "$SYSTEM" "$SYNC" $TTL_OPT || exit 1
event "$($PY "$HERE/render.py" --timing-event $TTL_OPT)"  # the timing both systems run at
for h in "${HOSTS[@]}"; do
  touch "$DIR/rec_$h.jsonl"  # the recorder runs as postgres
  mkdir -p "$DIR/$h/disk"
  mount -t tmpfs -o "size=${DISK_MB}m,mode=0700" "pgha-fault-$h" "$DIR/$h/disk" || exit 1
  chown postgres: "$DIR/$h" "$DIR/$h/disk" "$DIR/rec_$h.jsonl"
done
net_down  # leftovers of an interrupted run
net_up

# Background processes are started with a bare `ip netns exec` (it execs, and so do setpriv
# and env), so $! is the process itself: the pid that kill -STOP and kill -9 must hit.
start_etcd() {  # HOST [existing]: "existing" joins a cluster that re-added the member
  local h=$1 i
  mapfile -t args <"$DIR/$h/etcd.args"
  if [ "${2:-}" = existing ]; then
    for i in "${!args[@]}"; do [ "${args[$i]}" = new ] && args[$i]=existing; done
  fi
  ip netns exec "$(host_ns "$h")" etcd "${args[@]}" >"$DIR/$h/etcd.out" 2>&1 &
  ETCD_PID[$h]=$!; disown
}
start_agent() {
  local h=$1 cmd clock=()
  if [ -n "$FAKETIME_LIB" ]; then  # the agent and the PostgreSQL it starts; "+0" until clock-jump
    [ -e "$DIR/$h/faketime" ] || { echo "+0" >"$DIR/$h/faketime"; chmod 0644 "$DIR/$h/faketime"; }
    clock=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$DIR/$h/faketime"
      FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 DONT_FAKE_MONOTONIC=1)
  fi
  if [ "$SYSTEM" = pgha ]; then cmd=("${clock[@]}" "$DIR/bin/pgha" "$DIR/$h/pgha.yml")
  else cmd=("${clock[@]}" env "HOME=$(getent passwd postgres | cut -d: -f6)" "$PATRONI" "$DIR/$h/patroni.yml"); fi
  ip netns exec "$(host_ns "$h")" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    "${cmd[@]}" >>"$DIR/$h/$SYSTEM.log" 2>&1 &
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
# Converged: one leader in /cluster (and in synchronous mode a member /sync names: until then no
# replica may be promoted, by either system), and the server behind the write port writable with
# every other node streaming from it (asked of PostgreSQL, the same for both systems).
converged() {
  local j; j=$(cluster_json) || return 1
  [ "$(jq '[.members[] | select(.role == "leader")] | length' <<<"$j")" = 1 ] || return 1
  if [ "$SYNC" = sync ]; then
    [ "$(jq '[.members[] | select(.role == "sync_standby")] | length' <<<"$j")" -ge 1 ] || return 1
  fi
  [ "$(lb_sql "SELECT NOT pg_is_in_recovery() AND (SELECT count(*) FROM pg_stat_replication
    WHERE state = 'streaming' AND application_name <> 'pgha_commit_gate') = ${#HOSTS[@]} - 1")" = t ]
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
ip netns exec "$CLIENT" $PY "$HERE/writer.py" read "$CLIENT_ADDR" 5001 \
  "$DIR/reads.jsonl" "$STOP" "$MAX_RUN" >"$DIR/reader.log" 2>&1 &
HELPER_PIDS+=($!); disown
ip netns exec "$CLIENT" $PY "$HERE/writer.py" direct $(for h in "${HOSTS[@]}"; do host_addr "$h"; done) \
  "$DIR/writes_direct.jsonl" "$STOP" "$MAX_RUN" >"$DIR/writer_direct.log" 2>&1 &
HELPER_PIDS+=($!); disown
sleep 3

source "$HERE/nemeses.sh"

[ "$MODE" = --random ] && log "seed $SEED: ${NEMESES[*]}"
for n in "${NEMESES[@]}"; do
  wait_for 60 converged || log "not converged before $n"
  "nemesis_$n"
done
if [ "$MODE" = --storm ] || { [ "$MODE" = --full ] && [ "$STORM_FAULTS" -gt 0 ]; }; then
  source "$HERE/storm.sh"
  storm_schedule "$SEED" "$ROUNDS"
  event "{\"ev\":\"storm\",\"seed\":$SEED,\"faults\":$ROUNDS,\"t\":$(now)}"
  wait_for 60 converged || log "not converged before the storm"
  run_storm
fi
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
$PY "$HERE/check.py" "$DIR" ${JSON_OUT:+--json "$JSON_OUT"} | tee "$DIR/check.out"
STATUS=${PIPESTATUS[0]}
if [ "$MODE" = --control ]; then
  if [ "$STATUS" = 0 ] || ! grep -q "dual-primary" "$DIR/check.out"; then
    echo "CONTROL FAILED: the checkers passed a cluster with a rogue primary"; STATUS=1
  else
    echo "control ok: the checkers caught the rogue primary"; STATUS=0
  fi
fi
exit "$STATUS"
