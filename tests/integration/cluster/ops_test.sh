#!/usr/bin/env bash
# Issue 4 operations on real processes, through pghactl, curl and Debian's patronictl:
#   1. edit-config -s / -p change /config; show-config and GET /config show it; CAS conflict 409
#   2. REST refusals: malformed JSON, unknown candidate, switchover to self, bad schedule,
#      bad restart filter, wrong method — and none of them changes a role
#   3. pause --wait (members publish pause, list shows maintenance mode), resume --wait
#   4. scheduled switchover: 202, shown by list, cancelled by flush (DELETE /switchover)
#   5. switchover and failover via pghactl, switchover via patronictl -c patroni.yml --force
# The role changes (5) need the agent side of issue 4; without it they are reported as skipped.
source "$(dirname "$0")/lib.sh"
SKIPPED=0
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip: $*"; }

# Ports below the ephemeral range (32768+) so that no client socket can hold them.
start_cluster itops 14000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
ctl() { "$PGHACTL" --dir "$CL" "$@"; }
A1="http://127.0.0.1:$API"
code() { curl -s -o "$DIR/body" -w '%{http_code}' "$@"; }
body_has() { grep -q -- "$1" "$DIR/body"; }
config_value() { curl -s "$A1/config" | jq -c "$1"; }
L0=$(leader)
check "a leader before the operations" test -n "$L0"

# 1. Dynamic configuration ----------------------------------------------------------------------
check "[1] edit-config -s/-p --force" ctl edit-config --force -s loop_wait=2 -s ttl=6 -p work_mem=8MB
check "[1] /config has loop_wait 2" test "$(config_value .loop_wait)" = 2
check "[1] /config has work_mem 8MB" test "$(config_value .postgresql.parameters.work_mem)" = '"8MB"'
check "[1] show-config shows work_mem" sh -c "'$PGHACTL' --dir '$CL' show-config | grep -q 'work_mem: 8MB'"
check "[1] edit-config without a terminal and without --force refuses (exit 1)" \
  sh -c "! '$PGHACTL' --dir '$CL' edit-config -p work_mem=16MB </dev/null"
check "[1] ... and /config is unchanged" test "$(config_value .postgresql.parameters.work_mem)" = '"8MB"'
check "[1] -p param=null deletes" ctl edit-config --force -p work_mem=null
check "[1] work_mem gone" test "$(config_value .postgresql.parameters.work_mem)" = null
check "[1] PATCH /config merges (200)" test "$(code -XPATCH -d '{"postgresql":{"parameters":{"work_mem":"6MB"}}}' "$A1/config")" = 200
check "[1] PATCH answer is the new config" body_has '"work_mem":"6MB"'
check "[1] PUT /config with a non-object: 400" test "$(code -XPUT -d '[1]' "$A1/config")" = 400
check "[1] PATCH /config with malformed JSON: 400" test "$(code -XPATCH -d '{"pause":' "$A1/config")" = 400
# A CAS conflict: two writers race PATCH requests; every answer is 200 or 409, never a lost write.
for i in $(seq 1 12); do
  curl -s -o /dev/null -w '%{http_code}\n' -XPATCH -d "{\"x$i\":$i}" "$A1/config" &
done >"$DIR/patch_codes"
wait
check "[1] concurrent PATCHes answer 200 or 409" sh -c "! grep -qv -e 200 -e 409 '$DIR/patch_codes'"
n200=$(grep -c 200 "$DIR/patch_codes"); nkeys=$(curl -s "$A1/config" | jq '[keys[] | select(startswith("x"))] | length')
check "[1] every 200 PATCH is in /config ($n200 accepted, $nkeys present)" test "$n200" = "$nkeys"
echo "    concurrent PATCH answers: $(sort "$DIR/patch_codes" | uniq -c | tr '\n' ' ')"

