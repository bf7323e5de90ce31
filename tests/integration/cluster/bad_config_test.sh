#!/usr/bin/env bash
# No value accepted through PATCH/PUT /config, edit-config or etcd itself can take a healthy
# cluster down (config::ValidateDynamicConfig, docs/timing.md "Validated configuration"):
#   1. under a writer through the write port, PATCH each kind of bad value: wrong type, negative,
#      huge, a ttl below the lease arithmetic (ttl 2: the primary's own fencing guard used to
#      kill PostgreSQL every ~3 s), loop_wait/retry_timeout that break it, an unknown
#      PostgreSQL parameter, invalid parameter values (type, range, unit, enum); PUT and
#      pghactl edit-config too -> every one is refused (400 / CLI error) naming the key, and
#      /config is unchanged
#   2. the same bad values written straight into etcd (patronictl can) -> the agents keep their
#      previous timing and do not write the bad parameters: no failed write, no fencing, no
#      failover, nothing invalid in any postgresql.conf
#   3. with the bad /config still in etcd, `pghactl restart` of every member -> each comes back
#      running (an invalid value in postgresql.conf used to stop PostgreSQL from starting)
# Failed writes during 1 and 2 must be 0: nothing there changes a role or restarts PostgreSQL,
# so any failure means a bad value reached the cluster.
source "$(dirname "$0")/lib.sh"
require_commands etcdctl jq psql curl bc

# Ports below the ephemeral range (32768+), in this test's own range (base 11000).
start_cluster itbadcfg 11000 || { fail "local up"; cat "$DIR/up.log"; finish; exit 1; }
pass "local up"
sql "$W" "CREATE TABLE acks(id int PRIMARY KEY)"
A1="http://127.0.0.1:$API"
CONFIG_KEY=/service/itbadcfg/config
ctl() { "$PGHACTL" --dir "$CL" "$@"; }
code() { curl -s -o "$DIR/body" -m 5 -w '%{http_code}' "$@"; }
etcd_config() { etcd_ctl get --print-value-only "$CONFIG_KEY"; }
etcd_put_config() { etcd_ctl put "$CONFIG_KEY" "$1" >/dev/null; }
members() { printf '%s\n' node1 node2 node3; }
postmaster_pid() { head -1 "$CL/$1/data/postmaster.pid" 2>/dev/null; }

# A writer through the write port that also logs every failed INSERT ("<time> ok|fail <id>").
start_counting_writer() {  # PORT LOGFILE
  WRITER_LOG=$2
  : >"$WRITER_LOG"
  (
    i=0; end=$((SECONDS + 400))
    while [ $SECONDS -lt $end ] && [ ! -e "$WRITER_LOG.stop" ]; do
      i=$((i + 1))
      if psql -X -q -h 127.0.0.1 -p "$1" -U app -d appdb -c "INSERT INTO acks VALUES ($i)" \
           >/dev/null 2>&1; then
        echo "$(epoch) ok $i" >>"$WRITER_LOG"
      else
        echo "$(epoch) fail $i" >>"$WRITER_LOG"
      fi
      sleep 0.05
    done
  ) &
  WRITER_PID=$!
}
count_between() { awk -v a="$1" -v b="$2" -v k="$3" '$1 >= a && $1 <= b && $2 == k' "$WRITER_LOG" | wc -l; }
max_ok_gap() {
  awk -v a="$1" -v b="$2" '$2 == "ok" && $1 >= a - 1 && $1 <= b + 1 { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%.2f\n", m }' "$WRITER_LOG"
}
ok_after() { [ "$(awk -v t="$1" '$1 > t && $2 == "ok"' "$WRITER_LOG" | wc -l)" -ge "$2" ]; }

L0=$(leader)
check "a leader before the bad values ($L0)" test -n "$L0"
pid0=$(postmaster_pid "$L0")
CONFIG0=$(curl -s "$A1/config")
start_counting_writer "$W" "$DIR/writer.log"
check "writer running" wait_for 20 ok_after 0 20
t0=$(epoch)

