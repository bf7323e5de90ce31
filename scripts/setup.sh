#!/usr/bin/env bash
# Installs everything pgha needs on Debian 12 (run as root): build tools and libraries,
# PostgreSQL, etcd, HAProxy, Patroni (the compatibility and benchmark baseline), and the
# unprivileged `postgres` OS user PostgreSQL runs as. Idempotent; skips what is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-14 libclang-rt-14-dev clang-format clang-tidy-14
  libpq-dev nlohmann-json3-dev libyaml-cpp-dev libcpp-httplib-dev
  libcli11-dev libspdlog-dev libssl-dev libgtest-dev libgmock-dev libnetfilter-queue-dev
  postgresql-15 postgresql-client-15 etcd-server etcd-client haproxy patroni python3-etcd
  curl jq procps iproute2 psmisc nftables iptables python3-psycopg2 util-linux faketime debootstrap ansible python3-venv python3-pip
)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs packages and creates the postgres user)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postinst scripts must not start their own etcd/haproxy/PostgreSQL on our ports.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" = 1 ] && rm -f "$policy"
fi

# Debian's package may have created and started a default cluster on 5432: pgha's HAProxy needs
# that port, so stop it (its data stays; `pg_ctlcluster 15 main start` brings it back).
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' | while read -r v c; do
    echo "setup.sh: stopping Debian's PostgreSQL cluster $v/$c (it holds port 5432)"
    pg_ctlcluster "$v" "$c" stop || true
  done
fi
for svc in etcd haproxy; do
  if pgrep -x "$svc" >/dev/null && command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then
    echo "setup.sh: stopping the distribution's $svc service (pgha runs its own)"
    systemctl stop "$svc" || true
  fi
done

if ! id postgres >/dev/null 2>&1; then
  echo "setup.sh: creating the postgres OS user"
  useradd --system --create-home --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
install -d -m 0755 /var/lib/pgha
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
