#!/usr/bin/env bash
# README command 1: install, build, and start a local cluster (3 etcd, 3 PostgreSQL + pgha,
# HAProxy on 5432/5433/7000). Extra arguments go to `pghactl local up` (e.g. -f cluster.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/src/bin/pghactl local up "$@"