# 1. Refused through the API and the CLI ------------------------------------------------------------
refused() {  # refused METHOD BODY EXPECTED-TEXT: 400 naming the key, /config unchanged
  local got; got=$(code -X"$1" -H 'Content-Type: application/json' -d "$2" "$A1/config")
  if [ "$got" != 400 ] || ! grep -qF -- "$3" "$DIR/body"; then
    echo "    $1 /config $2 -> $got $(cat "$DIR/body")"; return 1
  fi
  [ "$(curl -s "$A1/config")" = "$CONFIG0" ] || { echo "    /config changed"; return 1; }
}
check "[1] wrong type: ttl \"abc\"" refused PATCH '{"ttl":"abc"}' 'ttl: expected an integer'
check "[1] negative: ttl -5" refused PATCH '{"ttl":-5}' 'ttl: -5 is below the minimum 5'
check "[1] huge: ttl 99999999" refused PATCH '{"ttl":99999999}' 'ttl: 99999999 is out of range (allowed: 5 to 3600)'
check "[1] ttl below the lease arithmetic: ttl 2" refused PATCH '{"ttl":2}' \
  'ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2'
check "[1] retry_timeout 1" refused PATCH '{"retry_timeout":1}' 'retry_timeout: 1 is out of range'
check "[1] negative maximum_lag_on_failover" refused PATCH '{"maximum_lag_on_failover":-1}' \
  'maximum_lag_on_failover: -1 is out of range'
check "[1] synchronous_node_count 0" refused PATCH '{"synchronous_node_count":0}' \
  'synchronous_node_count: 0 is out of range'
check "[1] pause \"maybe\"" refused PATCH '{"pause":"maybe"}' 'pause: expected a boolean'
check "[1] parameter of the wrong type: max_connections \"lots\"" refused PATCH \
  '{"postgresql":{"parameters":{"max_connections":"lots"}}}' \
  'postgresql.parameters.max_connections: "lots" is not an integer (allowed: 1 to 262143)'
check "[1] parameter out of range: max_connections -5" refused PATCH \
  '{"postgresql":{"parameters":{"max_connections":-5}}}' 'max_connections: -5 is outside the valid range'
check "[1] huge parameter: max_connections 100000000" refused PATCH \
  '{"postgresql":{"parameters":{"max_connections":100000000}}}' 'outside the valid range'
check "[1] parameter with a bad unit: shared_buffers \"10s\"" refused PATCH \
  '{"postgresql":{"parameters":{"shared_buffers":"10s"}}}' 'shared_buffers: "10s" has an invalid unit'
check "[1] enum parameter: wal_level \"fast\"" refused PATCH \
  '{"postgresql":{"parameters":{"wal_level":"fast"}}}' 'is not one of: minimal, replica, logical'
check "[1] unknown parameter" refused PATCH '{"postgresql":{"parameters":{"max_connectoins":200}}}' \
  'max_connectoins: unknown parameter for PostgreSQL'
check "[1] PUT with ttl 2" refused PUT '{"ttl":2}' 'ttl: 2 is below the minimum 5'
check "[1] PUT with an invalid parameter" refused PUT \
  '{"postgresql":{"parameters":{"max_connections":"lots"}}}' 'max_connections: "lots"'
check "[1] edit-config -s ttl=2 fails" bash -c "! '$PGHACTL' --dir '$CL' edit-config --force -s ttl=2 2>&1 | tee '$DIR/ec1' >/dev/null; grep -q 'ttl: 2 is below the minimum 5' '$DIR/ec1'"
check "[1] edit-config -p max_connections=lots fails" bash -c "! '$PGHACTL' --dir '$CL' edit-config --force -p max_connections=lots 2>&1 | tee '$DIR/ec2' >/dev/null; grep -q 'max_connections: \"lots\" is not an integer' '$DIR/ec2'"
check "[1] /config unchanged after the CLI refusals" test "$(curl -s "$A1/config")" = "$CONFIG0"
# Harmless values are accepted: a custom (dotted) parameter and Patroni's numeric strings.
check "[1] a custom dotted parameter and ttl \"6\" are accepted (200)" test \
  "$(code -XPATCH -d '{"ttl":"6","postgresql":{"parameters":{"pgha_test.custom":"1"}}}' "$A1/config")" = 200

