#!/usr/bin/env bash
# synchronous_mode on real processes (docs/interfaces.md §5.3, src/ha/sync.h):
#   1. synchronous_mode on -> exactly one replica is the sync standby: /sync in etcd names the
#      leader and it, GET /sync answers 200 on it and 503 on the other replica (where GET /async
#      answers 200), synchronous_standby_names on the primary names it, pg_stat_replication
#      reports it as 'sync'
#   2. switchover to the asynchronous replica is refused (412) and changes nothing
#   3. switchover to the sync standby under a writer: no reinit of the old leader, no acknowledged
#      write lost (synchronous: no async window at all), /sync follows the new leader
#   4. kill -9 of the leader under a writer: the sync standby is promoted, never the
#      asynchronous replica; no acknowledged write lost
#   5. synchronous_mode_strict with both replicas down: a commit is not acknowledged; once one
#      replica is back, commits go through again
#   6. synchronous_mode off -> /sync is deleted, synchronous_standby_names names only the commit gate
source "$(dirname "$0")/lib.sh"
require_commands etcdctl jq psql curl bc timeout

# Ports below the ephemeral range (32768+), in this test's own range (base 19000).
start_cluster itsync 19000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
sql "$W" "CREATE TABLE acks(id int PRIMARY KEY)"
sql "$W" "CREATE TABLE strict_writes(id serial PRIMARY KEY)"
SUPW=$(jq -r '.superuser.password' "$CL/cluster.json")
ETCD_ENDPOINTS="127.0.0.1:$EC,127.0.0.1:$((EC + 100)),127.0.0.1:$((EC + 200))"
SYNC_KEY=/service/itsync/sync

ctl() { "$PGHACTL" --dir "$CL" "$@"; }
api() { echo "http://127.0.0.1:$(api_port "$1")"; }
code() { curl -s -o "$DIR/body" -m 3 -w '%{http_code}' "$@"; }
su_sql() {  # su_sql NODE SQL: as the cluster's superuser, straight to NODE's PostgreSQL
  PGPASSWORD=$SUPW psql -X -A -t -q -h 127.0.0.1 -p "$(pg_port "$1")" -U postgres -d postgres \
    -c "$2" 2>/dev/null
}
sync_key() {
  ETCDCTL_API=3 etcdctl --endpoints="$ETCD_ENDPOINTS" --command-timeout=2s \
    get --print-value-only "$SYNC_KEY" 2>/dev/null
}
sync_leader() { sync_key | jq -r '.leader // empty' 2>/dev/null; }
sync_standbys() { sync_key | jq -r '.sync_standby // empty' 2>/dev/null; }
no_sync_key() {  # the key is absent (and etcd answered)
  local out
  out=$(ETCDCTL_API=3 etcdctl --endpoints="$ETCD_ENDPOINTS" --command-timeout=2s \
    get "$SYNC_KEY" -w json 2>/dev/null) || return 1
  echo "$out" | jq -e '(.kvs // []) | length == 0' >/dev/null
}
ssn() { su_sql "$1" "SHOW synchronous_standby_names"; }
sync_state_of() { su_sql "$1" "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$2'"; }
members() { printf '%s\n' node1 node2 node3; }  # pghactl list omits stopped members
others_than() { members | grep -vx -e "$1" -e "${2:-}"; }
streaming_count() { list_json | jq '[.[] | select(.State == "streaming")] | length'; }
all_streaming() { [ "$(streaming_count)" = 2 ]; }
# /sync names the current leader and exactly one standby (another member, streaming).
sync_settled() {
  local l s; l=$(leader); s=$(sync_standbys)
  [ -n "$l" ] && [ "$(sync_leader)" = "$l" ] && [ -n "$s" ] && [ "$s" != "$l" ] &&
    [[ $s != *,* ]] && members | grep -qx "$s" && streaming "$s"
}
health() { code "$(api "$1")$2"; }  # health NODE PATH -> HTTP code
write_cleanly() {  # one commit on NODE, acknowledged without a warning within 5 s
  local out
  out=$(timeout -k 2 5 psql -X -q -h 127.0.0.1 -p "$(pg_port "$1")" -U app -d appdb \
    -c "INSERT INTO strict_writes DEFAULT VALUES" 2>&1) && ! grep -q WARNING <<<"$out"
}

