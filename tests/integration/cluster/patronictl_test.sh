#!/usr/bin/env bash
# Patroni's own CLI operates a pgha cluster (issue 11): Debian's patronictl 3.0.2 and PyPI's
# newest 4.x each run list, switchover, failover, restart, reinit, pause/resume, edit-config,
# history and query against one local cluster, and every command's effect is checked through
# pghactl, the REST API or SQL. A patronictl that cannot be had (no PyPI) is reported as skipped
# with the reason; the other still runs.
source "$(dirname "$0")/lib.sh"
require_commands jq psql curl
SKIPPED=0
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip: $*"; }

start_cluster itctl 20000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
A1="http://127.0.0.1:$API"
cat >"$DIR/patronictl.yml" <<YAML
scope: itctl
namespace: /service/
etcd3:
  hosts: 127.0.0.1:$EC
YAML

others() { list_json | jq -r --arg l "$(leader)" '.[] | select(.Member != $l) | .Member' | sort; }
# From the member's own REST API, not its etcd key (which can lag behind).
streams_now() {
  curl -s "http://127.0.0.1:$(api_port "$1")/patroni" |
    jq -e '.state == "running" and .role == "replica" and .replication_state == "streaming"' >/dev/null
}
# Streaming says the member itself, and its etcd key says so too (what patronictl and the
# leader's switchover check read).
settled() { streams_now "$1" && streaming "$1"; }
all_streaming() { local m; for m in $(others); do settled "$m" || return 1; done; [ -n "$(others)" ]; }
history_len() { curl -s "$A1/history" | jq length; }
started_at() { curl -s "http://127.0.0.1:$(api_port "$1")/patroni" | jq -r .postmaster_start_time; }
restarted() { local now; now=$(started_at "$1"); [ -n "$now" ] && [ "$now" != null ] && [ "$now" != "$2" ]; }
paused() { [ "$(curl -s "$A1/config" | jq -r '.pause // false')" = "$1" ]; }
# said TEXT OUTPUT: OUTPUT holds TEXT; if not, OUTPUT's last lines go to the log.
said() { grep -q -- "$1" <<<"$2" && return 0; tail -4 <<<"$2" | sed 's/^/    | /'; return 1; }
check "cluster up: one leader, two streaming replicas" wait_for 60 all_streaming