# 2. Refusals ----------------------------------------------------------------------------------
refused() {  # refused CODE METHOD PATH BODY
  local got; got=$(code -X"$2" -d "$4" "$A1$3")
  [ "$got" = "$1" ] || { echo "    $2 $3 $4 -> $got $(cat "$DIR/body")"; return 1; }
}
check "[2] switchover with malformed JSON: 400" refused 400 POST /switchover '{"leader":'
check "[2] switchover without leader: 400" refused 400 POST /switchover '{"candidate":"node2"}'
check "[2] switchover from a non-leader: 412" refused 412 POST /switchover '{"leader":"node9"}'
check "[2] switchover to an unknown candidate: 412" refused 412 POST /switchover "{\"leader\":\"$L0\",\"candidate\":\"node9\"}"
check "[2] switchover to the leader itself: 400" refused 400 POST /switchover "{\"leader\":\"$L0\",\"candidate\":\"$L0\"}"
check "[2] candidate of the wrong type: 400" refused 400 POST /switchover "{\"leader\":\"$L0\",\"candidate\":[1]}"
check "[2] schedule in the past: 422" refused 422 POST /switchover "{\"leader\":\"$L0\",\"scheduled_at\":\"2020-01-01T00:00Z\"}"
check "[2] schedule without time zone: 400" refused 400 POST /switchover "{\"leader\":\"$L0\",\"scheduled_at\":\"2099-01-01T00:00\"}"
check "[2] failover without candidate: 400" refused 400 POST /failover "{\"leader\":\"$L0\"}"
check "[2] restart with a bad role: 400" refused 400 POST /restart '{"role":"boss"}'
check "[2] restart with a bad version: 400" refused 400 POST /restart '{"postgres_version":"15"}'
check "[2] restart with a bad timeout: 400" refused 400 POST /restart '{"timeout":-1}'
check "[2] restart with an unknown filter: 400" refused 400 POST /restart '{"colour":"red"}'
check "[2] POST /config (wrong method): 501" refused 501 POST /config '{}'
check "[2] no switchover is scheduled: DELETE 404" refused 404 DELETE /switchover ''
check "[2] an unknown pghactl command is named, exit 2" sh -c "'$PGHACTL' frobnicate 2>'$DIR/err'; [ \$? = 2 ] && grep -q \"No such command 'frobnicate'\" '$DIR/err'"
check "[2] pghactl switchover to an unknown member exits 1" sh -c "! '$PGHACTL' --dir '$CL' switchover --candidate node9 --force"
check "[2] pghactl with a bad option exits 2" sh -c "'$PGHACTL' --dir '$CL' switchover --bogus; test \$? = 2"
check "[2] the leader is unchanged after the refusals" test "$(leader)" = "$L0"

# 3. Maintenance mode ----------------------------------------------------------------------------
check "[3] pause --wait" ctl pause --wait
all_paused() { [ "$(list_json | jq '[.[] ] | length')" -gt 0 ] && ctl list -f json >/dev/null && \
  for p in $(seq 0 2); do curl -s "http://127.0.0.1:$((API + p))/patroni" | jq -e '.pause == true' >/dev/null || return 1; done; }
check "[3] every member reports pause in /patroni" all_paused
check "[3] list shows maintenance mode" sh -c "'$PGHACTL' --dir '$CL' list | grep -q 'Maintenance mode: on'"
check "[3] pause again is refused (exit 1)" sh -c "! '$PGHACTL' --dir '$CL' pause"
check "[3] resume --wait" ctl resume --wait
check "[3] pause is gone from /config" test "$(config_value .pause)" = null

# 4. Scheduled switchover ------------------------------------------------------------------------
check "[4] scheduled switchover: 202" refused 202 POST /switchover "{\"leader\":\"$L0\",\"scheduled_at\":\"2099-01-01T00:00:00+00:00\"}"
check "[4] list shows the scheduled switchover" sh -c "'$PGHACTL' --dir '$CL' list | grep -q 'Switchover scheduled at: 2099-01-01'"
check "[4] flush switchover cancels it" sh -c "'$PGHACTL' --dir '$CL' flush itops switchover --force | grep -q 'scheduled switchover deleted'"
check "[4] nothing scheduled any more" refused 404 DELETE /switchover ''

CUR=$(leader)
HUP_Q=$(for n in node1 node2 node3; do [ "$n" != "$CUR" ] && { echo "$n"; break; }; done)
# 4a. pghactl query, as patronictl query --------------------------------------------------------
check "[4a] query -c on the leader: tsv with the column names" \
  test "$(ctl query -c "SELECT 1 AS one, NULL AS nothing")" = "$(printf 'one\tnothing\n1\tNone')"
