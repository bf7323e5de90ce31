# Shared helpers for the shell-driven cluster tests: assertions that count, and waiting on a
# condition with a deadline (never a bare sleep as a wait).
set -uo pipefail
PASSED=0
FAILED=0
BIN=${PGHA_BIN_DIR:?PGHA_BIN_DIR must point at build/src/bin}
PGHACTL="$BIN/pghactl"

pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# wait_for SECONDS command... : polls the command every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
  return 0
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
