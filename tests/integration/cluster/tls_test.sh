#!/usr/bin/env bash
# TLS on the REST API end to end, on real processes (restapi.certfile/keyfile/cafile,
# verify_client: required; ctl.cacert/certfile/keyfile for pghactl and agent-to-agent calls):
#   1. https GET /patroni with a client certificate: 200 JSON; members publish https api_urls
#   2. refusals on the same port: plain http, https without a client certificate, a client
#      certificate from another CA; pghactl without a client certificate or trusting another CA
#   3. pghactl -c list, and pghactl switchover over TLS (pghactl -> leader, then the leader's
#      candidate check GET /patroni -> candidate, which needs the agent's client certificate)
#   4. agent-to-agent probes in a leader race: the leader is killed (-9); the two replicas probe
#      each other's https /patroni; at equal WAL position the higher failover_priority (node3)
#      wins only if the probes get through. node3 has no ctl section, so it presents its
#      restapi certificate as client certificate (Patroni's fallback).
# Why not `pghactl local up`: local clusters talk plain HTTP to their agents (readiness probes,
# HAProxy checks), so TLS there would be a new `local` feature. The smaller change is to start
# one etcd and three agents here from generated pgha.yml files, which is all TLS needs.
source "$(dirname "$0")/lib.sh"
require_commands openssl etcd curl jq setpriv
id postgres >/dev/null 2>&1 || { echo "SKIP: no postgres OS user to run the agents"; exit 77; }

# Ports below the ephemeral range (32768+), in this test's own range (base 18000).
BASE=18000; PGP=$((BASE + 440)); API=$((BASE + 8008)); EC=$((BASE + 2379)); EP=$((BASE + 2380))
DIR=$(mktemp -d /var/tmp/pgha-it-tls.XXXXXX)
chmod 0755 "$DIR"
T="$DIR/tls"
declare -A AGENT_PID
ETCD_PID=

