# Seed 002 (sourced by compose_test.sh): 3 etcd, 3 nodes in synchronous mode, HAProxy, init SQL,
# exporters; then a leader kill and a leader cut off its network.
up pgha-test-seed002 pg-0 2 || return 0
W=$POSTGRES_WRITE_HOST_PORT R=$POSTGRES_READ_HOST_PORT
check "seed002: the write port reaches a writable leader" wait_for 30 writable_via "$W"
check "seed002: init SQL ran (its marker table exists)" wait_for 120 \
  bash -c "[ \"\$(psql -h 127.0.0.1 -p $W -U postgres -qtAX -c \"SELECT count(*) FROM pgha_init_done\")\" = 1 ]"
check "seed002: the init container exited 0" \
  bash -c "[ \"\$(docker inspect -f '{{.State.ExitCode}}' \$(cd $ROOT/deploy/compose/seed002 && docker-compose -p $P ps -q pg-cluster-init))\" = 0 ]"
dc up -d pg-cluster-init >/dev/null 2>&1  # a second run must find the marker and do nothing
wait_for 60 bash -c "[ \"\$(docker inspect -f '{{.State.Status}}' \$(cd $ROOT/deploy/compose/seed002 && docker-compose -p $P ps -q pg-cluster-init))\" = exited ]"
check "seed002: init SQL runs exactly once (a second run does nothing)" \
  bash -c "[ \"\$(psql -h 127.0.0.1 -p $W -U postgres -qtAX -c 'SELECT count(*) FROM pgha_init_done')\" = 1 ] && cd $ROOT/deploy/compose/seed002 && docker-compose -p $P logs pg-cluster-init | grep -q 'already initialized'"
check "seed002: the application database exists" \
  bash -c "psql -h 127.0.0.1 -p $W -U postgres -qtAX -c \"SELECT 1 FROM pg_database WHERE datname = 'app'\" | grep -qx 1"
sql "$W" "CREATE TABLE IF NOT EXISTS probe (id bigint PRIMARY KEY, at timestamptz DEFAULT now())" >/dev/null
sql "$W" "INSERT INTO probe (id) VALUES (1)" >/dev/null
read_back() { [ "$(sql "$R" "SELECT count(*) FROM probe WHERE id = 1")" = 1 ] && [ "$(sql "$R" "SELECT pg_is_in_recovery()")" = t ]; }
check "seed002: a row written through 5432 is read back through 5433 from a replica" wait_for 20 read_back
# (read whole, then searched: under pipefail, `curl | grep -q` fails when grep stops reading first)
metrics_ok() { local m; m=$(api pg-1 /metrics) && grep -qE '^patroni_postgres_running(\{[^}]*\})? 1$' <<<"$m"; }
check "seed002: the agents' /metrics" metrics_ok
NET=$(docker network ls --filter "label=com.docker.compose.project=$P" --format '{{.Name}}' | head -1)
check "seed002: the exporter serves PostgreSQL metrics" bash -c \
  "docker run --rm --network $NET --entrypoint curl pgha/pgha:latest -fsS -m 5 http://pg-0-exporter:9187/metrics | grep -q '^pg_up 1'"

# --- docker kill of the leader under a writer: writes resume, nothing acknowledged is lost ------
writer() {  # OUT SECONDS: one INSERT per statement through the write port; acked ids to OUT
  local out=$1 end=$((SECONDS + $2)) i=0
  : >"$out"
  while [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    sql "$W" "INSERT INTO probe (id) VALUES ($((1000000 + i)))" >/dev/null 2>&1 && echo "$((1000000 + i))" >>"$out"
    sleep 0.05
  done
}
OLD=$(cluster_leader pg-0)
log "seed002: leader $OLD; docker kill under a writer"
ACKS=$(mktemp)
writer "$ACKS" 40 &
WPID=$!
sleep 3
t_kill=$(date +%s.%N)
docker kill "$(cid "$OLD")" >/dev/null
other=pg-0; [ "$OLD" = pg-0 ] && other=pg-1
new_leader() { local l; l=$(cluster_leader "$other") && [ -n "$l" ] && [ "$l" != "$OLD" ]; }
check "seed002: a new leader after docker kill of $OLD" wait_for 60 new_leader
check "seed002: writes resume through 5432" wait_for 30 writable_via "$W"
t_back=$(date +%s.%N)
log "seed002: write port writable again $(echo "$t_back - $t_kill" | bc) s after the kill"
wait "$WPID"
NEW=$(cluster_leader "$other")
acked=$(wc -l <"$ACKS")
present=$(sql "$W" "SELECT count(*) FROM probe WHERE id > 1000000 AND id = ANY('{$(paste -sd, "$ACKS")}'::bigint[])")
check "seed002: every acknowledged write survived ($present of $acked, synchronous mode)" test "$present" = "$acked" -a "$acked" -gt 0
docker start "$(cid "$OLD")" >/dev/null
rejoined() { api "$OLD" /patroni | jq -e '.role == "replica" and .state == "running"' && streams "$other" 2; }
check "seed002: the old leader $OLD rejoins as a streaming replica after docker start" wait_for 120 rejoined
rm -f "$ACKS"

# --- the leader cut off its network: it stops taking writes before anyone is promoted -----------
OLD=$(cluster_leader pg-0)
other=pg-0; [ "$OLD" = pg-0 ] && other=pg-1
log "seed002: leader $OLD; docker network disconnect"
# Samples what each PostgreSQL itself says (unix socket: unaffected by the cut), every 50 ms,
# for 40 s, with the host's clock (containers share it).
for s in pg-0 pg-1 pg-2; do
  docker exec -d "$(cid "$s")" bash -c 'for i in $(seq 800); do echo "$(date +%s.%N) $(psql -h /var/run/postgresql -U postgres -qtAX -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null || echo down)"; sleep 0.05; done >/tmp/samples'
done
sleep 1
docker network disconnect "$NET" "$(cid "$OLD")"
new_leader() { local l; l=$(cluster_leader "$other") && [ -n "$l" ] && [ "$l" != "$OLD" ]; }
check "seed002: a new leader after $OLD lost its network" wait_for 60 new_leader
sleep 2
NEW=$(cluster_leader "$other")
old_last=$(docker exec "$(cid "$OLD")" awk '$2 == "t" {last = $1} END {print last}' /tmp/samples)
new_first=$(docker exec "$(cid "$NEW")" awk '$2 == "t" && !f {print $1; f = 1}' /tmp/samples)
log "seed002: $OLD last writable at $old_last, $NEW first writable at $new_first"
check "seed002: $OLD stopped taking writes before $NEW was promoted" \
  bash -c "[ -n '$old_last' ] && [ -n '$new_first' ] && [ \$(echo '$old_last < $new_first' | bc) = 1 ]"
docker network connect "$NET" "$(cid "$OLD")"
rejoined() { api "$OLD" /patroni | jq -e '.role == "replica" and .state == "running"' && streams "$NEW" 2; }
check "seed002: $OLD rejoins after its network is back" wait_for 120 rejoined
down
