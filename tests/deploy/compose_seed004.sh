# Seed 004 (sourced by compose_test.sh): one etcd, two nodes, HAProxy; a third node by scaling.
up pgha-test-seed004 patroni1 1 || return 0
W=$HAPROXY_WRITE_HOST_PORT R=$HAPROXY_READ_HOST_PORT
check "seed004: the write port reaches a writable leader" wait_for 30 writable_via "$W"
sql "$W" "CREATE TABLE t4 (id int); INSERT INTO t4 VALUES (4)" >/dev/null
read4() { [ "$(sql "$R" "SELECT count(*) FROM t4")" = 1 ] && [ "$(sql "$R" "SELECT pg_is_in_recovery()")" = t ]; }
check "seed004: the row is read back through 5433 from the replica" wait_for 20 read4
dc up -d --scale replica=1 >/dev/null 2>&1
check "seed004: --scale replica=1 adds a third streaming member" wait_for 120 streams patroni1 2
down
