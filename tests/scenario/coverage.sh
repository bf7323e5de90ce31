#!/usr/bin/env bash
# tests/scenario/coverage.sh [--runner build/tests/scenario/scenario_runner]
#
# Lists every reason ha::Decide can give (each Do(...) call in src/ha/*.cc; coverage.py says how a
# call is read) with the scenario file that pins it, and exits non-zero if one is unpinned:
#   PINNED <reason> <- <file> [(+N more)]     UNPINNED <reason>  [<source>:<line>]
# "…" in a reason stands for a computed part (a member name, an LSN). With --runner, the scenario
# files must also pass, so a pinned reason is one Decide really gives.
# Reasons listed in coverage_exempt.list may stay unpinned; an entry that no longer matches an
# unpinned reason fails the check, so the list only shrinks.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runner=""
while (($#)); do
  case $1 in
    --runner) runner=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "coverage.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ -n $runner ]] && ! out=$("$runner" "$here"); then
  printf '%s\n' "$out" | grep -v '^PASS' >&2
  echo "coverage.sh: scenario files fail; a failing file pins nothing" >&2
  exit 1
fi
cd "$root"
exec /usr/bin/python3 tests/scenario/coverage.py --scenarios tests/scenario \
  --exempt tests/scenario/coverage_exempt.list src/ha/*.cc
