#!/usr/bin/env bash
# Every nemesis of the catalogue on pgha and on Patroni, asynchronous and synchronous, one run
# each, then docs/reliability.md from the recorded histories (report.py). About 10 minutes per
# system and mode on 2 cores.
#
#   tests/fault/suite.sh [--systems pgha,patroni,patroni4] [--modes async,sync] [--random SEED N]
#                        [--only A,B] [--ttl N] [--section KEY TITLE]
#                        [--out FILE]   (default docs/reliability.md)
# --only and --ttl go to run.sh as they are; --section to report.py (the figures replace only
# that section of FILE). Each run's figures are kept under /var/tmp/pgha-fault-suite.*. A run that fails still gives its figures; the exit status is 1 if any
# run failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SYSTEMS=pgha,patroni
MODES=async,sync
SELECT=(--full)
OUT=$ROOT/docs/reliability.md
RUN_OPTS=()
REPORT_OPTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --systems) SYSTEMS=${2:?--systems needs a list}; shift 2 ;;
    --modes) MODES=${2:?--modes needs a list}; shift 2 ;;
    --random) SELECT=(--random "${2:?--random needs SEED N}" "${3:?--random needs SEED N}"); shift 3 ;;
    --only) SELECT=(--only "${2:?--only needs nemesis names}"); shift 2 ;;
    --ttl) RUN_OPTS+=(--ttl "${2:?--ttl needs seconds}"); shift 2 ;;
    --section) REPORT_OPTS=(--section "${2:?--section needs KEY TITLE}" "${3:?--section needs KEY TITLE}")
      shift 3 ;;
    --out) OUT=${2:?--out needs a file}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
# The figures stay (a few hundred kB): report.py can write the document again from them.
WORK=$(mktemp -d /var/tmp/pgha-fault-suite.XXXXXX)
status=0
pairs=()
IFS=, read -ra systems <<<"$SYSTEMS"
IFS=, read -ra modes <<<"$MODES"
for mode in "${modes[@]}"; do
  case "$mode" in async|sync) ;; *) echo "unknown mode: $mode" >&2; exit 2 ;; esac
  for system in "${systems[@]}"; do
    case "$system" in pgha|patroni|patroni4) ;; *) echo "unknown system: $system" >&2; exit 2 ;; esac
    [ "$system" = patroni4 ] && { "$HERE/patroni4.sh" || exit 1; }
    json="$WORK/$system-$mode.json"
    flags=(--system "$system" --json "$json" "${RUN_OPTS[@]}")
    [ "$mode" = sync ] && flags+=(--sync)
    echo "== $system, $mode: $HERE/run.sh ${SELECT[*]} ${flags[*]}"
    bash "$HERE/run.sh" "${SELECT[@]}" "${flags[@]}" || status=1
    pairs+=("$system ($mode)=$json")
  done
done
/usr/bin/python3 "$HERE/report.py" "$OUT" "${REPORT_OPTS[@]}" \
  "tests/fault/suite.sh --systems $SYSTEMS --modes $MODES ${SELECT[*]} ${RUN_OPTS[*]}" "${pairs[@]}"
echo "figures kept in $WORK (report.py OUT [--section KEY TITLE] COMMAND LABEL=FILE...)"
exit "$status"
