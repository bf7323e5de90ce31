# Shared helpers for the shell-driven cluster tests: assertions that count, and waiting on a
# condition with a deadline (never a bare sleep as a wait).
set -uo pipefail
PASSED=0
FAILED=0
BIN=${PGHA_BIN_DIR:?PGHA_BIN_DIR must point at build/src/bin}
PGHACTL="$BIN/pghactl"

pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# wait_for SECONDS command... : polls the command every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
  return 0
}
# require_commands CMD...: a missing tool skips the whole test (CTest SKIP_RETURN_CODE 77).
require_commands() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c is not installed"; exit 77; }
  done
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# --- a local cluster on test ports -------------------------------------------------------------
# start_cluster NAME BASE: ports BASE+432 (write), +433 (read), +7000-ish stats, PostgreSQL +440..,
# REST +8008.., etcd +2379/+2380 (x100 per member). Sets CL, W, R, PGP, API, EC and PGPASSWORD.
# On a failed check, the end of each node's PostgreSQL log (the data directory goes with the test).
show_pg_logs_on_failure() {
  [ "${FAILED:-0}" -gt 0 ] && [ -n "${CL:-}" ] || return 0
  local f
  for f in "$CL"/*/postgresql.log; do
    [ -f "$f" ] || continue
    echo "--- last lines of $f:"
    tail -n 15 "$f" | sed 's/^/    /'
  done
}

start_cluster() {
  local name=$1 base=$2
  DIR=$(mktemp -d /var/tmp/pgha-it-$name.XXXXXX)
  chmod 0755 "$DIR"
  CL="$DIR/cluster"; W=$((base + 432)); R=$((base + 433)); PGP=$((base + 440))
  API=$((base + 8008)); EC=$((base + 2379)); CTL_TARGET=(--dir "$CL")
  cat > "$DIR/cluster.yaml" <<YAML
name: $name
replicas: 3
postgres: {username: app, password: apppw, database: appdb}
etcd: {replicas: 3}
resources: {cpu: 1, memory: 512Mi}
ports: {write: $W, read: $R, stats: $((base + 7000)), postgres: $PGP, api: $API, etcd_client: $EC, etcd_peer: $((base + 2380))}
YAML
  export PGPASSWORD=apppw PGCONNECT_TIMEOUT=2
  trap 'show_pg_logs_on_failure; stop_writer; "$PGHACTL" local destroy --dir "$CL" --force >/dev/null 2>&1; rm -rf "$DIR"' EXIT
  "$PGHACTL" local up --dir "$CL" -f "$DIR/cluster.yaml" >"$DIR/up.log" 2>&1
}
sql() { psql -X -A -t -q -h 127.0.0.1 -p "$1" -U app -d appdb -c "$2" 2>/dev/null; }
# pghactl's target: start_cluster sets (--dir "$CL"); a test may set (-c FILE) instead.
list_json() { "$PGHACTL" "${CTL_TARGET[@]}" list -f json 2>/dev/null; }
leader() { list_json | jq -r '.[] | select(.Role == "Leader") | .Member'; }
timeline_of() { list_json | jq -r --arg m "$1" '.[] | select(.Member == $m) | .TL'; }
node_index() { echo "${1#node}"; }
pg_port() { echo $((PGP + $(node_index "$1") - 1)); }
api_port() { echo $((API + $(node_index "$1") - 1)); }
streaming() { [ "$(list_json | jq -r --arg m "$1" '.[] | select(.Member == $m) | .State')" = streaming ]; }
on_timeline() { [ "$(timeline_of "$1")" = "$2" ]; }
streams_on() { streaming "$1" && on_timeline "$1" "$2"; }  # MEMBER TIMELINE
new_leader_other_than() { local l; l=$(leader); [ -n "$l" ] && [ "$l" != "$1" ]; }
is_leader() { [ "$(leader)" = "$1" ]; }
epoch() { date +%s.%N; }
etcd_ctl() {  # etcdctl against the cluster's three members
  ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$EC,127.0.0.1:$((EC + 100)),127.0.0.1:$((EC + 200))" \
    --command-timeout=3s "$@"
}

# A writer inserting increasing ids through PORT; each acknowledged id is logged with its time.
start_writer() {  # PORT LOGFILE
  WRITER_LOG=$2
  : >"$WRITER_LOG"
  (
    i=0; end=$((SECONDS + 240))
    while [ $SECONDS -lt $end ] && [ ! -e "$WRITER_LOG.stop" ]; do
      i=$((i + 1))
      if psql -X -q -h 127.0.0.1 -p "$1" -U app -d appdb -c "INSERT INTO acks VALUES ($i)" \
           >/dev/null 2>&1; then
        echo "$(epoch) $i" >>"$WRITER_LOG"
      fi
      sleep 0.02
    done
  ) &
  WRITER_PID=$!
}
stop_writer() {
  [ -n "${WRITER_PID:-}" ] || return 0
  touch "$WRITER_LOG.stop"; wait "$WRITER_PID" 2>/dev/null; rm -f "$WRITER_LOG.stop"
  WRITER_PID=
}
acks() { wc -l <"$WRITER_LOG"; }
acks_after() { awk -v t="$1" '$1 > t' "$WRITER_LOG" | wc -l; }
first_ack_after() { awk -v t="$1" '$1 > t {print $1; exit}' "$WRITER_LOG"; }
last_ack() { tail -1 "$WRITER_LOG" | cut -d' ' -f1; }
has_acks_after() { [ "$(acks_after "$1")" -gt 0 ]; }
has_n_acks_after() { [ "$(acks_after "$1")" -ge "$2" ]; }
# Longest time between two acknowledged writes after time T: the write outage around T.
max_gap_after() {
  awk -v t="$1" '$1 > t - 2 { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%.2f\n", m }' "$WRITER_LOG"
}
# Acknowledged ids missing from the table, as "id@time" (time relative to T).
lost_ids() {
  local ids; ids=$(cut -d' ' -f2 "$WRITER_LOG" | paste -sd, -)
  [ -z "$ids" ] && return
  local have; have=$(sql "$W" "SELECT string_agg(id::text, ',') FROM acks WHERE id IN ($ids)")
  awk -v have=",$have," -v t="$1" 'index(have, "," $2 ",") == 0 { printf "%s@%+.3f ", $2, $1 - t }' "$WRITER_LOG"
}
# Every acknowledged id must be in the table (read through the write port).
lost_acks() {
  local ids; ids=$(cut -d' ' -f2 "$WRITER_LOG" | paste -sd, -)
  [ -z "$ids" ] && { echo 0; return; }
  local found; found=$(sql "$W" "SELECT count(*) FROM acks WHERE id IN ($ids)")
  echo $(( $(acks) - ${found:-0} ))
}
