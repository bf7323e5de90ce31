#!/usr/bin/env bash
# Builds the REST request fuzzer (clang-14, libFuzzer + ASan + UBSan) in build-fuzz and runs it
# for SECONDS (default 60). Exits 0 with "skipped" when clang++-14 is not installed.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PGHA_FUZZ_BUILD_DIR:-$root/build-fuzz}
if ! command -v clang++-14 >/dev/null 2>&1; then
  echo "skipped: clang++-14 not found (apt-get install clang-14 to run the fuzzer)"
  exit 0
fi
cmake -S "$root" -B "$build" -G Ninja -DPGHA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
ninja -C "$build" -j"${PGHA_FUZZ_JOBS:-1}" rest_request_fuzz
corpus="$build/fuzz-corpus/rest_request"
mkdir -p "$corpus"
seed() { printf '%b' "$2" >"$corpus/seed-$1"; }
seed switchover '\x00{"leader":"node1","candidate":"node2","scheduled_at":"2026-01-01T13:00:00+02:00"}'
seed failover '\x01{"candidate":"node2","leader":null}'
seed restart '\x02{"role":"replica","postgres_version":"15.4","timeout":"30s","restart_pending":true}'
seed reinit '\x03{"force":"yes","from_leader":1}'
seed patch '\x04{"pause":null,"postgresql":{"parameters":{"a":null,"b":"2"}}}'
seed values '\x05{"restart":"2026-02-29T10:00Z","v":"9.6.1","b":"off"}'
seed far-future '\x05{"restart":"4052-02-29T10:00Z"}'  # overflowed system_clock once
cd "$build"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  ./tests/fuzz/rest_request_fuzz -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -print_final_stats=1 "$corpus"
echo "fuzz: no crash in ${seconds} s"
