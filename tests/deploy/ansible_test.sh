#!/usr/bin/env bash
# deploy/ansible end to end (issue 12): three containers booted with systemd as PID 1 (a local
# image from the debootstrap base) stand in for seed 003's hosts; deploy/ansible/site.yml is run
# against them through Ansible's docker connection. Checks: a leader and two streaming replicas
# under systemd units, writes and reads through HAProxy, a second run changes nothing, and
# `systemctl stop pgha` on the leader fails over. Bounded; removes its containers and network.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (docker)"; exit 77; }
docker info >/dev/null 2>&1 || { echo "SKIP: no Docker daemon"; exit 77; }
command -v ansible-playbook >/dev/null || { echo "SKIP: ansible is not installed"; exit 77; }
BIN=${PGHA_BIN_DIR:-$ROOT/build/src/bin}
NET=pgha-ansible-test SUBNET=10.78.0 IMAGE=pgha-test/host:latest
HOSTS=(h1 h2 h3 lb)
DIR=$(mktemp -d /var/tmp/pgha-ansible.XXXXXX)
source "$ROOT/tests/deploy/lib.sh"
cleanup() {
  for h in "${HOSTS[@]}"; do docker rm -f "pgha-ansible-$h" >/dev/null 2>&1; done
  docker network rm "$NET" >/dev/null 2>&1
  rm -rf "$DIR"
}
trap cleanup EXIT
cleanup; DIR=$(mktemp -d /var/tmp/pgha-ansible.XXXXXX)

"$ROOT/deploy/images/base.sh" >/dev/null || { echo "FAIL: base image"; exit 1; }
mkdir -p "$DIR/img"
cat >"$DIR/img/Dockerfile" <<'DOCKERFILE'
FROM debian:bookworm-slim
# What the playbook installs is fetched once here, not once per container (CI time): the
# playbook's apt tasks then find it installed, and a fresh package list (cache_valid_time).
# No default PostgreSQL cluster: it would hold 5432 on the HAProxy container too (the playbook
# drops it on the PostgreSQL hosts, as on real ones).
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main.conf \
 && apt-get update && apt-get install -y --no-install-recommends systemd systemd-sysv python3 dbus \
      postgresql-15 etcd-server etcd-client libyaml-cpp0.7 libcurl4 libcpp-httplib0.11 \
      libspdlog1.10 libfmt9 curl procps haproxy
STOPSIGNAL SIGRTMIN+3
CMD ["/lib/systemd/systemd"]
DOCKERFILE
docker build -q -t "$IMAGE" "$DIR/img" >/dev/null 2>&1 || { echo "FAIL: host image"; exit 1; }
docker network create --subnet "$SUBNET.0/24" "$NET" >/dev/null || { echo "FAIL: network"; exit 1; }
addr() { case "$1" in lb) echo "$SUBNET.20" ;; *) echo "$SUBNET.1${1#h}" ;; esac; }
for h in "${HOSTS[@]}"; do
  # systemd as PID 1 needs to mount inside its container (SYS_ADMIN) and its own /run.
  docker run -d --name "pgha-ansible-$h" --hostname "$h" --network "$NET" --ip "$(addr "$h")" \
    --cap-add SYS_ADMIN --security-opt seccomp=unconfined --tmpfs /run --tmpfs /run/lock \
    -v /sys/fs/cgroup:/sys/fs/cgroup:ro "$IMAGE" >/dev/null || { echo "FAIL: container $h"; exit 1; }
done
booted() { local h; for h in "${HOSTS[@]}"; do
  [[ $(docker exec "pgha-ansible-$h" systemctl is-system-running 2>/dev/null) =~ ^(running|degraded)$ ]] || return 1
done; }
check "three hosts and a load balancer boot systemd" wait_for 60 booted

cat >"$DIR/inventory.ini" <<INI
[pgha]
h1 pgha_address=$(addr h1) ansible_host=pgha-ansible-h1
h2 pgha_address=$(addr h2) ansible_host=pgha-ansible-h2
h3 pgha_address=$(addr h3) ansible_host=pgha-ansible-h3

[haproxy]
lb ansible_host=pgha-ansible-lb

[pgha:vars]
ansible_connection=community.docker.docker
[haproxy:vars]
ansible_connection=community.docker.docker
INI
cat >"$DIR/values.yaml" <<'YAML'
replicas: 3
postgres: {username: app, password: app-secret, database: app}
YAML
play() {
  ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_NOCOLOR=1 ansible-playbook -i "$DIR/inventory.ini" \
    "$ROOT/deploy/ansible/site.yml" -e "pgha_values=$DIR/values.yaml" -e "pgha_bin_dir=$BIN" \
    -e "pgha_gen_dir=$DIR/gen" -e pgha_become=false -e "{\"pgha_clients\": [\"$SUBNET.0/24\"]}"
}
log "ansible-playbook site.yml (first run)"
if play >"$DIR/play1.log" 2>&1; then
  log "ok   the playbook runs"
else
  log "FAIL the playbook runs"; FAILS=$((FAILS + 1)); tail -40 "$DIR/play1.log"
fi

api() { curl -fsS -m 2 "http://$(addr "$1"):8008$2"; }
streams() { [ "$(api h1 /cluster | jq '[.members[] | select(.state == "streaming")] | length')" = 2 ]; }
check "a leader and two streaming replicas under the pgha units" wait_for 90 streams
units() { local h; for h in h1 h2 h3; do
  [ "$(docker exec "pgha-ansible-$h" systemctl is-active pgha)" = active ] || return 1
  [ "$(docker exec "pgha-ansible-$h" systemctl show -p Type --value pgha)" = notify ] || return 1
done; }
check "every pgha unit is active (Type=notify: READY=1 reached systemd)" units
PW=$(jq -r '.superuser.password' "$DIR/gen/cluster.json")
lb() { PGPASSWORD=$PW PGCONNECT_TIMEOUT=2 psql -h "$(addr lb)" -p "$1" -U postgres -d postgres -qtAX -c "$2"; }
check "a write through HAProxy's 5432" wait_for 30 lb 5432 "CREATE TABLE IF NOT EXISTS t (id int); INSERT INTO t VALUES (1)"
readback() { [ "$(lb 5433 "SELECT count(*) FROM t")" -ge 1 ]; }
check "read back through 5433" wait_for 30 readback

log "ansible-playbook site.yml (second run: nothing to change)"
play >"$DIR/play2.log" 2>&1
unchanged() {
  local recap; recap=$(grep -E '^(h[123]|lb|localhost) +:' "$DIR/play2.log")
  [ "$(wc -l <<<"$recap")" = 5 ] && ! grep -qv 'changed=0' <<<"$recap"
}
check "a second run changes nothing" unchanged || grep -E 'changed:|^[a-z0-9]+ +:' "$DIR/play2.log" | head -20

L=$(api h1 /cluster | jq -r '.members[] | select(.role == "leader") | .name')
O=h1; [ "$L" = h1 ] && O=h2
docker exec "pgha-ansible-$L" systemctl stop pgha
new_leader() { local l; l=$(api "$O" /cluster | jq -r '.members[] | select(.role == "leader") | .name') && [ -n "$l" ] && [ "$l" != "$L" ]; }
check "systemctl stop pgha on the leader $L: another host leads" wait_for 60 new_leader
check "writes resume through HAProxy" wait_for 30 lb 5432 "INSERT INTO t VALUES (2)"

finish ansible_test
