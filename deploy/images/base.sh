#!/usr/bin/env bash
# Builds the local stand-in for `debian:bookworm-slim` from Debian's own packages (there is no
# container registry here): debootstrap a minimal bookworm into a folder, `docker import` it as
# pgha-base:bookworm, and tag it debian:bookworm-slim unless that image exists already, so the
# Dockerfiles under deploy/images stay ordinary. Idempotent; run as root.
#   deploy/images/base.sh [--force]
set -euo pipefail
IMAGE=pgha-base:bookworm
MIRROR=${PGHA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "${1:-}" != --force ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base.sh: $IMAGE exists"
else
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  root=$(mktemp -d /var/tmp/pgha-base.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  echo "base.sh: debootstrap bookworm into $root"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 ||
    { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
  rm -f "$root.log"
  # What the slim image does too: no documentation, no apt caches, apt quiet and lean.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$root/etc/apt/apt.conf.d/90pgha-slim"
  # ...and no downloaded packages left behind after an install (the slim image's docker-clean).
  printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$root/etc/apt/apt.conf.d/docker-clean"
  printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
    >"$root/etc/dpkg/dpkg.cfg.d/90pgha-slim"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
  echo "base.sh: imported $IMAGE"
fi
if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  docker tag "$IMAGE" debian:bookworm-slim
  echo "base.sh: tagged $IMAGE as debian:bookworm-slim"
fi