# One patronictl through every command. $1: a label, $2: the patronictl executable.
walk() {
  local v=$1 pctl=$2 out l c h0 t0 victim
  pc() { "$pctl" -c "$DIR/patronictl.yml" "$@"; }
  l=$(leader)
  check "[$v] list names the leader $l" sh -c "'$pctl' -c '$DIR/patronictl.yml' list itctl | grep -q '$l'"
  check "[$v] list -f json: three members, one Leader" sh -c \
    "[ \$('$pctl' -c '$DIR/patronictl.yml' list itctl -f json | jq '[.[] | select(.Role == \"Leader\")] | length') = 1 ]"

  # Restart and reinit first; each waits until the member runs a new postmaster and streams.
  victim=$(others | head -1)
  t0=$(started_at "$victim")
  out=$(pc restart itctl "$victim" --force 2>&1)
  check "[$v] restart $victim reports success" said "Success: restart on member $victim" "$out"
  check "[$v] ... its postmaster started anew" wait_for 30 restarted "$victim" "$t0"
  check "[$v] ... and it streams" wait_for 60 settled "$victim"

  touch "$CL/$victim/data/pgha-reinit-marker"
  t0=$(started_at "$victim")
  out=$(pc reinit itctl "$victim" --force 2>&1)
  check "[$v] reinit $victim reports success" said "Success: reinitialize for member $victim" "$out"
  marker_gone() { [ ! -e "$CL/$victim/data/pgha-reinit-marker" ]; }
  check "[$v] ... its data directory was made anew" wait_for 60 marker_gone
  # The clone starts in a later loop than the one that answered: wait for its new postmaster.
  check "[$v] ... and a new postmaster runs on it" wait_for 60 restarted "$victim" "$t0"
  check "[$v] ... and it streams" wait_for 60 settled "$victim"

  h0=$(history_len)
  c=$(others | head -1)
  out=$(pc switchover itctl --candidate "$c" --force 2>&1)
  check "[$v] switchover to $c reports success" said "Successfully switched over" "$out"
  check "[$v] ... $c leads" wait_for 30 is_leader "$c"
  check "[$v] ... both replicas stream again" wait_for 60 all_streaming

  c=$(others | head -1)
  out=$(pc failover itctl --candidate "$c" --force 2>&1)
  check "[$v] failover to $c reports success" said "Successfully failed over" "$out"
  check "[$v] ... $c leads" wait_for 30 is_leader "$c"
  check "[$v] ... both replicas stream again" wait_for 60 all_streaming

  history_grew() { [ "$(history_len)" -ge $((h0 + 2)) ]; }
  check "[$v] /history holds both new timelines" wait_for 10 history_grew
  out=$(pc history itctl 2>&1)
  check "[$v] history prints the timeline of the last switch" grep -q "| *$((h0 + 2)) *|" <<<"$out"

  check "[$v] pause --wait sets pause in /config" sh -c "'$pctl' -c '$DIR/patronictl.yml' pause itctl --wait >/dev/null"
  check "[$v] ... /config says paused" paused true
  check "[$v] resume --wait clears it" sh -c "'$pctl' -c '$DIR/patronictl.yml' resume itctl --wait >/dev/null"
  check "[$v] ... /config says not paused" paused false

  local ttl=$((RANDOM % 10 + 20))
  pc edit-config itctl --force -s "ttl=$ttl" >/dev/null 2>&1
  check "[$v] edit-config -s ttl=$ttl changes /config" test "$(curl -s "$A1/config" | jq .ttl)" = "$ttl"
  pc edit-config itctl --force -p "work_mem=5MB" >/dev/null 2>&1
  check "[$v] edit-config -p work_mem=5MB changes /config" \
    test "$(curl -s "$A1/config" | jq -r .postgresql.parameters.work_mem)" = 5MB

  out=$(pc query itctl -r primary -U app -d appdb -c "SELECT pg_is_in_recovery(), current_user" 2>&1)
  check "[$v] query -r primary runs on the primary as app" grep -q "^False	app" <<<"$out"
  c=$(others | head -1)
  out=$(pc query itctl -m "$c" -U app -d appdb -c "SELECT pg_is_in_recovery()" 2>&1)
  check "[$v] query -m $c runs on that replica" grep -q "^True" <<<"$out"
}

# pghactl reads the same patronictl file (only scope, namespace and etcd3), and one without a
# scope when the cluster is named on the line; without either it says what is missing.
sed '/^scope:/d' "$DIR/patronictl.yml" >"$DIR/noscope.yml"
out=$("$PGHACTL" -c "$DIR/patronictl.yml" list -f json 2>&1)
check "pghactl -c patronictl.yml list: three members, one Leader" \
  test "$(jq '[.[] | select(.Role == "Leader")] | length' <<<"$out" 2>/dev/null)" = 1
out=$("$PGHACTL" -c "$DIR/noscope.yml" list itctl 2>&1)
check "pghactl -c FILE-without-scope list itctl names the leader" grep -q "$(leader)" <<<"$out"
out=$("$PGHACTL" -c "$DIR/noscope.yml" list 2>&1)
check "... and without the cluster name says so" \
  said "scope is not set: give the cluster name as an argument" "$out"

if command -v patronictl >/dev/null; then
  walk "patronictl $(patronictl version 2>/dev/null | awk '{print $NF}')" "$(command -v patronictl)"
else
  skip "Debian's patronictl is not installed"
fi
if bash "$(dirname "$0")/../../fault/patroni4.sh" >"$DIR/patroni4.log" 2>&1; then
  P4=${PGHA_PATRONI4_VENV:-/opt/patroni4}/bin/patronictl
  walk "patronictl $("$P4" version 2>/dev/null | awk '{print $NF}')" "$P4"
else
  skip "patronictl 4.x: could not install it from PyPI ($(tail -1 "$DIR/patroni4.log"))"
fi

echo "$SKIPPED skipped"
finish