L0=$(leader)
check "a leader before synchronous_mode" test -n "$L0"
check "both replicas stream" wait_for 60 all_streaming

# 1. synchronous_mode on -------------------------------------------------------------------------
check "[1] edit-config -s synchronous_mode=true --force" ctl edit-config --force -q -s synchronous_mode=true
t=$SECONDS
check "[1] /sync names the leader and one streaming standby" wait_for 15 sync_settled
echo "    /sync after $((SECONDS - t)) s: $(sync_key)"
L=$(leader); S=$(sync_standbys); O=$(others_than "$L" "$S")
echo "    leader $L, sync standby $S, asynchronous replica $O"
check "[1] exactly one asynchronous replica besides leader and sync standby" \
  test "$(echo "$O" | grep -c .)" = 1
check "[1] /sync leader is $L" test "$(sync_leader)" = "$L"
check "[1] GET /sync on sync standby $S: 200" test "$(health "$S" /sync)" = 200
check "[1] GET /sync on asynchronous $O: 503" test "$(health "$O" /sync)" = 503
check "[1] GET /async on asynchronous $O: 200" test "$(health "$O" /async)" = 200
check "[1] GET /async on sync standby $S: 503" test "$(health "$S" /async)" = 503
check "[1] GET /cluster: $S has role sync_standby" test \
  "$(curl -s -m 3 "$(api "$L")/cluster" | jq -r '[.members[] | select(.role == "sync_standby") | .name] | join(",")')" = "$S"
check "[1] synchronous_standby_names on $L names $S" test "$(ssn "$L")" = "\"$S\""
check "[1] pg_stat_replication on $L: $S is sync" test "$(sync_state_of "$L" "$S")" = sync
check "[1] pg_stat_replication on $L: $O is async" test "$(sync_state_of "$L" "$O")" = async
check "[1] pghactl list shows $S as Sync Standby" test \
  "$(list_json | jq -r --arg m "$S" '.[] | select(.Member == $m) | .Role')" = "Sync Standby"

# 2. switchover to the asynchronous replica is refused ---------------------------------------------
got=$(code -XPOST -d "{\"leader\":\"$L\",\"candidate\":\"$O\"}" "$(api "$L")/switchover")
check "[2] POST /switchover to asynchronous $O: 412 ($got $(cat "$DIR/body"))" test "$got" = 412
check "[2] pghactl switchover --candidate $O refuses (exit != 0)" \
  sh -c "! '$PGHACTL' --dir '$CL' switchover --candidate '$O' --force >/dev/null 2>&1"
leaders_seen=$(for _ in $(seq 1 15); do leader; sleep 0.2; done | sort -u | tr '\n' ' ')
check "[2] no role change: $L still leads (seen: $leaders_seen)" test "$leaders_seen" = "$L "
check "[2] /sync unchanged" test "$(sync_leader) $(sync_standbys)" = "$L $S"

# 3. switchover to the sync standby under a writer -------------------------------------------------
ino_before=$(stat -c %i "$CL/$L/data/PG_VERSION")
start_writer "$W" "$DIR/w3.log"
check "[3] writer running before the switchover" wait_for 20 has_n_acks_after 0 20
t0=$(epoch)
out=$(ctl switchover --candidate "$S" --force 2>&1); rc=$?
echo "$out" | sed 's/^/    /' | grep -E "Successfully|failed|Error|rror" || true
check "[3] pghactl switchover to sync standby $S succeeded" test "$rc" = 0
check "[3] $S leads after the switchover" wait_for 20 is_leader "$S"
t1=$(epoch)
check "[3] writes resume through the write port" wait_for 30 has_n_acks_after "$t1" 10
check "[3] old leader $L streams again" wait_for 60 streaming "$L"
check "[3] no reinit of $L (same data directory files)" \
  test "$(stat -c %i "$CL/$L/data/PG_VERSION")" = "$ino_before"
