#!/usr/bin/env bash
# postgresql.pre_promote and postgresql.before_stop (agent/hooks.cc) on real processes:
#   1. a pre_promote that fails cancels the promotion of a switchover candidate: it gives the key
#      up, drops the request, and another member leads; the candidate never ran as primary
#   2. a pre_promote that succeeds lets the switchover through
#   3. before_stop runs before a planned stop: the switchover away from that member
#   4. a post_bootstrap that fails: the agent of a new cluster (same etcd) moves its data
#      directory aside once, releases the initialize key and exits non-zero, as Patroni
source "$(dirname "$0")/lib.sh"
start_cluster ithooks 17000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
sql "$W" "CREATE TABLE t(id int)"
L=$(leader)
Y=$(list_json | jq -r --arg l "$L" '[.[] | select(.Member != $l)][0].Member')
MARK="$CL/$Y/before_stop.marker"  # the agents run as postgres: a file in the member's directory
# Gives Y the hooks: its agent reads its file again when it starts.
set_hooks() {  # PRE_PROMOTE
  local conf="$CL/$Y/pgha.yml"
  sed -i '/^  pre_promote:/d; /^  before_stop:/d' "$conf"
  sed -i "/^postgresql:/a\\  pre_promote: $1\\n  before_stop: touch $MARK" "$conf"
  "$PGHACTL" local stop "$Y" --dir "$CL" >/dev/null
  "$PGHACTL" local start "$Y" --dir "$CL" >/dev/null
}
writes() { psql -X -q -h 127.0.0.1 -p "$W" -U app -d appdb -c "INSERT INTO t VALUES (1)" 2>/dev/null; }

set_hooks /bin/false
check "[1] $Y streams again with its hooks" wait_for 60 streaming "$Y"
"$PGHACTL" --dir "$CL" switchover ithooks --leader "$L" --candidate "$Y" --force >"$DIR/sw1.log" 2>&1
cancelled() { grep -q "promotion cancelled because the pre_promote script failed" "$CL/$Y/pgha.log"; }
check "[1] $Y's failing pre_promote cancelled its promotion" wait_for 30 cancelled
leads_other() { local l; l=$(leader); [ -n "$l" ] && [ "$l" != "$Y" ]; }
check "[1] another member leads" wait_for 60 leads_other
check "[1] $Y never ran as primary" bash -c "! grep -q 'promoted to primary' '$CL/$Y/pgha.log'"
check "[1] writes go through the write port" wait_for 30 writes

set_hooks /bin/true
check "[2] $Y streams with a pre_promote that succeeds" wait_for 60 streaming "$Y"
L=$(leader)
"$PGHACTL" --dir "$CL" switchover ithooks --leader "$L" --candidate "$Y" --force >"$DIR/sw2.log" 2>&1
check "[2] the switchover to $Y goes through" wait_for 60 is_leader "$Y"
check "[2] writes go through the write port" wait_for 30 writes

rm -f "$MARK"
"$PGHACTL" --dir "$CL" switchover ithooks --leader "$Y" --force >"$DIR/sw3.log" 2>&1
check "[3] the switchover away from $Y goes through" wait_for 60 leads_other
check "[3] before_stop ran before $Y's planned stop" test -e "$MARK"
check "[3] $Y streams from the new leader" wait_for 60 streaming "$Y"

# A fourth agent, for a cluster of its own, made from node3's file.
PB="$CL/pb"
mkdir -m 0700 "$PB" && chown postgres:postgres "$PB"
sed -e "s|$CL/node3|$PB|g" -e "s|^scope: .*|scope: itpbfail|" -e "s|^name: .*|name: pb1|" \
    -e "s|127.0.0.1:$((PGP + 2))|127.0.0.1:$((PGP + 9))|g" \
    -e "s|127.0.0.1:$((API + 2))|127.0.0.1:$((API + 9))|g" "$CL/node3/pgha.yml" >"$PB/pgha.yml"
sed -i "/^bootstrap:/a\\  post_bootstrap: /bin/false" "$PB/pgha.yml"
chown postgres:postgres "$PB/pgha.yml"
timeout 120 runuser -u postgres -- "$BIN/pgha" "$PB/pgha.yml" >"$PB/out.log" 2>&1
rc=$?
check "[4] the agent exits non-zero after the failed post_bootstrap (rc $rc)" test "$rc" = 1
check "[4] it says why" grep -q "failed to bootstrap the cluster: post_bootstrap /bin/false failed" "$PB/out.log"
check "[4] the initialize key is released" test -z "$(etcd_ctl get --print-value-only /service/itpbfail/initialize)"
check "[4] no data directory is left in place" test ! -e "$PB/data/PG_VERSION"
asides=$(find "$PB" -maxdepth 1 -name 'data?*' -type d | wc -l)
check "[4] the attempt's data directory was moved aside once ($asides)" test "$asides" = 1
finish
