#!/usr/bin/env bash
# deploy/compose end to end (issue 12): builds the images from the local Debian base, then for
# each topology under deploy/compose brings it up and checks it; seed002 (synchronous mode) also
# goes through a leader kill and a leader cut off its network. Every loop is bounded; every
# project is taken down with its volumes, even on failure. Needs root and Docker.
#   tests/deploy/compose_test.sh [seed000,seed001,seed002,seed004]
# seed000 is not a directory of deploy/compose: `pghactl gen --compose` writes it from a values
# file in seed 000's format.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ONLY=${1:-seed000,seed001,seed002,seed004}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (docker)"; exit 77; }
docker info >/dev/null 2>&1 || { echo "SKIP: no Docker daemon"; exit 77; }
command -v docker-compose >/dev/null || { echo "SKIP: docker-compose is not installed"; exit 77; }
command -v psql >/dev/null || { echo "SKIP: psql is not installed"; exit 77; }

source "$ROOT/tests/deploy/lib.sh"

PROJECTS=() PROJECT_DIRS=() TMP_DIRS=()
cleanup() {
  local i
  for i in "${!PROJECTS[@]}"; do
    (cd "${PROJECT_DIRS[$i]}" && docker-compose -p "${PROJECTS[$i]}" down -v --remove-orphans -t 5 >/dev/null 2>&1)
  done
  for i in "${TMP_DIRS[@]}"; do rm -rf "$i"; done
}
trap cleanup EXIT

log "building images (deploy/images/build.sh)"
"$ROOT/deploy/images/build.sh" || { echo "FAIL: images did not build"; exit 1; }

# The image refuses a bad environment with a message naming the variable, and starts nothing.
refuses() {  # PATTERN ENV...: the container exits 2 and its message matches PATTERN
  local pattern=$1 out rc; shift
  out=$(docker run --rm "${@/#/-e}" pgha/pgha:latest 2>&1); rc=$?
  [ "$rc" = 2 ] && grep -q -- "$pattern" <<<"$out" || { echo "exit $rc: $out"; return 1; }
}
ok_env=(SCOPE=s ETCD3_HOSTS=etcd:2379 PGPASSWORD_SUPERUSER=a PGPASSWORD_STANDBY=b)
check "image: no SCOPE is refused, naming SCOPE" refuses "set SCOPE" ETCD3_HOSTS=e:2379
check "image: a malformed ETCD3_HOSTS entry is named" refuses "'etcd' is not host:port" \
  SCOPE=s ETCD3_HOSTS=etcd PGPASSWORD_SUPERUSER=a PGPASSWORD_STANDBY=b
check "image: SYNCHRONOUS_MODE=yes is refused, naming it" refuses "SYNCHRONOUS_MODE=yes" \
  "${ok_env[@]}" SYNCHRONOUS_MODE=yes
check "image: an unreadable password file is named" refuses "PGPASSWORD_STANDBY_FILE=/run/x" \
  SCOPE=s ETCD3_HOSTS=etcd:2379 PGPASSWORD_SUPERUSER=a PGPASSWORD_STANDBY_FILE=/run/x
check "image: a PGHA_PARAMETERS entry without a value is named" refuses "PGHA_PARAMETERS: 'shared_buffers' is not name=value" \
  "${ok_env[@]}" PGHA_PARAMETERS=shared_buffers
check "image: a PGHA_HBA_SOURCES entry that is no source is named" refuses "PGHA_HBA_SOURCES: '0.0.0.0/0;drop'" \
  "${ok_env[@]}" "PGHA_HBA_SOURCES=samenet 0.0.0.0/0;drop"
check "image: a bad PATRONI_* override is refused by the agent, naming it" refuses "PATRONI_POSTGRESQL_LISTEN" \
  "${ok_env[@]}" PATRONI_POSTGRESQL_LISTEN=nonsense

# Host ports away from the local cluster's and the default cluster's.
export POSTGRES_WRITE_HOST_PORT=25432 POSTGRES_READ_HOST_PORT=25433 HAPROXY_STATS_HOST_PORT=27000
export HAPROXY_WRITE_HOST_PORT=25432 HAPROXY_READ_HOST_PORT=25433
export PATRONI1_PG_HOST_PORT=25532 PATRONI2_PG_HOST_PORT=25533 PATRONI3_PG_HOST_PORT=25534
export PATRONI1_API_HOST_PORT=28008 PATRONI2_API_HOST_PORT=28009 PATRONI3_API_HOST_PORT=28010
export PGPASSWORD=postgres PGCONNECT_TIMEOUT=3

P="" DC_DIR=""  # current project and its directory
dc() { (cd "$DC_DIR" && docker-compose -p "$P" "$@"); }
cid() { dc ps -q "$1"; }
api() {  # SERVICE PATH: the agent's REST API, from inside its container
  docker exec "$(cid "$1")" curl -fsS -m 2 "http://127.0.0.1:8008$2"
}
sql() {  # PORT SQL
  psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1 -c "$2"
}
cluster_leader() {  # SERVICE -> the leader's member name, as SERVICE's agent sees it
  api "$1" /cluster | jq -r '.members[] | select(.role == "leader") | .name'
}
streaming_count() {  # SERVICE -> members streaming from the leader
  api "$1" /cluster | jq '[.members[] | select(.state == "streaming")] | length'
}
streams() { [ "$(streaming_count "$1")" -ge "$2" ]; }
writable_via() { [ "$(sql "$1" "SELECT NOT pg_is_in_recovery()")" = t ]; }

up() {  # PROJECT SERVICES-TO-ASK MIN-STREAMING [DIR]: DIR defaults to deploy/compose/<seed>
  P=$1 DC_DIR=${4:-$ROOT/deploy/compose/${1#pgha-test-}}
  PROJECTS+=("$P") PROJECT_DIRS+=("$DC_DIR")
  log "$P: up"
  dc up -d >/dev/null 2>&1 || { log "FAIL $P: docker-compose up"; FAILS=$((FAILS + 1)); return 1; }
  check "$P: a leader and $3 streaming replica(s) within 120 s" wait_for 120 streams "$2" "$3"
}
down() {
  log "$P: down -v"
  dc down -v --remove-orphans -t 10 >/dev/null 2>&1
  local left
  left=$(docker ps -aq --filter "label=com.docker.compose.project=$P"; docker network ls -q --filter "label=com.docker.compose.project=$P"; docker volume ls -q --filter "label=com.docker.compose.project=$P")
  check "$P: down -v leaves no container, network or volume" test -z "$left"
}

IFS=, read -r -a topologies <<<"$ONLY"
for t in "${topologies[@]}"; do
  case "$t" in
    seed000) source "$ROOT/tests/deploy/compose_seed000.sh" ;;
    seed001) source "$ROOT/tests/deploy/compose_seed001.sh" ;;
    seed002) source "$ROOT/tests/deploy/compose_seed002.sh" ;;
    seed004) source "$ROOT/tests/deploy/compose_seed004.sh" ;;
    *) echo "compose_test.sh: unknown topology '$t' (seed000, seed001, seed002, seed004)" >&2; exit 2 ;;
  esac
done
finish compose_test