postmaster_of() { head -1 "$DIR/$1/data/postmaster.pid" 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# kill_pids SIGNAL PID...: signals each live pid and waits (bounded) until all are gone.
kill_pids() {
  local sig=$1 p; shift
  for p in "$@"; do alive "$p" && kill "-$sig" "$p" 2>/dev/null; done
  for p in "$@"; do wait_for 15 sh -c "! kill -0 $p 2>/dev/null" || kill -KILL "$p" 2>/dev/null; done
}
# Power loss of one node: its agent (and fencing guard), postmaster and backends, all at once.
kill_node() {
  local n=$1 pm; pm=$(postmaster_of "$n")
  local pids=("${AGENT_PID[$n]}") p
  for p in $(ps -o pid= --ppid "${AGENT_PID[$n]}" 2>/dev/null) \
           $( [ -n "$pm" ] && ps -o pid= --ppid "$pm"); do pids+=("$p"); done
  [ -n "$pm" ] && pids+=("$pm")
  kill_pids KILL "${pids[@]}"
}
cleanup() {
  local n pids=() p pm
  for n in "${!AGENT_PID[@]}"; do
    for p in $(ps -o pid= --ppid "${AGENT_PID[$n]}" 2>/dev/null); do pids+=("$p"); done
  done
  kill_pids TERM "${AGENT_PID[@]}" "${pids[@]}"  # a clean agent stop also stops PostgreSQL
  for n in node1 node2 node3; do
    pm=$(postmaster_of "$n")
    [ -n "$pm" ] && kill_pids QUIT "$pm"
  done
  kill_pids TERM $ETCD_PID
  rm -rf "$DIR"
}
trap cleanup EXIT

# --- certificates ------------------------------------------------------------------------------
mkdir -p "$T"
ssl() { openssl "$@" >>"$DIR/openssl.log" 2>&1; }
new_key() { ssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
new_ca() {  # new_ca NAME: self-signed CA NAME.crt / NAME.key
  new_key "$T/$1.key"
  ssl req -x509 -new -key "$T/$1.key" -out "$T/$1.crt" -days 2 -subj "/CN=pgha test $1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
new_cert() {  # new_cert NAME CA EXTENSIONS: NAME.crt / NAME.key signed by CA
  new_key "$T/$1.key"
  ssl req -new -key "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1"
  printf '%b' "$3" >"$T/$1.ext"
  ssl x509 -req -in "$T/$1.csr" -CA "$T/$2.crt" -CAkey "$T/$2.key" -CAcreateserial \
    -days 2 -out "$T/$1.crt" -extfile "$T/$1.ext"
}
new_ca ca
new_ca rogue
# The agents' certificate also serves as their client certificate (node3 has no ctl section).
new_cert server ca "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"
new_cert client ca "extendedKeyUsage=clientAuth\n"
new_cert intruder rogue "extendedKeyUsage=clientAuth\n"
chown -R postgres: "$T"; chmod 0700 "$T"; chmod 0600 "$T"/*.key
check "certificates generated (CA, server with IP SAN, client, foreign CA)" \
  test -s "$T/server.crt" -a -s "$T/client.crt" -a -s "$T/intruder.crt"

# --- etcd and three agents ---------------------------------------------------------------------
etcd --name tls1 --data-dir "$DIR/etcd" --listen-client-urls "http://127.0.0.1:$EC" \
  --advertise-client-urls "http://127.0.0.1:$EC" --listen-peer-urls "http://127.0.0.1:$EP" \
  --initial-advertise-peer-urls "http://127.0.0.1:$EP" --initial-cluster "tls1=http://127.0.0.1:$EP" \
  --heartbeat-interval 100 --election-timeout 1000 >"$DIR/etcd.log" 2>&1 &
ETCD_PID=$!
disown
etcd_up() { curl -sf "http://127.0.0.1:$EC/health" | jq -e '.health == "true"'; }
check "etcd up" wait_for 30 etcd_up

write_config() {  # write_config NODE PRIORITY WITH_CTL
  local n=$1 i=${1#node}
  local pg=127.0.0.1:$((PGP + i - 1)) api=127.0.0.1:$((API + i - 1))
  mkdir -p "$DIR/$n"
  cat >"$DIR/$n/pgha.yml" <<YAML
scope: tlsit
namespace: /service
name: $n
restapi:
  listen: $api
  connect_address: $api
  certfile: $T/server.crt
  keyfile: $T/server.key
  cafile: $T/ca.crt
  verify_client: required
etcd3:
  hosts: 127.0.0.1:$EC
bootstrap:
  dcs:
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters: {wal_level: replica, hot_standby: "on", max_wal_senders: 10, max_replication_slots: 10, wal_log_hints: "on", wal_keep_size: 128MB}
  initdb: [{encoding: UTF8}, data-checksums]
  pg_hba: ["local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host replication replicator 127.0.0.1/32 scram-sha-256"]
postgresql:
  listen: $pg
  connect_address: $pg
  data_dir: $DIR/$n/data
  pgpass: $DIR/$n/pgpass
  authentication:
    superuser: {username: postgres, password: superpw}
    replication: {username: replicator, password: replpw}
    rewind: {username: rewind_user, password: rewindpw}
  parameters: {unix_socket_directories: $DIR/$n, shared_buffers: 32MB}
  pg_hba: ["local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host replication replicator 127.0.0.1/32 scram-sha-256"]
tags: {failover_priority: $2}
YAML
  if [ "$3" = ctl ]; then
    printf 'ctl:\n  cacert: %s\n  certfile: %s\n  keyfile: %s\n' \
      "$T/ca.crt" "$T/client.crt" "$T/client.key" >>"$DIR/$n/pgha.yml"
  fi
  chown -R postgres: "$DIR/$n"
}
start_agent() {
  setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/pgha" "$DIR/$1/pgha.yml" \
    >>"$DIR/$1/agent.log" 2>&1 &
  AGENT_PID[$1]=$!
  disown  # no "Killed" notice from the shell when the node is killed on purpose
}
write_config node1 1 ctl
write_config node2 1 ctl
write_config node3 2 none
check "agent configurations valid" sh -c "for n in node1 node2 node3; do \
  '$BIN/pgha' --validate-config '$DIR/'\$n/pgha.yml >/dev/null || exit 1; done"

# TLS clients: curl with the CA and (optionally) a client certificate.
api_url() { echo "https://127.0.0.1:$(api_port "$1")"; }
tls_curl() { curl -s --max-time 5 --cacert "$T/ca.crt" --cert "$T/client.crt" --key "$T/client.key" "$@"; }
status_of() { tls_curl "$(api_url "$1")/patroni" | jq -r "$2"; }
CTL_CONFIG="$DIR/node1/pgha.yml"  # pghactl -c: ctl.cacert/certfile/keyfile
CTL_TARGET=(-c "$CTL_CONFIG")
ctl() { "$PGHACTL" "${CTL_TARGET[@]}" "$@"; }

# node1 bootstraps alone so that the first leader is known; then the replicas join.
start_agent node1
node1_leads() { [ "$(tls_curl -o /dev/null -w '%{http_code}' "$(api_url node1)/primary")" = 200 ]; }
check "node1 bootstraps and leads (https /primary: 200)" wait_for 120 node1_leads
start_agent node2
start_agent node3
check "node2 streams" wait_for 120 streaming node2
check "node3 streams" wait_for 120 streaming node3
if [ "$FAILED" -gt 0 ]; then
  for n in node1 node2 node3; do echo "--- $n"; tail -15 "$DIR/$n/agent.log"; done
  finish; exit 1
fi

# 1. https with a client certificate ------------------------------------------------------------
A1=$(api_url node1)
code() { curl -s --max-time 5 -o "$DIR/body" -w '%{http_code}' "$@"; }
check "[1] https GET /patroni with client certificate: 200" \
  test "$(code --cacert "$T/ca.crt" --cert "$T/client.crt" --key "$T/client.key" "$A1/patroni")" = 200
check "[1] ... and the body is node1's status JSON" \
  sh -c "jq -e '.role == \"primary\" and .state == \"running\"' '$DIR/body' >/dev/null"
check "[1] the server certificate verifies against the CA for IP 127.0.0.1" \
  sh -c "curl -s --max-time 5 --cacert '$T/ca.crt' --cert '$T/client.crt' --key '$T/client.key' -w '%{ssl_verify_result}' -o /dev/null '$A1/patroni' | grep -qx 0"
https_urls() {
  [ "$(tls_curl "$A1/cluster" | jq '[.members[] | select(.api_url | startswith("https://127.0.0.1:"))] | length')" = 3 ]
}
check "[1] every member publishes an https api_url" https_urls

# 2. Refusals ----------------------------------------------------------------------------------
refused() {  # refused CURL-ARGS...: the request gets no HTTP answer at all
  local got; got=$(code "$@"); local rc=$?
  [ "$got" = 000 ] || { echo "    curl $* -> HTTP $got"; return 1; }
  [ $rc -ne 0 ]
}
check "[2] plain http to the TLS port gets no answer" refused "http://127.0.0.1:$API/patroni"
check "[2] https without a client certificate is refused" refused --cacert "$T/ca.crt" "$A1/patroni"
check "[2] a client certificate from another CA is refused" \
  refused --cacert "$T/ca.crt" --cert "$T/intruder.crt" --key "$T/intruder.key" "$A1/patroni"
check "[2] an unsafe method without a client certificate is refused" \
  refused --cacert "$T/ca.crt" -XPOST -d '{"leader":"node1"}' "$A1/switchover"
# pghactl configurations that must not get through: no client certificate; trusting another CA.
sed -E '/^ +(certfile|keyfile|cafile|verify_client):/d' "$DIR/node1/pgha.yml" >"$DIR/nocert.yml"
sed "s|cacert: $T/ca.crt|cacert: $T/rogue.crt|" "$DIR/node1/pgha.yml" >"$DIR/rogue.yml"
# ctl_refused CONFIG: every member's REST API is out of reach for pghactl -c CONFIG (`version`
# asks each member's GET /patroni), and a reload of node1 fails (exit 1). pghactl itself must
# report the refusals: not die of SIGPIPE (exit 141) when the server drops the connection.
ctl_refused() {
  local ok=1 rc
  "$PGHACTL" -c "$1" version >"$DIR/ctl.out" 2>&1; rc=$?
  [ $rc = 0 ] || { ok=0; echo "pghactl version: exit $rc" >>"$DIR/ctl.out"; }
  [ "$(grep -c '^node[123]: failed to get version' "$DIR/ctl.out")" = 3 ] || ok=0
  "$PGHACTL" -c "$1" reload tlsit node1 --force >>"$DIR/ctl.out" 2>&1; rc=$?
  [ $rc = 1 ] || { ok=0; echo "pghactl reload: exit $rc (expected 1)" >>"$DIR/ctl.out"; }
  if [ $ok = 1 ]; then grep -m1 'failed to get version' "$DIR/ctl.out"; else cat "$DIR/ctl.out"; fi | sed 's/^/    /'
  [ $ok = 1 ]
}
check "[2] pghactl without a client certificate is refused by every member" ctl_refused "$DIR/nocert.yml"
check "[2] pghactl trusting another CA rejects every member's certificate" ctl_refused "$DIR/rogue.yml"
check "[2] node1 still leads after the refusals" is_leader node1

# 3. pghactl over TLS --------------------------------------------------------------------------
check "[3] pghactl -c list shows three members" \
  test "$(list_json | jq '[.[] | select(.Member | test("^node[123]$"))] | length')" = 3
check "[3] pghactl -c version reaches every member over https" \
  test "$(ctl version 2>&1 | grep -c '^node[123]: pgha ')" = 3
check "[3] pghactl -c reload node1 over https" sh -c "'$PGHACTL' -c '$CTL_CONFIG' reload tlsit node1 --force >/dev/null"
out=$(ctl switchover --candidate node2 --force 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
check "[3] pghactl switchover --candidate node2 over TLS succeeds" test $rc -eq 0
check "[3] ... through the REST API (the leader's candidate check reached node2), not the DCS" \
  sh -c "echo '$out' | grep -q 'Successfully switched over' && ! echo '$out' | grep -q 'falling back to DCS'"
check "[3] node2 leads" wait_for 30 is_leader node2
check "[3] node1 streams from node2" wait_for 90 streaming node1
check "[3] node3 streams from node2" wait_for 90 streaming node3

# 4. Leader race after a power loss: agent-to-agent https probes ---------------------------------
# Equal WAL positions on both replicas, so that only failover_priority can decide the race.
same_wal() {
  local a b; a=$(status_of node1 '.xlog.received_location // empty'); b=$(status_of node3 '.xlog.received_location // empty')
  [ -n "$a" ] && [ "$a" = "$b" ]
}
check "[4] node1 and node3 have received the same WAL" wait_for 30 same_wal
kill_node node2
check "[4] node2 killed (agent and PostgreSQL)" sh -c "! kill -0 ${AGENT_PID[node2]} 2>/dev/null"
check "[4] a new leader is elected" wait_for 60 new_leader_other_than node2
check "[4] it is node3, the higher failover_priority, seen through node1's https probe" \
  is_leader node3
check "[4] node3 answers https /primary" \
  test "$(tls_curl -o /dev/null -w '%{http_code}' "$(api_url node3)/primary")" = 200
check "[4] node1 streams from node3" wait_for 90 streaming node1
grep -h -i -E "equally tolerable|is ahead of my wal position|taking the leader|healthiest" \
  "$DIR/node1/agent.log" "$DIR/node3/agent.log" 2>/dev/null | tail -4 | sed 's/^/    /'
finish