stop_writer
echo "    write outage around the switchover: $(max_gap_after "$t0") s"
lost=$(lost_ids "$t0")
echo "    acknowledged: $(acks); missing (id@seconds from switchover): ${lost:-none}"
check "[3] no acknowledged write lost (synchronous: none at all)" test -z "$lost"
check "[3] /sync names new leader $S and a standby" wait_for 20 sync_settled
echo "    /sync: $(sync_key)"
check "[3] /sync leader is $S" test "$(sync_leader)" = "$S"

# 4. kill -9 of the leader: only the sync standby may be promoted -------------------------------
check "[4] both replicas stream before the kill" wait_for 60 all_streaming
check "[4] /sync settled before the kill" wait_for 20 sync_settled
L=$(leader); S=$(sync_standbys); O=$(others_than "$L" "$S")
echo "    leader $L, sync standby $S, asynchronous replica $O"
# The writer counts from 1 again: empty the table so that its ids are new (a duplicate would only
# fail, and the writer would take its first seconds to get past the ids of phase 3).
check "[4] TRUNCATE acks" test -n "$(sql "$W" "TRUNCATE acks; SELECT 1")"
start_writer "$W" "$DIR/w4.log"
check "[4] writer running before the kill" wait_for 20 has_n_acks_after 0 20
S_before=$(sync_standbys)
t0=$(epoch)
"$PGHACTL" local kill "$L" --dir "$CL" >/dev/null
check "[4] /sync listed $S as sync standby just before the kill" test "$S_before" = "$S"
SEEN=""
seen_new_leader() {  # records every leader seen while waiting for one other than $1
  local l; l=$(leader); [ -n "$l" ] && SEEN="$SEEN $l"
  [ -n "$l" ] && [ "$l" != "$1" ]
}
check "[4] a new primary after kill -9 of $L" wait_for 30 seen_new_leader "$L"
t1=$(epoch)
echo "    new leader $(leader) after $(echo "$t1 - $t0" | bc) s"
check "[4] the new leader is the sync standby $S" test "$(leader)" = "$S"
obs=$(for _ in $(seq 1 10); do
  leader
  [ "$(curl -s -m 1 "$(api "$O")/patroni" | jq -r .role)" = primary ] && echo "$O-primary"
  sleep 0.2
done | sort -u | tr '\n' ' ')
seen=$(echo "$SEEN $obs" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
check "[4] asynchronous $O never led (seen: $seen)" test -z "$(echo "$seen" | tr ' ' '\n' | grep -e "^$O\$" -e "^$O-primary\$")"
check "[4] writes resume through the write port" wait_for 30 has_n_acks_after "$t1" 10
stop_writer
echo "    write outage after the kill: $(max_gap_after "$t0") s"
lost=$(lost_ids "$t0")
echo "    acknowledged: $(acks); missing (id@seconds from kill): ${lost:-none}"
check "[4] no acknowledged write lost (synchronous: none at all)" test -z "$lost"
"$PGHACTL" local start "$L" --dir "$CL" >/dev/null
check "[4] killed $L rejoins and streams" wait_for 60 streaming "$L"
check "[4] /sync names $S and a standby again" wait_for 20 sync_settled

# 5. synchronous_mode_strict ------------------------------------------------------------------------
check "[5] both replicas stream" wait_for 60 all_streaming
L=$(leader)
check "[5] edit-config -s synchronous_mode_strict=true --force" \
  ctl edit-config --force -q -s synchronous_mode_strict=true
strict_seen() { [ "$(curl -s -m 2 "$(api "$L")/config" | jq -r .synchronous_mode_strict)" = true ]; }
check "[5] leader $L sees synchronous_mode_strict" wait_for 10 strict_seen
check "[5] /sync settled" wait_for 20 sync_settled
listed=$(sync_standbys)
for n in $(others_than "$L"); do "$PGHACTL" local stop "$n" --dir "$CL" >/dev/null; done
none_streaming() { [ "$(su_sql "$L" "SELECT count(*) FROM pg_stat_replication WHERE application_name <> 'pgha_commit_gate'")" = 0 ]; }
check "[5] both replicas stopped (no walsender on $L)" wait_for 30 none_streaming
samples=$(for _ in $(seq 1 10); do ssn "$L" | sed 's/^$/<empty>/'; sleep 0.2; done | sort -u | tr '\n' ' ')
echo "    synchronous_standby_names on $L with no replica: $samples(/sync: $(sync_key))"
check "[5] synchronous_standby_names on $L never empty with no replica" \
  sh -c "! echo '$samples' | grep -q '<empty>'"
check "[5] still one leader, $L" test "$(leader)" = "$L"
# statement_timeout cannot stop it: PostgreSQL disables it before the commit (finish_xact_command),
# so psql is interrupted instead (SIGINT sends a cancel request, the backend answers with the
# WARNING "canceling wait for synchronous replication"; the row stays committed locally).
ts=$SECONDS
out=$(timeout -k 3 -s INT 4 psql -X -q -h 127.0.0.1 -p "$(pg_port "$L")" -U app -d appdb \
  -c "INSERT INTO strict_writes DEFAULT VALUES" 2>&1); rc=$?
echo "    commit with no replica: exit $rc after $((SECONDS - ts)) s: $(echo "$out" | head -2 | tr '\n' ' ')"
check "[5] the commit is not acknowledged (blocked, then cancelled)" \
  test "$rc" != 0 -o -n "$(echo "$out" | grep 'canceling wait for synchronous replication')"
check "[5] it waited until cancelled (>= 3 s)" test $((SECONDS - ts)) -ge 3
R1=$(others_than "$L" "$listed" | head -1)
"$PGHACTL" local start "$R1" --dir "$CL" >/dev/null
t=$SECONDS
check "[5] after starting $R1 a commit is acknowledged cleanly within 15 s" wait_for 15 write_cleanly "$L"
echo "    first clean commit $((SECONDS - t)) s after '$R1' was started (/sync: $(sync_key))"
for n in $(others_than "$L" "$R1"); do "$PGHACTL" local start "$n" --dir "$CL" >/dev/null; done
check "[5] both replicas stream again" wait_for 60 all_streaming

# 6. synchronous_mode off -------------------------------------------------------------------------
check "[6] edit-config -s synchronous_mode=false -s synchronous_mode_strict=false --force" \
  ctl edit-config --force -q -s synchronous_mode=false -s synchronous_mode_strict=false
L=$(leader)
# Asynchronous again: no standby is named, only the commit gate (src/pg/commit_gate.h).
ssn_empty() { local v; v=$(ssn "$L") && [ "$v" = '"pgha_commit_gate"' ]; }
check "[6] /sync is deleted from etcd" wait_for 15 no_sync_key
check "[6] synchronous_standby_names on $L names only the commit gate" wait_for 15 ssn_empty
no_sync_role() { [ "$(list_json | jq '[.[] | select(.Role == "Sync Standby")] | length')" = 0 ]; }
check "[6] no member is listed as Sync Standby" wait_for 10 no_sync_role
no_sync_health() {
  local n
  for n in $(others_than "$L"); do [ "$(health "$n" /sync)" = 503 ] || return 1; done
}
check "[6] GET /sync answers 503 on every replica" wait_for 10 no_sync_health
check "[6] a commit on $L is acknowledged cleanly" write_cleanly "$L"

finish
