#!/usr/bin/env bash
# Issue 3 on real processes (etcd, PostgreSQL, agents, HAProxy), each phase with a writer through
# the write port that records acknowledged ids:
#   1. kill -9 of the primary's agent and PostgreSQL -> one new primary, writes resume, no
#      acknowledged write lost; after restart the old node rejoins by rewind and streams
#   2. PostgreSQL crash with the agent alive -> restart in place, same timeline, no failover
#   3. kill -9 of the primary's agent only -> the old PostgreSQL accepts no write after the new
#      primary's promotion; two timeline numbers claimed by a member that never joined /history
#      are skipped by the promotion, and every node streams on the new timeline
#   4. etcd majority lost -> no promotion anywhere; the primary stops accepting writes before
#      ttl; writes resume once etcd is back
#   5. one etcd member down (the first one every agent talks to) -> no failover
#   6. the whole cluster killed and restarted -> same data, the most advanced node leads
source "$(dirname "$0")/lib.sh"
TTL=5  # pgha's default (docs/timing.md)
SCENARIO_RUNNER=${PGHA_SCENARIO_RUNNER:-$BIN/../../tests/scenario/scenario_runner}

start_cluster itfail 16000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
sql "$W" "CREATE TABLE acks(id int PRIMARY KEY)"

# 1. Node death ------------------------------------------------------------------------------
L=$(leader)
start_writer "$W" "$DIR/w1.log"
check "writer running before the kill" wait_for 20 has_n_acks_after 0 20
t0=$(epoch)
"$PGHACTL" local kill "$L" --dir "$CL" >/dev/null
check "[1] a new primary after kill -9 of $L" wait_for 30 new_leader_other_than "$L"
t1=$(epoch)
# The decision journal (issue 13): the new leader's latest decision, taken right after the kill,
# replays through the scenario runner to the same actions and reason; so does its promotion.
NL=$(leader)
curl -s "http://127.0.0.1:$(api_port "$NL")/journal?n=1" >"$DIR/journal_latest.txt"
check "[1] $NL's latest journal entry replays to the same decision" \
  "$SCENARIO_RUNNER" "$DIR/journal_latest.txt"
curl -s "http://127.0.0.1:$(api_port "$NL")/journal" |
  awk -v out="$DIR/journal_promote.txt" '/^# pgha decision journal/ {keep = 0; buf = ""}
    {buf = buf $0 "\n"} /^expect: promote/ {keep = 1}
    /^reason:/ && keep && !done {printf "%s", buf > out; done = 1}'
check "[1] $NL's journal holds its promotion" grep -q "^expect: promote" "$DIR/journal_promote.txt"
check "[1] the promotion replays to the same decision" "$SCENARIO_RUNNER" "$DIR/journal_promote.txt"
why_explains() {  # MEMBER: the decision with its time, the reason, and the inputs
  "$PGHACTL" "${CTL_TARGET[@]}" why "$1" >"$DIR/why_$1.txt" 2>&1 &&
    grep -q "^$1 at 20[0-9-]*T[0-9:.]*+00:00: " "$DIR/why_$1.txt" &&
    grep -q "^  reason: " "$DIR/why_$1.txt" && grep -q "^  leader key: $NL" "$DIR/why_$1.txt" &&
    grep -q "^  this node:  PostgreSQL" "$DIR/why_$1.txt"
}
for m in $(list_json | jq -r '.[] | select(.State != "stopped") | .Member' | grep -vx "$L"); do
  check "[1] pghactl why $m names its decision, time and inputs" wait_for 10 why_explains "$m"
  sed 's/^/    /' "$DIR/why_$m.txt"
