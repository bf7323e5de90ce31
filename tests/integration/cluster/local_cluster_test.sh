#!/usr/bin/env bash
# End to end: `pghactl local up` -> write through the write port, read back from a replica
# through the read port; health endpoints; `pghactl list` and Debian's `patronictl` agree;
# `local down` leaves nothing running; `local up` again brings the same data back.
source "$(dirname "$0")/lib.sh"

DIR=$(mktemp -d /var/tmp/pgha-it-local.XXXXXX)
chmod 0755 "$DIR"
NAME=itlocal
W=25432; R=25433; S=27000; PG=25440; API=28008; EC=22379; EP=22380
cat > "$DIR/cluster.yaml" <<YAML
name: $NAME
replicas: 3
postgres: {username: app, password: apppw, database: appdb}
etcd: {replicas: 3}
resources: {cpu: 1, memory: 512Mi}
ports: {write: $W, read: $R, stats: $S, postgres: $PG, api: $API, etcd_client: $EC, etcd_peer: $EP}
YAML
cleanup() {
  "$PGHACTL" local destroy --dir "$DIR/cluster" --force >/dev/null 2>&1
  rm -rf "$DIR"
}
trap cleanup EXIT
CL="$DIR/cluster"
export PGPASSWORD=apppw PGCONNECT_TIMEOUT=5

check "local up succeeds" "$PGHACTL" local up --dir "$CL" -f "$DIR/cluster.yaml"

q() { psql -X -A -t -h 127.0.0.1 -p "$1" -U app -d appdb -c "$2" 2>&1; }
check "write through the write port" \
  bash -c "psql -X -q -h 127.0.0.1 -p $W -U app -d appdb -c 'CREATE TABLE t(id int); INSERT INTO t VALUES (42)'"
replica_has_row() { [ "$(q $R 'SELECT id FROM t')" = "42" ]; }
check "row visible through the read port" wait_for 20 replica_has_row
check "read port reaches a replica" test "$(q $R 'SELECT pg_is_in_recovery()')" = "t"
check "write port reaches the primary" test "$(q $W 'SELECT pg_is_in_recovery()')" = "f"

# Passwords stay out of postgresql.conf: a replica's primary_conninfo names a passfile (0600).
no_inline_password() {
  local conf pass n=0
  for conf in "$CL"/*/data/postgresql.conf; do
    grep -q "^primary_conninfo" "$conf" || continue
    grep "^primary_conninfo" "$conf" | grep -q "password=" && { echo "password in $conf"; return 1; }
    pass=$(grep "^primary_conninfo" "$conf" | sed -n "s/.*passfile=''\([^']*\)''.*/\1/p")
    [ -n "$pass" ] && [ "$(stat -c %a "$pass")" = 600 ] && grep -q ":replicator:" "$pass" ||
      { echo "no usable passfile for $conf: '$pass'"; return 1; }
    n=$((n + 1))
  done
  [ "$n" = 2 ]
}
check "replicas stream with the password in a passfile, not in postgresql.conf" no_inline_password

code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2"; }
primaries=0; replicas=0
for i in 0 1 2; do
  [ "$(code $((API + i)) /primary)" = 200 ] && primaries=$((primaries + 1))
  [ "$(code $((API + i)) /replica)" = 200 ] && replicas=$((replicas + 1))
done
check "/primary is 200 on exactly one node" test "$primaries" = 1
check "/replica is 200 on exactly two nodes" test "$replicas" = 2

list_json() { "$PGHACTL" --dir "$CL" list -f json; }
list_ready() {
  local j; j=$(list_json) || return 1
  [ "$(jq '[.[] | select(.Role == "Leader")] | length' <<<"$j")" = 1 ] &&
  [ "$(jq '[.[] | select(.State == "streaming" and ."Receive Lag" == 0 and ."Replay Lag" == 0)] | length' <<<"$j")" = 2 ]
}
check "pghactl list: one leader, two streaming replicas with lag 0" wait_for 20 list_ready

pgha_roles=$(list_json | jq -r '.[] | "\(.Member) \(.Role)"' | sort)
# patronictl 3.0.2 has no etcd3:// URL scheme: give it a minimal Patroni config instead.
printf 'scope: %s\nnamespace: /service\netcd3:\n  hosts: 127.0.0.1:%s\n' "$NAME" "$EC" > "$DIR/patronictl.yml"
patroni_roles=$(patronictl -c "$DIR/patronictl.yml" list -f json 2>/dev/null |
  jq -r '.[] | "\(.Member) \(.Role)"' | sort)
check "patronictl lists the same members and roles" test -n "$patroni_roles" -a "$pgha_roles" = "$patroni_roles"
echo "pghactl:   $(tr '\n' ';' <<<"$pgha_roles")"
echo "patronictl: $(tr '\n' ';' <<<"$patroni_roles")"

check "local down succeeds" "$PGHACTL" local down --dir "$CL"
# Match the cluster's own programs only (not this script, whose arguments also name $CL).
no_leftovers() { ! pgrep -a -f "^[^ ]*(etcd|pgha|haproxy|postgres) .*$CL"; }
check "no process of the cluster is left" no_leftovers

check "local up again succeeds" "$PGHACTL" local up --dir "$CL" -f "$DIR/cluster.yaml"
check "data survived the restart" test "$(q $W 'SELECT id FROM t')" = "42"
check "row visible on a replica after restart" wait_for 20 replica_has_row

finish
