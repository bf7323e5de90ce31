#!/usr/bin/env bash
# The simulator's CI budget (tests/sim/README.md).
#   tests/sim/run.sh             every mode (async, sync, strict, quorum, slow, failsafe, cold) over
#                                SIM_SEEDS seeds (default 5000) each; exit 0 when all pass.
#   tests/sim/run.sh --controls  every negative control; exit 0 when each finds its violation
#                                within SIM_CONTROL_SEEDS seeds (default 4000).
# One summary line per mode / control. SIM_BUILD (default build), SIM_JOBS (default 2).
set -u
cd "$(dirname "$0")/../.."
BUILD=${SIM_BUILD:-build}
RUNNER=${SIM_RUNNER:-$BUILD/tests/sim/sim_runner}
SEEDS=${SIM_SEEDS:-5000}
CONTROL_SEEDS=${SIM_CONTROL_SEEDS:-4000}
JOBS=${SIM_JOBS:-2}
[ -x "$RUNNER" ] || { echo "run.sh: $RUNNER not built (ninja -C $BUILD sim_runner)"; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# One job: name, then sim_runner arguments. Output in $OUT/<name>.out, seconds in .time.
job() {
  local name=$1
  shift
  local t0=$(date +%s.%N)
  "$RUNNER" "$@" >"$OUT/$name.out" 2>&1
  echo $? >"$OUT/$name.rc"
  echo "$(date +%s.%N) - $t0" | bc >"$OUT/$name.time"
}
# Runs `job` in the background, at most $JOBS at a time.
spawn() {
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  job "$@" &
}

# Whole-cluster power losses (opt-in fault power-all) among the faults that leave a member behind.
COLD_FAULTS=power-all,power,kill,lag,crash,switchover

if [ "${1:-}" = "--controls" ]; then
  # name | sim_runner flags | the violation it must produce (sim_runner --expect)
  CONTROLS=(
    "no-fence|--no-fence|at most one writable|(b) "
    "no-sync-wait|--sync --no-sync-wait|no acknowledged write lost"
    "lie-ttl|--lie-ttl|(b) |at most one writable"
    "hide-unqueryable|--hide-unqueryable|(b) |at most one writable"
    "fake-sync-member|--sync --fake-sync-member|no acknowledged write lost"
    "break-leader|--break-leader|(a) "
    "stopped-veto|--stopped-veto --faults start-fail,crash --steps 1500|(d) "
    "stopped-at-zero|--stopped-at-zero --faults $COLD_FAULTS|(h) "
    "drop-slots|--drop-slots|(e) "
    "no-timeline-claim|--no-timeline-claim --faults latency,slow-start,pause,crash|known bug B2"
    "no-former-leader-probe|--no-former-leader-probe --faults etcd-revoke,crash,switchover|at most one writable|(b) "
    "late-fence|--late-fence --faults slow-link|(f) "
    "thin-journal|--thin-journal|(g) "
    "stale-peer-positions|--sync-quorum --stale-peer-positions|no acknowledged write lost"
    "zero-quorum|--sync-quorum --zero-quorum|no acknowledged write lost"
    "failsafe-forget|--failsafe-forget --faults etcd-down,etcd-cut,partition,crash,kill|at most one writable|(b) "
  )
  for c in "${CONTROLS[@]}"; do
    IFS='|' read -r name flags _ <<<"$c"
    expect=${c#*|*|}
    # shellcheck disable=SC2086
    spawn "$name" $flags --seeds "$CONTROL_SEEDS" --expect "$expect"
  done
  wait
  status=0
  for c in "${CONTROLS[@]}"; do
    IFS='|' read -r name flags _ <<<"$c"
    rc=$(cat "$OUT/$name.rc")
    t=$(printf '%.1f' "$(cat "$OUT/$name.time")")
    if [ "$rc" = 0 ]; then
      line=$(grep -m1 '^CONTROL found' "$OUT/$name.out" | sed 's/^CONTROL found its violation at //')
      echo "control $name ($flags): FOUND ${line} [${t} s]"
    else
      status=1
      echo "control $name ($flags): MISSED in $CONTROL_SEEDS seeds [${t} s]"
      tail -5 "$OUT/$name.out" | sed 's/^/    /'
    fi
  done
  exit $status
fi

# Modes, each split in two halves so that two jobs stay busy.
MODES=("async|" "sync|--sync" "strict|--sync-strict" "quorum|--sync-quorum" "slow|--faults slow-link"
  "failsafe|--failsafe" "cold|--faults $COLD_FAULTS")
HALF=$((SEEDS / 2))
for m in "${MODES[@]}"; do
  IFS='|' read -r name flags <<<"$m"
  # shellcheck disable=SC2086
  spawn "$name.1" $flags --seeds "$HALF" --first-seed 1
  # shellcheck disable=SC2086
  spawn "$name.2" $flags --seeds "$((SEEDS - HALF))" --first-seed "$((HALF + 1))"
done
wait
status=0
for m in "${MODES[@]}"; do
  IFS='|' read -r name flags <<<"$m"
  passed=0 failed=0 secs=0 rc=0
  for part in 1 2; do
    f="$OUT/$name.$part"
    p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$f.out")
    q=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$f.out")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${q:-1}))
    secs=$(echo "$secs + $(cat "$f.time")" | bc)
    [ "$(cat "$f.rc")" = 0 ] || rc=1
  done
  known=$(grep -h '^KNOWN BUG' "$OUT/$name".*.out | sed 's/ tolerated.*in \([0-9]*\) seeds.*/ in \1 seeds/' | paste -sd, -)
  printf 'sim %-6s %s: %d passed, %d failed (%.1f s)%s\n' "$name" "$flags" "$passed" "$failed" \
    "$secs" "${known:+; tolerated: $known}"
  if [ $rc != 0 ]; then
    status=1
    grep -h -A1 '^FAIL\|^  replay' "$OUT/$name".*.out | grep -v '^    ' | head -20 | sed 's/^/    /'
  fi
done
exit $status
