#!/usr/bin/env bash
# `pgha --validate-config FILE [--strict]` as an operator runs it before a deploy:
#   1. a file with errors in three sections: exit 1 and one "invalid configuration" line naming
#      each bad key, in one run
#   2. a valid file with an unknown key and a key pgha does not act on: exit 0 with both named
#      as warnings; with --strict: exit 1
#   3. a valid file without warnings passes --strict; --strict alone is a usage error (exit 2)
# No cluster is started.
source "$(dirname "$0")/lib.sh"
D=$(mktemp -d /var/tmp/pgha-it-validate.XXXXXX)
trap 'rm -rf "$D"' EXIT
base() {
  cat <<YAML
scope: v
name: node1
restapi: {listen: 127.0.0.1:8008, connect_address: 127.0.0.1:8008}
etcd3: {host: 127.0.0.1:2379}
postgresql:
  listen: 127.0.0.1:5432
  connect_address: 127.0.0.1:5432
  data_dir: $D/data
YAML
}
validate() { "$BIN/pgha" --validate-config "$@" >"$D/out" 2>"$D/err"; }

base | sed 's/listen: 127.0.0.1:8008,/listen: nowhere,/; s/listen: 127.0.0.1:5432/listen: 127.0.0.1:99999/' \
  >"$D/bad.yml"
printf 'log:\n  format: "%%(colour)s"\n' >>"$D/bad.yml"
validate "$D/bad.yml"
check "[1] errors in three sections: exit 1" test $? = 1
check "[1] restapi.listen named" grep -q "invalid configuration: restapi.listen" "$D/err"
check "[1] postgresql.listen named" grep -q "invalid configuration: postgresql.listen" "$D/err"
check "[1] log.format named" grep -q "invalid configuration: log.format.*colour" "$D/err"
check "[1] one line per error" test "$(grep -c 'invalid configuration:' "$D/err")" = 3

{ base; printf 'frobnicate: 1\nlog:\n  max_queue_size: 100\n'; } >"$D/warn.yml"
validate "$D/warn.yml"
check "[2] warnings only: exit 0" test $? = 0
check "[2] the unknown key is named" grep -q "warning: unknown key frobnicate" "$D/err"
check "[2] the ignored key is named" grep -q "warning: log.max_queue_size" "$D/err"
validate "$D/warn.yml" --strict
check "[2] --strict: exit 1" test $? = 1
check "[2] --strict says why" grep -q "invalid under --strict: 2 warning(s)" "$D/err"

base >"$D/clean.yml"
validate "$D/clean.yml" --strict
check "[3] a clean file passes --strict" test $? = 0
sed 's/^/    /' "$D/err" | head -5
"$BIN/pgha" --strict "$D/clean.yml" 2>"$D/err"
check "[3] --strict without --validate-config: exit 2" test $? = 2
finish
