#!/usr/bin/env bash
# The negative controls of coverage.sh: on a fixture source (coverage_fixture/decide_fixture.cc,
# every form of Do() call coverage.py reads) the extractor finds exactly the expected reasons, and
# the check fails when a reason loses its scenario, when a scenario matches no reason, when an
# exemption goes stale, and when a reason cannot be read.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fix=$here/coverage_fixture
cov=(/usr/bin/python3 "$here/coverage.py")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect <exit status> <regex the output must match> <description> -- <command...>
expect() {
  local want=$1 pattern=$2 what=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want ]] || ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL $what: exit $rc (want $want), output:"
    sed 's/^/  /' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok   $what"
  fi
}

cd "$fix" || exit 1
if ! diff -u expected_reasons <("${cov[@]}" --scenarios scenarios --list decide_fixture.cc); then
  echo "FAIL the fixture's reasons differ from expected_reasons"
  failures=$((failures + 1))
else
  echo "ok   extracts the $(wc -l <expected_reasons) reasons of the fixture"
fi
expect 0 "^12 reasons: 11 pinned, 0 unpinned, 1 exempt" "a fully pinned fixture passes" -- \
  "${cov[@]}" --scenarios scenarios --exempt exempt.list decide_fixture.cc

cp -r scenarios "$work/missing" && rm "$work/missing/variable_raw.txt"
expect 1 '^UNPINNED variable: raw "string"  \[decide_fixture.cc:37\]' "a reason without scenario fails" -- \
  "${cov[@]}" --scenarios "$work/missing" --exempt exempt.list decide_fixture.cc

cp -r scenarios "$work/stray" && printf 'reason: nothing gives this\n' >"$work/stray/stray.txt"
expect 1 '^NOMATCH stray.txt: nothing gives this' "a scenario matching no reason fails" -- \
  "${cov[@]}" --scenarios "$work/stray" --exempt exempt.list decide_fixture.cc

printf 'other\nno such reason\n' >"$work/stale.list"
expect 1 '^STALE-EXEMPTION no such reason' "an exemption matching no unpinned reason fails" -- \
  "${cov[@]}" --scenarios scenarios --exempt "$work/stale.list" decide_fixture.cc

expect 1 '^UNPINNED other ' "without the exemption the exempt reason fails" -- \
  "${cov[@]}" --scenarios scenarios decide_fixture.cc

printf 'Decision F(std::string why) { return Do(why); }\n' >"$work/unassigned.cc"
expect 2 "unassigned.cc:1: the reason 'why' is never assigned" "an unreadable reason is an error" -- \
  "${cov[@]}" --scenarios scenarios "$work/unassigned.cc"

printf 'Decision F() { return Decision{{}, "by hand"}; }\n' >"$work/by_hand.cc"
expect 2 "by_hand.cc:1: a Decision built outside Do" "a Decision built without Do() is an error" -- \
  "${cov[@]}" --scenarios scenarios "$work/by_hand.cc"

echo "$failures failed"
exit $((failures > 0))
