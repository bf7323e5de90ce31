#!/usr/bin/env bash
# README command 2: install, build, and run every test (unit, scenario, sim, integration).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
# One ctest run, serial: integration tests start real etcd/PostgreSQL/HAProxy processes on
# their own ports, and running them one at a time keeps them off each other's CPU.
ctest --output-on-failure --timeout 900
