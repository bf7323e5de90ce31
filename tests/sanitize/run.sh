#!/usr/bin/env bash
# The sanitizer tier: builds the unit tests, the scenario runner and the simulator with ASan +
# UBSan (PGHA_SANITIZE=ON) in build-sanitize, and runs the unit and scenario tiers there, then
# every simulator mode over SIM_SEEDS seeds (default 100; the plain build runs 5,000). Any
# sanitizer report fails the run: -fno-sanitize-recover makes it fatal, and the simulator's
# summary counts a crashed seed as a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PGHA_SANITIZE_BUILD_DIR:-$root/build-sanitize}
# -O0 -g1: half the compile time of -O1 -g, and reports still name file and line. clang 14
# (scripts/setup.sh installs it with its sanitizer runtimes) compiles this build in two thirds
# of GCC's time, and is a second compiler's warnings over the tree.
cxx=${PGHA_SANITIZE_CXX:-clang++-14}
if [ -f "$build/CMakeCache.txt" ] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=.*$cxx\$" "$build/CMakeCache.txt"; then
  rm -rf "$build"  # made with another compiler: CMake cannot switch one in place
fi
cmake -S "$root" -B "$build" -G Ninja -DPGHA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCMAKE_CXX_FLAGS="" >/dev/null
cd "$build"
# Only what this tier runs: every unit_* executable, the scenario runner, the simulator.
targets=$(ninja -t targets all | sed -n 's/^\(tests\/unit_[a-z]*\|tests\/scenario\/scenario_runner\|tests\/sim\/sim_runner\): .*/\1/p' | sort -u)
ninja -j"${PGHA_SANITIZE_JOBS:-2}" $targets
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest -L "unit|scenario" -LE integration -j2 --output-on-failure
SIM_BUILD="$build" SIM_SEEDS=${SIM_SEEDS:-100} "$root/tests/sim/run.sh"
echo "sanitize: unit, scenario and simulator tiers clean under ASan + UBSan"
