#!/usr/bin/env bash
# `pghactl gen` (deploying on hosts under systemd): from the seed's values file and a host list it
# writes, per host, pgha.yml, pgha.service and etcd.env, plus haproxy.cfg, init.sql and the
# passwords (cluster.json). Checks:
#   1. every pgha.yml passes `pgha --validate-config` (names, types, PostgreSQL parameters)
#   2. every pgha.service passes `systemd-analyze verify` (Type=notify, ExecReload=SIGHUP);
#      haproxy.cfg passes `haproxy -c`
#   3. a second gen into the same directory keeps every password
#   4. bad input is refused (exit 1, naming the bad value) and writes nothing
#   5. --compose writes a compose project (tests/deploy/compose_test.sh runs one)
# No cluster is started: the addresses are not this machine's.
source "$(dirname "$0")/lib.sh"
require_commands systemd-analyze haproxy jq
D=$(mktemp -d /var/tmp/pgha-it-gen.XXXXXX)
chmod 0755 "$D"
trap 'rm -rf "$D"' EXIT
cat >"$D/values.yaml" <<'YAML'
name: orders
replicas: 3
postgres: {username: shop, password: shop-secret, database: orders}
resources: {cpu: 2, memory: 4Gi}
internal_access: {type: same-gvc}
YAML
gen() { "$PGHACTL" gen -f "$D/values.yaml" --pgha-bin "$BIN/pgha" "$@"; }
HOSTS=db1=10.20.0.11,db2=10.20.0.12,db3=10.20.0.13
gen --hosts "$HOSTS" --out "$D/out" --clients 10.30.0.0/16 >"$D/gen.log" 2>&1
check "gen exits 0" test $? = 0
sed 's/^/    /' "$D/gen.log" | tail -3
for h in db1 db2 db3; do
  check "[1] $h/pgha.yml passes pgha --validate-config" "$BIN/pgha" --validate-config "$D/out/$h/pgha.yml"
  check "[1] $h/pgha.yml is 0600 (it holds passwords)" test "$(stat -c %a "$D/out/$h/pgha.yml")" = 600
  check "[1] $h publishes its own address" grep -q "connect_address: \"10.20.0.1${h#db}:8008\"" "$D/out/$h/pgha.yml"
  check "[2] $h/pgha.service passes systemd-analyze verify" systemd-analyze verify "$D/out/$h/pgha.service"
  check "[2] $h's etcd.env names every member" grep -q "^ETCD_INITIAL_CLUSTER=db1=http://10.20.0.11:2380,db2=http://10.20.0.12:2380,db3=http://10.20.0.13:2380$" "$D/out/$h/etcd.env"
done
check "[2] the unit is Type=notify and reloads with SIGHUP" sh -c \
  "grep -qx 'Type=notify' '$D/out/db1/pgha.service' && grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$D/out/db1/pgha.service'"
check "[2] haproxy.cfg passes haproxy -c" haproxy -c -q -f "$D/out/haproxy.cfg"
check "[2] haproxy.cfg routes to every host" test "$(grep -c 'server db[123] 10.20.0.1[123]:5432' "$D/out/haproxy.cfg")" = 6
check "[2] pg_hba admits --clients" grep -q 'host all all 10.30.0.0/16 scram-sha-256' "$D/out/db1/pgha.yml"
check "[2] init.sql creates the application role and database" sh -c \
  "grep -q 'CREATE ROLE \"shop\" LOGIN PASSWORD '\\''shop-secret'\\''' '$D/out/init.sql' && grep -q 'CREATE DATABASE \"orders\" OWNER \"shop\"' '$D/out/init.sql'"
check "[2] internal_access is reported, not silently dropped" grep -q "internal_access" "$D/gen.log"
SU=$(jq -r .superuser.password "$D/out/cluster.json")
gen --hosts "$HOSTS" --out "$D/out" >/dev/null 2>&1
check "[3] a second gen keeps the superuser password" test "$(jq -r .superuser.password "$D/out/cluster.json")" = "$SU"
check "[3] ... and writes it into pgha.yml" grep -q "$SU" "$D/out/db2/pgha.yml"
refused() {  # refused "what the message must say" gen-arguments...
  local want=$1; shift
  local out rc
  out=$("$PGHACTL" gen -f "$D/values.yaml" "$@" --out "$D/bad" 2>&1); rc=$?
  echo "    $out" | head -1
  [ "$rc" = 1 ] && grep -qF -- "$want" <<<"$out" && [ ! -e "$D/bad/cluster.json" ]
}
check "[4] a host named twice" refused "'db1' is named twice" --hosts db1=10.0.0.1,db1=10.0.0.2,db3=10.0.0.3
check "[4] an address given twice" refused "10.0.0.1 is given twice" --hosts a=10.0.0.1,b=10.0.0.1,c=10.0.0.3
check "[4] not an IPv4 address" refused "'10.0.0.300' (for b) is not an IPv4 address" --hosts a=10.0.0.1,b=10.0.0.300,c=10.0.0.3
check "[4] replicas and hosts disagree" refused "replicas is 3 but --hosts names 2" --hosts a=10.0.0.1,b=10.0.0.2
check "[4] a bad client network" refused "'10.30.0.0/33' is not an IPv4 CIDR" --hosts "$HOSTS" --clients 10.30.0.0/33
check "[4] an unsupported major" refused "--pg-major: 11 is not supported" --hosts "$HOSTS" --pg-major 11
check "[4] a relative binary path" refused "--pgha-bin: 'pgha' must be an absolute path" --hosts "$HOSTS" --pgha-bin pgha
check "[4] neither --hosts nor --compose" refused "--hosts NAME=ADDRESS,... (or --compose) is required"
check "[4] --hosts with --compose" refused "--hosts and --compose: choose one" --compose --hosts "$HOSTS"
check "[4] --clients with --compose" refused "--clients is for hosts" --compose --clients 10.30.0.0/16
check "[4] a compose subnet too small" refused "--subnet: '10.1.0.0/28' is too small" --compose --subnet 10.1.0.0/28
# --compose writes the project: docker-compose.yml, .env (0600), haproxy.cfg, one etcd.env per member.
"$PGHACTL" gen -f "$D/values.yaml" --compose --out "$D/compose" >/dev/null 2>&1
check "[5] --compose writes docker-compose.yml with a node per replica" \
  bash -c "grep -c '^  node[0-9]:' '$D/compose/docker-compose.yml' | grep -qx 3"
check "[5] ... the passwords go to .env, mode 0600" test "$(stat -c %a "$D/compose/.env")" = 600
check "[5] ... and only there" bash -c "! grep -q \"\$(jq -r .superuser.password '$D/compose/cluster.json')\" '$D/compose/docker-compose.yml'"
check "[5] ... its haproxy.cfg passes haproxy -c" haproxy -c -q -f "$D/compose/haproxy.cfg"
check "[5] ... haproxy.cfg points at the nodes' fixed addresses" grep -q "server node1 172.28.89.11:5432" "$D/compose/haproxy.cfg"
finish
