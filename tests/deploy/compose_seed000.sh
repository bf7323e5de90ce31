# Seed 000 (sourced by compose_test.sh): a values file in seed 000's format made into a compose
# project by `pghactl gen --compose`. resources become the containers' limits and PostgreSQL's
# memory settings, postgres.* the application's role and database (the init service, once),
# internal_access (a workload list) pg_hba's sources and HAProxy's admit list. The one workload
# is the Docker host: its published ports reach HAProxy from the network's gateway (.1).
G=$(mktemp -d /var/tmp/pgha-seed000.XXXXXX)
TMP_DIRS+=("$G")
cat >"$G/values.yaml" <<'YAML'
name: shop
replicas: 2
resources: {cpu: 500m, memory: 256Mi}
postgres: {username: shop, password: shop-pw, database: shop}
internal_access: {type: workload-list, workloads: [172.28.90.1]}
etcd:
  replicas: 1
  resources: {cpu: 250m, memory: 128Mi}
ports: {write: 25442, read: 25443, stats: 27010}
YAML
check "seed000: pghactl gen --compose writes the project" \
  "$ROOT/build/src/bin/pghactl" gen -f "$G/values.yaml" --compose --subnet 172.28.90.0/24 --out "$G/project"
up pgha-test-seed000 node1 1 "$G/project" || return 0
W=25442 R=25443
PGPASSWORD=$(sed -n 's/^PGHA_SUPERUSER_PASSWORD=//p' "$G/project/.env")
export PGPASSWORD
check "seed000: the write port reaches a writable leader" wait_for 30 writable_via "$W"
sql "$W" "CREATE TABLE t0 (id int); INSERT INTO t0 VALUES (0)" >/dev/null
read0() { [ "$(sql "$R" "SELECT count(*) FROM t0")" = 1 ] && [ "$(sql "$R" "SELECT pg_is_in_recovery()")" = t ]; }
check "seed000: the row is read back through the read port from the replica" wait_for 20 read0
check "seed000: shared_buffers is a quarter of resources.memory (64MB)" \
  test "$(sql "$W" "SHOW shared_buffers")" = 64MB
limits() {  # SERVICE MEMORY NANOCPUS
  [ "$(docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' "$(cid "$1")")" = "$2 $3" ]
}
check "seed000: node1's container is limited to resources (256Mi, 500m)" limits node1 268435456 500000000
check "seed000: etcd1's container is limited to etcd.resources (128Mi, 250m)" limits etcd1 134217728 250000000
app_login() { [ "$(PGPASSWORD=shop-pw psql -h 127.0.0.1 -p "$W" -U shop -d shop -qtAX -c 'SELECT current_user')" = shop ]; }
check "seed000: the init service created the application's role and database" wait_for 60 app_login
check "seed000: pg_hba admits samenet and the workload, and not 0.0.0.0/0" test \
  "$(sql "$W" "SELECT count(*) FILTER (WHERE address = 'samenet') > 0 AND count(*) FILTER (WHERE address = '172.28.90.1') > 0 AND count(*) FILTER (WHERE address = '0.0.0.0') = 0 FROM pg_hba_file_rules")" = t
# Another container on the project's network is no listed workload: HAProxy refuses it, while
# the node it would reach directly (pg_hba samenet) answers it.
outsider() {  # HOST PORT: psql from a fresh container on the project's network
  docker run --rm --network "${P}_pgha" -e "PGPASSWORD=$PGPASSWORD" -e PGCONNECT_TIMEOUT=3 \
    --entrypoint psql pgha/pgha:latest -h "$1" -p "$2" -U postgres -d postgres -qtAX -c 'SELECT 1'
}
check "seed000: a container that is not a listed workload reaches node1 directly" outsider 172.28.90.11 5432
turned_away() { ! outsider "$@"; }
check "seed000: ... but HAProxy's write port refuses it" turned_away 172.28.90.5 "$W"
export PGPASSWORD=postgres
down