done
check "[1] writes resume through the write port" wait_for 30 has_n_acks_after "$t1" 5
stop_writer
echo "    write outage after node death: $(max_gap_after "$t0") s"
# Replication is asynchronous here: only writes acknowledged in the instant before the kill (not
# yet streamed) may be missing; anything older, or anything after the failover, is a bug.
lost=$(lost_ids "$t0")
echo "    acknowledged: $(acks); missing (id@seconds from kill): ${lost:-none}"
late_or_old=$(for x in $lost; do t=${x#*@}; [ "$(echo "$t < -0.5 || $t > 0" | bc)" = 1 ] && echo "$x"; done)
check "[1] no acknowledged write lost beyond the async window" test -z "$late_or_old"
"$PGHACTL" local start "$L" --dir "$CL" >/dev/null
check "[1] old primary $L rejoins and streams" wait_for 60 streaming "$L"
echo "    $L's rejoin, from its log:"
grep -E "rewind|clon|starting as|moved aside|following" "$CL/$L/pgha.log" | tail -6 | sed 's/^/      /'
check "[1] $L rejoined (pg_rewind, or followed directly when nothing diverged)" \
  grep -qE "pg_rewind from .* done|starting as a replica of leader" "$CL/$L/pgha.log"

# 2. PostgreSQL crash, agent alive ---------------------------------------------------------------
L=$(leader); tl=$(timeline_of "$L")
start_writer "$W" "$DIR/w2.log"
wait_for 20 test -s "$DIR/w2.log"
t0=$(epoch)
kill -9 "$(head -1 "$CL/$L/data/postmaster.pid")"
leaders_seen=$(for _ in $(seq 1 15); do leader; sleep 0.2; done | sort -u | tr '\n' ' ')
check "[2] writes resume after the PostgreSQL crash" wait_for 30 has_acks_after "$t0"
stop_writer
echo "    write outage after PostgreSQL crash: $(max_gap_after "$t0") s"
check "[2] no failover: $L still leads (seen: $leaders_seen)" test "$(leader)" = "$L" -a "$leaders_seen" = "$L "
check "[2] same timeline after restart in place" test "$(timeline_of "$L")" = "$tl"
check "[2] no acknowledged write lost" test "$(lost_acks)" = 0

# 3. Agent killed, PostgreSQL left running ---------------------------------------------------------
L=$(leader); P=$(pg_port "$L"); tl=$(timeline_of "$L")
# What a primary fenced right after promoting leaves behind: its claim on /pgha_timeline, and no
# /history entry. The next promotion must take a higher number (docs/safety.md).
etcd_ctl put /service/itfail/pgha_timeline "{\"timeline\":$((tl + 2)),\"member\":\"ghost\"}" >/dev/null
start_writer "$P" "$DIR/w3.log"  # straight to the old primary, not through HAProxy
wait_for 20 test -s "$DIR/w3.log"
kill -9 "$(cat "$CL/pids/$L.pid")"
check "[3] a new primary after kill -9 of $L's agent" wait_for 30 new_leader_other_than "$L"
N=$(leader)
check "[3] $N promoted past the claimed timeline numbers, to $((tl + 3))" \
  wait_for 10 on_timeline "$N" $((tl + 3))
check "[3] /pgha_timeline holds $N's claim" test "$(etcd_ctl get --print-value-only \
  /service/itfail/pgha_timeline | jq -c .)" = "{\"member\":\"$N\",\"timeline\":$((tl + 3))}"
skipped=$(curl -s "http://127.0.0.1:$(api_port "$N")/history" | jq -c "[.[] | select(.[0] > $tl) | .[0]]")
check "[3] /history names the skipped numbers $((tl + 1)) and $((tl + 2)) (got $skipped)" \
  test "$skipped" = "[$((tl + 1)),$((tl + 2))]"
check "[3] old PostgreSQL stops accepting writes" wait_for 20 bash -c "! psql -X -q -h 127.0.0.1 -p $P -U app -d appdb -c 'INSERT INTO acks VALUES (-1)' 2>/dev/null"
stop_writer
promoted=$(curl -s "http://127.0.0.1:$(api_port "$N")/history" | jq -r '.[-1][3]')
promoted_at=$(date -d "$promoted" +%s.%N)
last_old=$(last_ack)
echo "    last write on old primary $L: $last_old; $N promoted at $promoted_at"
check "[3] no write on the old primary after the new promotion" \
  test "$(echo "$last_old < $promoted_at" | bc)" = 1
"$PGHACTL" local start "$L" --dir "$CL" >/dev/null
check "[3] $L rejoins and streams" wait_for 60 streaming "$L"
for m in node1 node2 node3; do
  [ "$m" = "$N" ] || check "[3] $m streams on timeline $((tl + 3))" wait_for 30 streams_on "$m" $((tl + 3))
done

# 4. etcd majority lost ----------------------------------------------------------------------------
L=$(leader); tl=$(timeline_of "$L")
start_writer "$W" "$DIR/w4.log"
wait_for 20 test -s "$DIR/w4.log"
kill -STOP "$(cat "$CL/pids/etcd2.pid")" "$(cat "$CL/pids/etcd3.pid")"
t0=$(epoch)
writes_stopped() { [ "$(acks_after "$(echo "$(epoch) - 1" | bc)")" = 0 ]; }
wait_for $((TTL + 5)) writes_stopped
stopped_after=$(echo "$(last_ack) - $t0" | bc)
echo "    last write $stopped_after s after etcd lost its majority"
check "[4] primary stopped accepting writes before ttl ($TTL s)" test "$(echo "$stopped_after < $TTL" | bc)" = 1
promoted=0
for _ in $(seq 1 $((TTL * 5))); do  # bounded observation: nobody else may become primary
  for n in node1 node2 node3; do
    [ "$n" = "$L" ] && continue
    [ "$(curl -s -m 1 "http://127.0.0.1:$(api_port "$n")/patroni" | jq -r .role)" = primary ] && promoted=1
  done
  sleep 0.2
done
check "[4] no promotion anywhere while etcd has no majority" test "$promoted" = 0
kill -CONT "$(cat "$CL/pids/etcd2.pid")" "$(cat "$CL/pids/etcd3.pid")"
t1=$(epoch)
check "[4] writes resume once etcd is back" wait_for 60 has_acks_after "$t1"
stop_writer
check "[4] exactly one leader after the outage" test "$(list_json | jq '[.[] | select(.Role == "Leader")] | length')" = 1
check "[4] no acknowledged write lost" test "$(lost_acks)" = 0

# 5. One etcd member down -----------------------------------------------------------------------------
L=$(leader)
check "replicas streaming again" wait_for 60 bash -c "[ \$($PGHACTL --dir $CL list -f json | jq '[.[] | select(.State == \"streaming\")] | length') = 2 ]"
start_writer "$W" "$DIR/w5.log"
wait_for 20 test -s "$DIR/w5.log"
kill -9 "$(cat "$CL/pids/etcd1.pid")"
t0=$(epoch)
leaders_seen=$(for _ in $(seq 1 $((TTL * 5))); do leader; sleep 0.2; done | sort -u | tr '\n' ' ')
check "[5] no failover with etcd member m1 down (leaders seen: $leaders_seen)" test "$leaders_seen" = "$L "
check "[5] writes continue" has_acks_after "$(echo "$t0 + $TTL" | bc)"
stop_writer
check "[5] no acknowledged write lost" test "$(lost_acks)" = 0

# 6. Whole cluster killed and restarted --------------------------------------------------------------
"$PGHACTL" local kill node3 --dir "$CL" >/dev/null  # node3 falls behind
L=$(leader)
# Through the write port, which may be between checks right after the kill: retry until it works.
check "[6] 100 more rows written" wait_for 20 sql "$W" \
  "INSERT INTO acks SELECT g FROM generate_series(100001, 100100) g ON CONFLICT DO NOTHING"
# The count through the write port too: a read can also fall between two of HAProxy's checks.
count_rows() { rows=$(sql "$W" "SELECT count(*) FROM acks"); [ -n "$rows" ]; }
rows=""
check "[6] the row count read before the kill" wait_for 20 count_rows
for n in node1 node2; do "$PGHACTL" local kill "$n" --dir "$CL" >/dev/null; done
for j in 1 2 3; do kill -9 "$(cat "$CL/pids/etcd$j.pid")" 2>/dev/null; done
kill -9 "$(cat "$CL/pids/haproxy.pid")" 2>/dev/null
# SIGKILL is delivered, not awaited: until they are gone their ports are taken (zombies hold none).
killed_gone() {
  local f p
  for f in etcd1 etcd2 etcd3 haproxy; do
    p=$(cat "$CL/pids/$f.pid")
    [ -d "/proc/$p" ] && ! grep -q ') Z ' "/proc/$p/stat" 2>/dev/null && return 1
  done
  return 0
}
wait_for 10 killed_gone
check "[6] local up after the whole cluster was killed" "$PGHACTL" local up --dir "$CL" -f "$DIR/cluster.yaml"
check "[6] all rows are back ($rows)" test "$(sql "$W" "SELECT count(*) FROM acks")" = "$rows"
check "[6] the lagging node3 does not lead" test "$(leader)" != node3 -a -n "$(leader)"

finish
