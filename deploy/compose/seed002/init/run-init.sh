#!/bin/bash
# pg-cluster-init: waits until the write port reaches a writable leader and at least one replica
# streams, then runs init.sql once. A marker table records that it ran: a later `up` does not
# run it again. Bounded: gives up after INIT_TIMEOUT seconds (default 300).
set -uo pipefail
export PGPASSWORD=${PGPASSWORD_SUPERUSER:?set PGPASSWORD_SUPERUSER}
router=${ROUTER_HOST:-pg-router}
deadline=$((SECONDS + ${INIT_TIMEOUT:-300}))
psql_w() { psql -h "$router" -p 5432 -U "${PGUSER_SUPERUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 -qtAX "$@"; }
until [ "$(psql_w -c "SELECT NOT pg_is_in_recovery() AND (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') > 0" 2>/dev/null)" = t ]; do
  [ $SECONDS -lt $deadline ] || { echo "pg-cluster-init: no writable leader with a streaming replica after ${INIT_TIMEOUT:-300} s" >&2; exit 1; }
  sleep 1
done
if [ "$(psql_w -c "SELECT to_regclass('public.pgha_init_done') IS NOT NULL")" = t ]; then
  echo "pg-cluster-init: already initialized; nothing to do"
  exit 0
fi
# CREATE DATABASE cannot run in a transaction block: run the file, then record it.
psql_w -f /init/init.sql || { echo "pg-cluster-init: init.sql failed" >&2; exit 1; }
psql_w -c "CREATE TABLE public.pgha_init_done (at timestamptz NOT NULL DEFAULT now()); INSERT INTO public.pgha_init_done DEFAULT VALUES"
echo "pg-cluster-init: init.sql applied"
