#!/usr/bin/env bash
# The commit gate (src/pg/commit_gate.h) on a local cluster:
#   1. the primary names only the gate in synchronous_standby_names, and pg_stat_replication shows
#      the gate streaming as its synchronous standby (an asynchronous cluster);
#   2. with the primary's agent stopped (SIGSTOP: its gate thread stops with it, as every process
#      of a frozen host does), a commit straight to the primary waits (wait event SyncRep) instead
#      of being acknowledged, and is never acknowledged: the fencing guard stops PostgreSQL at the
#      deadline and the client sees the connection fail;
#   3. another member is promoted; the old agent, resumed, rejoins as a replica.
#   4. a replica whose gate received nothing since it connected (no WAL came) stops at once on a
#      restart, twice: its gate confirms where its stream began, so the WAL sender that waits at
#      shutdown for its client to confirm what it sent ends (it waited forever: restarts failed
#      after 60 s, cluster.patronictl_test).
# Without the gate step 2 fails: the INSERT is acknowledged at once.
source "$(dirname "$0")/lib.sh"
require_commands psql jq curl
start_cluster itgate 21000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
SUPW=$(jq -r '.superuser.password' "$CL/cluster.json")
su_sql() {  # su_sql NODE SQL: as the cluster's superuser, straight to NODE's PostgreSQL
  PGPASSWORD=$SUPW psql -X -A -t -q -h 127.0.0.1 -p "$(pg_port "$1")" -U postgres -d postgres \
    -c "$2" 2>/dev/null
}
sql "$W" "CREATE TABLE gate(id int PRIMARY KEY)"
L=$(leader)
P=$(pg_port "$L")

# 1 --------------------------------------------------------------------------------------------
gate_named() { [ "$(su_sql "$L" "SHOW synchronous_standby_names")" = '"pgha_commit_gate"' ]; }
check "[1] synchronous_standby_names on $L names only the commit gate" wait_for 20 gate_named
gate_row() {
  su_sql "$L" "SELECT state || ' ' || sync_state FROM pg_stat_replication
               WHERE application_name = 'pgha_commit_gate'"
}
gate_streams() { [ "$(gate_row)" = "streaming sync" ]; }
check "[1] pg_stat_replication on $L: the gate streams as the synchronous standby" \
  wait_for 10 gate_streams
check "[1] a commit on $L is acknowledged while its agent runs" sql "$P" "INSERT INTO gate VALUES (1)"

# 2 --------------------------------------------------------------------------------------------
AGENT=$(cat "$CL/pids/$L.pid")
kill -STOP "$AGENT"
PGPASSWORD=apppw psql -X -A -t -h 127.0.0.1 -p "$P" -U app -d appdb \
  -c "INSERT INTO gate VALUES (2)" >"$DIR/insert.out" 2>&1 &
INSERT=$!
waits_on_gate() {
  [ "$(su_sql "$L" "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'
                    AND query LIKE 'INSERT INTO gate VALUES (2)%'")" = 1 ]
}
check "[2] with $L's agent stopped the commit waits for the gate (SyncRep)" wait_for 3 waits_on_gate
insert_done() { ! kill -0 "$INSERT" 2>/dev/null; }
check "[2] the waiting commit ends (the guard fences $L)" wait_for 30 insert_done
wait "$INSERT"; rc=$?
echo "    psql exit $rc: $(tr '\n' ' ' <"$DIR/insert.out")"
check "[2] the commit was never acknowledged to the client" \
  sh -c "[ $rc -ne 0 ] && ! grep -q 'INSERT 0 1' '$DIR/insert.out'"

# 3 --------------------------------------------------------------------------------------------
check "[3] another member is promoted" wait_for 30 new_leader_other_than "$L"
kill -CONT "$AGENT"
check "[3] $L's agent, resumed, rejoins as a streaming replica" wait_for 60 streaming "$L"
N=$(leader)
gate_on_new() { [ "$(su_sql "$N" "SHOW synchronous_standby_names")" = '"pgha_commit_gate"' ]; }
check "[3] the new primary $N names its own gate" wait_for 20 gate_on_new
# HAProxy moves the write port to N after its own health checks (a few seconds after promotion).
check "[3] writes through the write port go on" wait_for 20 sql "$W" \
  "INSERT INTO gate VALUES (3) ON CONFLICT DO NOTHING"
check "[3] the row written through the write port is on $N" \
  test "$(sql "$(pg_port "$N")" "SELECT count(*) FROM gate WHERE id = 3")" = 1

# 4 --------------------------------------------------------------------------------------------
gate_streams_on() { [ "$(su_sql "$1" "SELECT count(*) FROM pg_stat_replication
                                        WHERE application_name = 'pgha_commit_gate'")" = 1 ]; }
replica_with_gate() { streaming "$1" && gate_streams_on "$1"; }
for round in 1 2; do
  check "[4] round $round: $L streams and its own gate streams from it" \
    wait_for 60 replica_with_gate "$L"
  out=$(timeout 50 "$PGHACTL" --dir "$CL" restart itgate "$L" --force 2>&1)
  check "[4] round $round: restart of the idle replica $L succeeds ($(tail -1 <<<"$out"))" \
    grep -q "Success: restart on member $L" <<<"$out"
done
finish
