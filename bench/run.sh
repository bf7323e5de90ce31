#!/usr/bin/env bash
# pgha vs Patroni 3.0.2 side by side (issue 5): builds what is missing, runs every scenario on a
# pgha cluster and on a Patroni cluster each round, prints the table and writes
# docs/benchmarks.md. Loopback, except host-death, which runs both systems on the fault suite's
# network-namespace hosts (tests/fault/run.sh --bench); never touches the default cluster's ports;
# cleans up after itself and stops on its own.
#
#   bench/run.sh [--rounds N] [--scenario NAME[,NAME...]] [--settings equal|defaults|both]
#                [--no-doc | --doc FILE] [--soak-seconds N] [--soak-systems pgha|both]
#
# Scenarios: bootstrap node-death pg-crash switchover switchover-sync footprint etcd-load router
# soak host-death (default: all). The soak (10 min by default, etcd-leader kills under pgbench) runs once, in
# round 1.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=5
scenario=all
settings=both
soak_seconds=600
soak_systems=both
doc="$repo/docs/benchmarks.md"

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($# > 0)); do
  case "$1" in
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --scenario) scenario=${2:?--scenario needs a name}; shift 2 ;;
    --settings) settings=${2:?--settings needs equal, defaults or both}; shift 2 ;;
    --no-doc) doc=""; shift ;;
    --doc) doc=${2:?--doc needs a file}; shift 2 ;;
    --soak-seconds) soak_seconds=${2:?--soak-seconds needs a number}; shift 2 ;;
    --soak-systems) soak_systems=${2:?--soak-systems needs pgha or both}; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer" >&2; exit 2; }
case "$settings" in equal | defaults | both) ;; *) echo "bad --settings: $settings" >&2; exit 2 ;; esac
[[ "$soak_seconds" =~ ^[1-9][0-9]*$ ]] || { echo "--soak-seconds must be a positive integer" >&2; exit 2; }
case "$soak_systems" in pgha | both) ;; *) echo "bad --soak-systems: $soak_systems" >&2; exit 2 ;; esac
[[ $EUID -eq 0 ]] || { echo "run as root (PostgreSQL runs as the postgres OS user)" >&2; exit 1; }

# --- setup: packages, the postgres OS user, binaries -------------------------------------------
need=()
for pkg in patroni python3-etcd python3-psycopg2 python3-yaml etcd-server haproxy \
  postgresql-15 postgresql-client-15 cmake ninja-build libpq-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]} > 0)); then
  echo "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi
id postgres >/dev/null 2>&1 || useradd --system --create-home --home-dir /var/lib/postgresql postgres

if [[ ! -x "$repo/build/src/bin/pgha" || ! -x "$repo/build/src/bin/pghactl" ]]; then
  echo "building pgha (scripts/build.sh)"
  "$repo/scripts/build.sh"
fi
cmake -S "$repo/bench" -B "$repo/build-bench" -G Ninja >/dev/null
ninja -C "$repo/build-bench" -j1 bench_writer >/dev/null

# --- run, bounded in time, cleaned up on any exit ------------------------------------------------
state=$(mktemp -d /tmp/pgha-bench.XXXXXX)
chmod 755 "$state"
# Freeze the pgha binaries for the whole run: build/ is rebuilt by others while we measure.
mkdir -m 755 "$state/bin"
for b in pgha pghactl pgha-fence-guard; do
  if [[ -e "$repo/build/src/bin/$b" ]]; then cp -p "$repo/build/src/bin/$b" "$state/bin/"; fi
done
export PYTHONDONTWRITEBYTECODE=1
py_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$py_pid" ]] && kill -0 "$py_pid" 2>/dev/null; then
    kill -TERM "$py_pid" 2>/dev/null || true
    wait "$py_pid" 2>/dev/null || true
  fi
  /usr/bin/python3 "$repo/bench/bench.py" cleanup --state "$state" --pghactl "$state/bin/pghactl" ||
    true
  rm -rf "$state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Worst case per round (every wait at its deadline) stays far below this; a normal round of all
# scenarios at both settings takes ~8 minutes.
budget=$((rounds * 900 + 300 + 2 * soak_seconds + 600 + 4 * (300 + rounds * 300)))
args=(run --repo "$repo" --state "$state" --writer "$repo/build-bench/bench_writer"
  --pghactl "$state/bin/pghactl"
  --rounds "$rounds" --scenario "$scenario" --settings "$settings"
  --soak-seconds "$soak_seconds" --soak-systems "$soak_systems"
  --results-dir "$repo/build-bench/results")
[[ -n "$doc" ]] && args+=(--doc "$doc")
timeout --signal=TERM --kill-after=60 "$budget" /usr/bin/python3 -u "$repo/bench/bench.py" \
  "${args[@]}" &
py_pid=$!
wait "$py_pid"
