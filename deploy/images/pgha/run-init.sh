#!/bin/bash
# pgha-run-init: waits until HAProxy's write port (ROUTER_HOST:5432) reaches a writable leader
# with at least one streaming replica, then runs INIT_SQL (default /init/init.sql) once. A marker
# table records that it ran: a later `up` does not run it again. Bounded: gives up after
# INIT_TIMEOUT seconds (default 300). The one-off init service of the compose files runs it.
set -uo pipefail
export PGPASSWORD=${PGPASSWORD_SUPERUSER:?set PGPASSWORD_SUPERUSER}
router=${ROUTER_HOST:-pg-router}
port=${ROUTER_PORT:-5432}
deadline=$((SECONDS + ${INIT_TIMEOUT:-300}))
psql_w() { psql -h "$router" -p "$port" -U "${PGUSER_SUPERUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 -qtAX "$@"; }
until [ "$(psql_w -c "SELECT NOT pg_is_in_recovery() AND (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') > 0" 2>/dev/null)" = t ]; do
  [ $SECONDS -lt $deadline ] || { echo "pgha-run-init: no writable leader with a streaming replica after ${INIT_TIMEOUT:-300} s" >&2; exit 1; }
  sleep 1
done
if [ "$(psql_w -c "SELECT to_regclass('public.pgha_init_done') IS NOT NULL")" = t ]; then
  echo "pgha-run-init: already initialized; nothing to do"
  exit 0
fi
# CREATE DATABASE cannot run in a transaction block: run the file, then record it.
psql_w -f "${INIT_SQL:-/init/init.sql}" || { echo "pgha-run-init: ${INIT_SQL:-/init/init.sql} failed" >&2; exit 1; }
psql_w -c "CREATE TABLE public.pgha_init_done (at timestamptz NOT NULL DEFAULT now()); INSERT INTO public.pgha_init_done DEFAULT VALUES"
echo "pgha-run-init: ${INIT_SQL:-/init/init.sql} applied"