check "[4a] query -m a replica runs there" \
  test "$(ctl query -m "$HUP_Q" --format json -c "SELECT pg_is_in_recovery() AS r")" = '[{"r":"t"}]'
check "[4a] query --format pretty draws the table" sh -c "'$PGHACTL' --dir '$CL' query --format pretty -c 'SELECT 2 AS two' | grep -q '^| two |'"
check "[4a] query with -c and -f: a usage error (2)" sh -c "'$PGHACTL' --dir '$CL' query -c 'SELECT 1' -f /dev/null; [ \$? = 2 ]"
check "[4a] query without SQL names what is missing" sh -c "'$PGHACTL' --dir '$CL' query 2>&1 | grep -q 'either --command or --file'"
check "[4a] a failing statement is an error naming it (1)" sh -c "'$PGHACTL' --dir '$CL' query -c 'SELECT nosuchcolumn' 2>&1 | grep -q 'nosuchcolumn'"

# 4b. SIGHUP reloads the configuration file (systemd's ExecReload), as POST /reload does ----------
HUP_NODE=$(for n in node1 node2 node3; do [ "$n" != "$L0" ] && { echo "$n"; break; }; done)
HUP_PID=$(cat "$CL/pids/$HUP_NODE.pid")
HUP_API="http://127.0.0.1:$((API + ${HUP_NODE#node} - 1))"
sed -i 's/^tags: {}$/tags:\n  rack: r2/' "$CL/$HUP_NODE/pgha.yml"
check "[4b] $HUP_NODE's file now has a tag" grep -q '^  rack: r2$' "$CL/$HUP_NODE/pgha.yml"
kill -HUP "$HUP_PID"
hup_tag() { [ "$(curl -s -m 2 "$HUP_API/patroni" | jq -r '.tags.rack')" = r2 ]; }
check "[4b] after SIGHUP $HUP_NODE publishes the tag from its file" wait_for 20 hup_tag
check "[4b] ... and its agent is still the same process" kill -0 "$HUP_PID"
check "[4b] ... and it logged the reload" grep -q 'received SIGHUP: reloading' "$CL/$HUP_NODE/pgha.log"

# 4c. A second agent under a running member's name is refused (Patroni refuses it too) ----------
# Same name and data directory as $HUP_NODE, another REST port: it must exit 1 before touching
# anything, and $HUP_NODE must go on as before.
sed -E "s/(listen|connect_address): \"?127.0.0.1:$((API + ${HUP_NODE#node} - 1))\"?/\1: 127.0.0.1:$((API + 50))/" \
  "$CL/$HUP_NODE/pgha.yml" >"$DIR/dup.yml"
chmod 644 "$DIR/dup.yml"
check "[4c] the copy listens elsewhere" grep -q "127.0.0.1:$((API + 50))" "$DIR/dup.yml"
timeout 60 setpriv --reuid=postgres --regid=postgres --init-groups -- "$BIN/pgha" "$DIR/dup.yml" \
  >"$DIR/dup.log" 2>&1
DUP_RC=$?
sed 's/^/    /' "$DIR/dup.log" | grep -i "already" | head -2
check "[4c] a second agent named $HUP_NODE exits 1" test "$DUP_RC" = 1
check "[4c] ... saying a node of that name is already running" \
  grep -q "Can't start; there is already a node named '$HUP_NODE' running" "$DIR/dup.log"
check "[4c] ... and $HUP_NODE's agent is untouched" kill -0 "$HUP_PID"
check "[4c] ... and still streams" wait_for 20 streaming "$HUP_NODE"

# 5. Switchover and failover (agent side of issue 4) ---------------------------------------------
cat >"$DIR/patronictl.yml" <<YAML
scope: itops
namespace: /service/
etcd3:
  hosts: 127.0.0.1:$EC
YAML
others() { list_json | jq -r --arg l "$(leader)" '.[] | select(.Member != $l) | .Member' | sort; }
streams_from() { [ "$(list_json | jq -r --arg m "$1" '.[] | select(.Member == $m) | .State')" = streaming ]; }
C1=$(others | head -1)
ino_before=$(stat -c %i "$CL/$L0/data/PG_VERSION" 2>/dev/null)
out=$(ctl switchover --candidate "$C1" --force 2>&1); rc=$?
echo "$out" | sed 's/^/    /' | grep -E "Successfully|failed|Error" || true
if [ $rc -ne 0 ] && echo "$out" | grep -q -e "status unknown" -e "not implemented"; then
  skip "switchover execution not implemented in the agent yet"
  skip "failover execution not implemented in the agent yet"
  skip "patronictl switchover (needs the agent side)"
