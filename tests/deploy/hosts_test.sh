#!/usr/bin/env bash
# deploy/hosts end to end (issue 12): `pghactl gen` for three network-namespace hosts; each host
# gets its own /etc/pgha, /var/lib/pgha and /var/run/postgresql (a private mount namespace, as
# separate machines have), runs etcd as Debian's unit does (EnvironmentFile=/etc/default/etcd)
# and the agent exactly as the generated unit's ExecStartPre/ExecStart lines say, as its User=,
# with NOTIFY_SOCKET (Type=notify). Checks: systemd-analyze verify accepts the units, READY=1
# arrives, writes go through the generated haproxy.cfg, SIGHUP (the unit's ExecReload) applies a
# changed file, and the cluster fails over when the leader's host is cut off. Bounded; cleans up.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network and mount namespaces)"; exit 77; }
for c in etcd haproxy nft ip unshare setpriv curl jq psql systemd-analyze; do
  command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 77; }
done
if [ -z "${PGHA_FAULT_LOCKED:-}" ]; then  # one cluster test at a time (tests/fault's lock)
  export PGHA_FAULT_LOCKED=1
  exec flock /tmp/pgha-cluster.lock "$0" "$@"
fi
BIN=${PGHA_BIN_DIR:-$ROOT/build/src/bin}
NS_PREFIX=pd
source "$ROOT/tests/fault/net.sh"
DIR=$(mktemp -d /var/tmp/pgha-hosts.XXXXXX)
chmod 0755 "$DIR"
source "$ROOT/tests/deploy/lib.sh"
CREATED=()
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  for h in "${HOSTS[@]}"; do  # anything left in a host namespace (PostgreSQL, the guard)
    for p in $(ip netns pids "$(host_ns "$h")" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  done
  for p in $(ip netns pids "$CLIENT" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  sleep 0.5
  net_down
  for d in "${CREATED[@]}"; do rmdir "$d" 2>/dev/null; done
  rm -rf "$DIR"
}
trap cleanup EXIT
for d in /etc/pgha /var/lib/pgha; do  # mount points for the per-host directories
  [ -d "$d" ] || { mkdir -p "$d" && CREATED+=("$d"); }
done

net_up
ip netns exec "$SW" true || { echo "FAIL: namespaces"; exit 1; }
cat >"$DIR/values.yaml" <<'YAML'
replicas: 3
postgres:
  username: app
  password: app-secret
  database: app
internal_access: {type: same-gvc}
YAML
hosts=$(for h in "${HOSTS[@]}"; do printf '%s=%s,' "$h" "$(host_addr "$h")"; done)
check "pghactl gen for three hosts" "$BIN/pghactl" gen -f "$DIR/values.yaml" --hosts "${hosts%,}" \
  --out "$DIR/gen" --pgha-bin "$BIN/pgha" --clients "$CLIENT_ADDR/32"
units_verify() { local h; for h in "${HOSTS[@]}"; do
  cp "$DIR/gen/$h/pgha.service" "$DIR/pgha.service" && systemd-analyze verify "$DIR/pgha.service" || return 1
done; }
check "systemd-analyze verify accepts every generated unit" units_verify
unit_line() { sed -n "s/^$2=//p" "$DIR/gen/$1/pgha.service"; }  # HOST KEY
check "the unit is Type=notify, reloads with SIGHUP, restarts on failure" bash -c \
  "grep -qx 'Type=notify' '$DIR/gen/h1/pgha.service' && grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$DIR/gen/h1/pgha.service' && grep -qx 'Restart=on-failure' '$DIR/gen/h1/pgha.service'"

# A host: its own directories bind-mounted where the generated files say they live.
start_host() {  # HOST
  local h=$1 r=$DIR/$h user pre start
  mkdir -p "$r/etc" "$r/lib" "$r/run" "$r/etcd"
  install -m 0600 "$DIR/gen/$h/pgha.yml" "$r/etc/pgha.yml"
  user=$(unit_line "$h" User)
  chown "$user:" "$r/etc" "$r/etc/pgha.yml" "$r/lib" "$r/run"
  chmod 0700 "$r/lib"
  pre=$(unit_line "$h" ExecStartPre)
  start=$(unit_line "$h" ExecStart)
  # Type=notify: the agent's sd_notify messages land here.
  /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
s.settimeout(120)
with open(sys.argv[2], "a") as out:
    while True:
        try: msg = s.recv(4096).decode()
        except socket.timeout: break
        out.write(msg.replace("\n", " ") + "\n"); out.flush()
' "$r/notify.sock" "$r/notify.log" &
  PIDS+=($!)
  for _ in $(seq 50); do [ -S "$r/notify.sock" ] && break; sleep 0.1; done
  ip netns exec "$(host_ns "$h")" unshare -m --propagation private bash -c '
    r=$1 user=$2 pre=$3 start=$4
    mount --bind "$r/etc" /etc/pgha && mount --bind "$r/lib" /var/lib/pgha &&
      mount --bind "$r/run" /var/run/postgresql || exit 1
    cp "$r/../gen/$(basename "$r")/etcd.env" "$r/etcd.env"
    (set -a; . "$r/etcd.env"; ETCD_DATA_DIR=$r/etcd; exec etcd) >"$r/etcd.log" 2>&1 &
    as_user() { exec setpriv --reuid "$user" --regid "$user" --init-groups "$@"; }
    # ExecStartPre, then ExecStart, word-split as systemd does for these simple lines; the
    # agent'"'"'s pid is that of the process systemd would signal ($MAINPID)
    (as_user $pre) >"$r/pre.log" 2>&1 || { echo "ExecStartPre failed" >>"$r/pre.log"; exit 1; }
    NOTIFY_SOCKET=$r/notify.sock as_user $start >"$r/pgha.log" 2>&1 &
    echo $! >"$r/agent.pid"
    wait
  ' _ "$r" "$user" "$pre" "$start" &
  PIDS+=($!)
}
for h in "${HOSTS[@]}"; do start_host "$h"; done
ip netns exec "$CLIENT" haproxy -db -f "$DIR/gen/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
PIDS+=($!)

api() { ip netns exec "$CLIENT" curl -fsS -m 2 "http://$(host_addr "$1"):8008$2"; }
leader_of() { api "$1" /cluster | jq -r '.members[] | select(.role == "leader") | .name'; }
streaming() { [ "$(api "$1" /cluster | jq '[.members[] | select(.state == "streaming")] | length')" = 2 ]; }
check "the three hosts form a cluster: a leader, two streaming replicas (120 s)" wait_for 120 streaming h1
ready_all() { local h; for h in "${HOSTS[@]}"; do grep -q 'READY=1' "$DIR/$h/notify.log" || return 1; done; }
check "every agent sent READY=1 to NOTIFY_SOCKET" wait_for 10 ready_all
PW=$(jq -r '.superuser.password' "$DIR/gen/cluster.json")
[ -n "$PW" ] || PW=$(sed -n 's/^ *password: //p' "$DIR/gen/h1/pgha.yml" | head -1)
lb() { ip netns exec "$CLIENT" env PGPASSWORD="$PW" PGCONNECT_TIMEOUT=2 psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -qtAX -c "$2"; }
check "a write through the generated haproxy.cfg (5432)" wait_for 20 lb 5432 "CREATE TABLE IF NOT EXISTS t (id int); INSERT INTO t VALUES (1)"
read_r() { [ "$(lb 5433 "SELECT count(*) FROM t WHERE id = 1")" = 1 ]; }
check "read back through 5433" wait_for 20 read_r
# internal_access: PostgreSQL listens on the host's address and loopback, not every interface.
listens() { local got; got=$(ip netns exec "$(host_ns h1)" ss -Hltn 'sport = :5432' | awk '{print $4}' | sort | tr '\n' ' ')
  [ "$got" = "$(host_addr h1):5432 127.0.0.1:5432 " ] || { echo "h1 listens on: $got"; return 1; }; }
check "internal_access: h1's PostgreSQL listens on its address and 127.0.0.1 only" listens

# SIGHUP (ExecReload) applies a changed file: h2 gets a tag.
sed -i 's/^tags: {}$/tags: {nofailover: true}/' "$DIR/h2/etc/pgha.yml"
grep -q '^tags: {nofailover: true}$' "$DIR/h2/etc/pgha.yml" || log "FAIL: no 'tags: {}' line in h2's pgha.yml to change"
kill -HUP "$(cat "$DIR/h2/agent.pid")"
tagged() { api h2 /patroni | jq -e '.tags.nofailover == true'; }
check "SIGHUP applies a changed pgha.yml (h2 reports nofailover)" wait_for 20 tagged
alive_h2() { kill -0 "$(cat "$DIR/h2/agent.pid")"; }
check "the agent is still running after SIGHUP" alive_h2

# The leader's host cut off (every packet dropped): another host takes over, writes resume.
L=$(leader_of h1)
O=h1; [ "$L" = h1 ] && O=h2
[ "$O" = h2 ] && [ "$L" != h3 ] && O=h3  # h2 may not be promoted (nofailover): ask a host that may
log "leader $L; cutting its host off"
chaos_isolate "$L"
new_leader() { local l; l=$(leader_of "$O") && [ -n "$l" ] && [ "$l" != "$L" ]; }
check "a host that may be promoted takes over after $L is cut off" wait_for 60 new_leader
check "writes resume through 5432" wait_for 30 lb 5432 "INSERT INTO t VALUES (2)"
chaos_clear "$L"
rejoined() { api "$L" /patroni | jq -e '.role == "replica" and .state == "running"'; }
check "$L rejoins as a replica once its network is back" wait_for 90 rejoined
clean_demote() { grep -q "demoting: DCS is not accessible" "$DIR/$L/pgha.log" && ! grep -q "PostgreSQL fenced" "$DIR/$L/pgha.log"; }
check "$L stopped its primary itself before its lease ran out (not the guard's kill)" clean_demote

if [ "$FAILS" -gt 0 ]; then
  for h in "${HOSTS[@]}"; do echo "--- $h pgha.log (tail)"; tail -15 "$DIR/$h/pgha.log"; done
fi
finish hosts_test
