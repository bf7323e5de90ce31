# Shared by the tests/deploy scripts: one assertion per `check`, bounded polling, a failure count.
FAILS=0
log() { echo "[$(date +%T)] $*"; }
check() {  # DESCRIPTION COMMAND...: one assertion
  local what=$1; shift
  if "$@"; then log "ok   $what"; else log "FAIL $what"; FAILS=$((FAILS + 1)); fi
}
wait_for() {  # SECONDS COMMAND...: polls every 0.3 s until COMMAND succeeds, at most SECONDS
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}
finish() {  # NAME: the exit status and summary line
  if [ "$FAILS" -gt 0 ]; then echo "$1: $FAILS check(s) failed"; exit 1; fi
  echo "$1: every check passed"
}