else
  check "[5] pghactl switchover succeeded" test $rc -eq 0
  check "[5] $C1 leads after the switchover" wait_for 20 is_leader "$C1"
  check "[5] old leader $L0 streams from $C1 (no reinit)" wait_for 60 streams_from "$L0"
  check "[5] no reinit of $L0 (same data directory files)" test "$(stat -c %i "$CL/$L0/data/PG_VERSION")" = "$ino_before"
  C2=$(others | grep -v "$L0" | head -1)
  check "[5] pghactl failover to $C2" ctl failover --candidate "$C2" --force
  check "[5] $C2 leads after the failover" wait_for 20 is_leader "$C2"
  wait_for 60 sh -c "[ \$(list_json | jq '[.[] | select(.State == \"streaming\")] | length') = 2 ]"
  if command -v patronictl >/dev/null; then
    C3=$(others | head -1)
    check "[5] patronictl list sees the cluster" sh -c "patronictl -c '$DIR/patronictl.yml' list | grep -q '$C2'"
    check "[5] patronictl switchover --force to $C3" sh -c "patronictl -c '$DIR/patronictl.yml' switchover --force --candidate '$C3' | grep -q 'Successfully switched over'"
    check "[5] $C3 leads after patronictl's switchover" wait_for 20 is_leader "$C3"
    check "[5] patronictl edit-config -s changes /config" sh -c "patronictl -c '$DIR/patronictl.yml' edit-config --force -s ttl=7 >/dev/null && [ \$(curl -s '$A1/config' | jq .ttl) = 7 ]"
    check "[5] patronictl pause/resume" sh -c "patronictl -c '$DIR/patronictl.yml' pause --wait >/dev/null && patronictl -c '$DIR/patronictl.yml' resume --wait >/dev/null"
  else
    skip "patronictl not installed"
  fi
  check "[5] history lists the switchovers" sh -c "[ \$('$PGHACTL' --dir '$CL' history -f json | jq length) -ge 2 ]"
fi

# 6. Permanent slots (/config `slots`), as Patroni keeps them: on the leader and on every replica
# that may be promoted, the replicas' copies advanced to the positions the leader publishes in
# /status; removed from /config, they are dropped everywhere.
slot_on() { [ "$(sql "$(pg_port "$1")" "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$2'")" = "${3:-1}" ]; }
slot_everywhere() { local n; for n in node1 node2 node3; do slot_on "$n" "$@" || return 1; done; }
status_has() { etcd_ctl get --print-value-only /service/itops/status | jq -e "$1" >/dev/null; }
check "[6] PATCH /config adds a permanent physical slot (200)" test "$(code -XPATCH -d '{"slots":{"perm_phys":{"type":"physical"}}}' "$A1/config")" = 200
check "[6] perm_phys exists on the leader and both replicas" wait_for 20 slot_everywhere perm_phys
member_slots_everywhere() {
  local n m
  for n in node1 node2 node3; do
    for m in node1 node2 node3; do [ "$n" = "$m" ] || slot_on "$n" "$m" || return 1; done
  done
}
check "[6] every member keeps a slot for each other member" wait_for 20 member_slots_everywhere
check "[6] /status publishes perm_phys's position and the members' slots to retain" wait_for 20 status_has '(.slots | has("perm_phys")) and (.retain_slots | length) == 3'
check "[6] PATCH with an invalid slot name: 400 naming it" sh -c "[ \$(curl -s -o '$DIR/body' -w '%{http_code}' -XPATCH -d '{\"slots\":{\"Bad-Name\":{}}}' '$A1/config') = 400 ] && grep -q 'slots.Bad-Name' '$DIR/body'"
check "[6] removing it from /config (null) drops it everywhere" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -XPATCH -d '{\"slots\":{\"perm_phys\":null}}' '$A1/config') = 200 ]"
check "[6] ... gone from all three" wait_for 20 slot_everywhere perm_phys 0

echo "$SKIPPED skipped"
finish
