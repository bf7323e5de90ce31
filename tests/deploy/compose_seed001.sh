# Seed 001 (sourced by compose_test.sh): one etcd, three nodes with PostgreSQL and the REST API
# published on the host; a switchover through the published REST API.
up pgha-test-seed001 patroni1 2 || return 0
L=$(cluster_leader patroni1)
port_of() { case "$1" in patroni1) echo "$PATRONI1_PG_HOST_PORT" ;; patroni2) echo "$PATRONI2_PG_HOST_PORT" ;; *) echo "$PATRONI3_PG_HOST_PORT" ;; esac; }
check "seed001: the REST API is published on the host (GET /cluster on $PATRONI1_API_HOST_PORT)" \
  bash -c "curl -fsS -m 3 http://127.0.0.1:$PATRONI1_API_HOST_PORT/cluster | jq -e '.members | length == 3' >/dev/null"
check "seed001: the leader $L takes a write on its published port" \
  bash -c "psql -h 127.0.0.1 -p $(port_of "$L") -U postgres -qtAX -c 'CREATE TABLE t1 (id int); INSERT INTO t1 VALUES (1)'"
C=patroni2; [ "$L" = patroni2 ] && C=patroni3
check "seed001: POST /switchover to $C through the published REST API" \
  bash -c "curl -fsS -m 40 -X POST -d '{\"leader\":\"$L\",\"candidate\":\"$C\"}' http://127.0.0.1:$PATRONI1_API_HOST_PORT/switchover >/dev/null"
became() { [ "$(cluster_leader patroni1)" = "$C" ] && streams patroni1 2; }
check "seed001: $C leads and both others stream" wait_for 60 became
check "seed001: the row is on the new leader" \
  bash -c "[ \"\$(psql -h 127.0.0.1 -p $(port_of "$C") -U postgres -qtAX -c 'SELECT count(*) FROM t1')\" = 1 ]"
down
