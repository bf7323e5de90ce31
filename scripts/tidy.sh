#!/usr/bin/env bash
# Runs clang-tidy-14 with the repository's .clang-tidy over FILES (default: every .cc under src/),
# using build/compile_commands.json. Exit status non-zero when any check fires.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-tidy-14 >/dev/null || { echo "tidy: clang-tidy-14 is not installed (scripts/setup.sh installs it)"; exit 2; }
[ -f build/compile_commands.json ] || cmake -S . -B build -G Ninja >/dev/null
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find src -name '*.cc' | sort)
# GCC-only warning flags in the compile commands are not clang's business. xargs exits 123 when
# any clang-tidy failed.
printf '%s\n' "${files[@]}" | xargs -P "${TIDY_JOBS:-2}" -n 4 clang-tidy-14 -p build --quiet \
  --extra-arg=-Wno-unknown-warning-option
status=$?
[ $status -eq 0 ] && echo "tidy: ${#files[@]} files clean" || echo "tidy: findings above"
exit $status
