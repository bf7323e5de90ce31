#!/usr/bin/env bash
# Builds pgha's container images from the local base (deploy/images/base.sh): pgha/pgha (the
# agent, pghactl, PostgreSQL $PG_MAJOR), pgha/etcd, pgha/haproxy, pgha/postgres-exporter. Builds
# the binaries first when build/ has none. Run as root (or a docker group member).
#   deploy/images/build.sh [--pg-major N]     (13-17, default 15; PGHA_BIN_DIR: the binaries)
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
major=15
while [ $# -gt 0 ]; do
  case "$1" in
    --pg-major) major=${2:-}; shift 2 || true
      [[ $major =~ ^(13|14|15|16|17)$ ]] || { echo "build.sh: --pg-major '$major': expected 13 to 17" >&2; exit 2; } ;;
    *) echo "build.sh: unknown argument '$1' (usage: build.sh [--pg-major N])" >&2; exit 2 ;;
  esac
done
if [ "$major" != 15 ] && ! apt-cache show "postgresql-$major" >/dev/null 2>&1; then
  echo "build.sh: postgresql-$major is not in this machine's Debian archive" >&2; exit 2
fi
./base.sh
bin=${PGHA_BIN_DIR:-$root/build/src/bin}
[ -x "$bin/pgha" ] && [ -x "$bin/pghactl" ] && [ -x "$bin/pgha-fence-guard" ] || "$root/scripts/build.sh"
ctx=$(mktemp -d /var/tmp/pgha-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp -r pgha/. "$ctx/"
mkdir -p "$ctx/bin"
for b in pgha pghactl pgha-fence-guard; do cp "$bin/$b" "$ctx/bin/"; strip "$ctx/bin/$b"; done
tag=pgha/pgha:latest
[ "$major" = 15 ] || tag=pgha/pgha:pg$major
quiet() { grep -vE 'DEPRECATED|buildx|docs.docker.com/go/buildx|^ *$' >&2 || true; }
docker build -q --build-arg "PG_MAJOR=$major" -t "$tag" "$ctx" 2> >(quiet) >/dev/null
echo "build.sh: $tag"
for img in etcd haproxy exporter; do
  name=$img; [ "$img" = exporter ] && name=postgres-exporter
  docker build -q -t "pgha/$name:latest" "$img" 2> >(quiet) >/dev/null
  echo "build.sh: pgha/$name:latest"
done