# 2. Written straight into etcd -------------------------------------------------------------------
GOOD=$(etcd_config)
BAD=$(echo "$GOOD" | jq -c '.ttl = 2 | .loop_wait = -3 | .maximum_lag_on_failover = -1
  | .postgresql.parameters.max_connections = "lots" | .postgresql.parameters.no_such_setting = 1
  | .postgresql.parameters.shared_buffers = "10s"')
check "[2] bad /config written straight into etcd" etcd_put_config "$BAD"
warned() { grep -q "ignoring invalid dynamic setting /config ttl: 2" "$CL/$1/pgha.log" &&
  grep -q "not writing invalid /config postgresql.parameters.max_connections" "$CL/$1/pgha.log"; }
for n in $(members); do
  check "[2] $n warns about ttl and max_connections by name" wait_for 15 warned "$n"
done
sleep 10  # two ttl periods of the old (clamped) ttl 2: the guard used to fence every ~3 s
t1=$(epoch)
for n in $(members); do
  check "[2] $n's postgresql.conf has none of the bad values" bash -c \
    "! grep -qE \"'lots'|no_such_setting|shared_buffers = '10s'\" '$CL/$n/data/postgresql.conf'"
done
check "[2] $L0 still leads" test "$(leader)" = "$L0"
# A fenced (killed) postmaster leaves its pid file behind: the process itself must be alive.
check "[2] $L0's PostgreSQL was never restarted or fenced (postmaster $pid0)" \
  bash -c "[ '$(postmaster_pid "$L0")' = '$pid0' ] && kill -0 '$pid0'"
fails=$(count_between "$t0" "$t1" fail); oks=$(count_between "$t0" "$t1" ok)
echo "    writes during [1] and [2]: $oks acknowledged, $fails failed, longest gap $(max_ok_gap "$t0" "$t1") s"
check "[1-2] no failed write while bad values were sent" test "$fails" = 0
# The writer manages ~10 INSERTs a second on an idle 2-core machine (one psql process each).
check "[1-2] writes kept flowing (at least one a second, no gap over 2 s)" test \
  "$(echo "$oks >= $t1 - $t0 && $(max_ok_gap "$t0" "$t1") < 2" | bc)" = 1

# 3. Restart every member with the bad /config still in etcd ----------------------------------------
check "[3] pghactl restart of every member succeeds" ctl restart --force
t2=$(epoch)
running() { [ "$(list_json | jq -r --arg m "$1" '.[] | select(.Member == $m) | .State')" != "" ] &&
  [ "$(curl -s -m 2 "http://127.0.0.1:$(api_port "$1")/patroni" | jq -r .state)" = running ]; }
for n in $(members); do
  check "[3] $n is running again" wait_for 60 running "$n"
done
check "[3] a leader after the restarts" wait_for 30 bash -c "[ -n \"\$('$PGHACTL' --dir '$CL' list -f json | jq -r '.[] | select(.Role == \"Leader\") | .Member')\" ]"
check "[3] writes go through after the restarts" wait_for 30 ok_after "$t2" 5
stop_writer
for n in $(members); do
  check "[3] $n's postgresql.conf still has none of the bad values" bash -c \
    "! grep -qE \"'lots'|no_such_setting|shared_buffers = '10s'\" '$CL/$n/data/postgresql.conf'"
done
check "restore the good /config" etcd_put_config "$GOOD"

finish
