#!/bin/bash
# Writes /etc/pgha/pgha.yml from the environment unless a configuration file is mounted there
# (or PGHA_CONFIG_FILE names one), then runs the agent. PATRONI_*/PGHA_* variables override any
# key of the file (the agent applies them itself). Spilo-style names the seeds use are accepted:
# SCOPE, ETCD3_HOSTS / ETCD_HOSTS, PGUSER_SUPERUSER, PGPASSWORD_SUPERUSER, PGUSER_STANDBY,
# PGPASSWORD_STANDBY, PGDATA. Every *PASSWORD* variable may instead be given as VAR_FILE (a
# mounted secret). Anything else is an error that names the variable.
# What `pghactl gen --compose` sets from a seed-000 values file (resources, internal_access):
#   PGHA_PARAMETERS      "name=value ..."  postgresql.parameters of this node
#   PGHA_DCS_PARAMETERS  "name=value ..."  bootstrap.dcs parameters (identical on every node)
#   PGHA_HBA_SOURCES     "samenet 10.1.0.0/16 app.example ..."  who may connect (pg_hba); the
#                        members themselves (superuser, replication) always come from samenet.
#                        Unset: from anywhere, with a password.
set -euo pipefail
die() { echo "pgha-entrypoint: $*" >&2; exit 2; }

# VAR_FILE -> VAR for the secrets (docker/compose secrets are files).
for var in PGPASSWORD_SUPERUSER PGPASSWORD_STANDBY PGPASSWORD_REWIND PATRONI_SUPERUSER_PASSWORD \
           PATRONI_REPLICATION_PASSWORD PATRONI_REWIND_PASSWORD PATRONI_RESTAPI_PASSWORD; do
  file_var="${var}_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -z "${!var:-}" ] || die "$var and $file_var are both set; set one"
    [ -r "${!file_var}" ] || die "$file_var=${!file_var}: cannot read the file"
    export "$var=$(cat "${!file_var}")"
  fi
done

config=${PGHA_CONFIG_FILE:-/etc/pgha/pgha.yml}
if [ -n "${PGHA_CONFIG_FILE:-}" ] && [ ! -r "$config" ]; then
  die "PGHA_CONFIG_FILE=$config: cannot read the file"
fi
if [ ! -e "$config" ] || [ -n "${PGHA_REWRITE_CONFIG:-}" ]; then
  scope=${SCOPE:-${PATRONI_SCOPE:-${PGHA_SCOPE:-}}}
  [ -n "$scope" ] || die "no cluster name: set SCOPE (or PATRONI_SCOPE)"
  hosts=${ETCD3_HOSTS:-${ETCD_HOSTS:-${PATRONI_ETCD3_HOSTS:-}}}
  [ -n "$hosts" ] || die "no etcd: set ETCD3_HOSTS (e.g. etcd-1:2379,etcd-2:2379)"
  # Spilo writes the list as 'a:2379','b:2379': drop quotes and brackets, keep the commas.
  hosts=$(tr -d "'\"[] " <<<"$hosts")
  for h in ${hosts//,/ }; do
    [[ $h =~ ^[A-Za-z0-9._-]+:[0-9]+$ ]] || die "ETCD3_HOSTS: '$h' is not host:port"
  done
  addr=$(hostname -i | awk '{print $1}')
  [ -n "$addr" ] || die "cannot find this container's address (hostname -i)"
  name=${PGHA_NAME:-${PATRONI_NAME:-$(hostname)}}
  su_user=${PGUSER_SUPERUSER:-postgres}
  su_pass=${PGPASSWORD_SUPERUSER:-}
  repl_user=${PGUSER_STANDBY:-standby}
  repl_pass=${PGPASSWORD_STANDBY:-}
  [ -n "$su_pass" ] || [ -n "${PATRONI_SUPERUSER_PASSWORD:-}" ] ||
    die "no superuser password: set PGPASSWORD_SUPERUSER (or PGPASSWORD_SUPERUSER_FILE)"
  [ -n "$repl_pass" ] || [ -n "${PATRONI_REPLICATION_PASSWORD:-}" ] ||
    die "no replication password: set PGPASSWORD_STANDBY (or PGPASSWORD_STANDBY_FILE)"
  sync=${SYNCHRONOUS_MODE:-false}
  [[ $sync =~ ^(true|false)$ ]] || die "SYNCHRONOUS_MODE=$sync: expected true or false"
  q() { local s=${1//\'/\'\'}; printf "'%s'" "$s"; }  # a YAML single-quoted scalar
  params_yaml() {  # VAR INDENT: "name=value ..." from VAR as YAML mapping lines
    local var=$1 indent=$2 item
    local -; set -f  # '*' in a value is a value, not a file name pattern
    for item in ${!var:-}; do
      [[ $item =~ ^[A-Za-z_][A-Za-z0-9_.]*=.+$ ]] || die "$var: '$item' is not name=value"
      printf '%s%s: %s\n' "$indent" "${item%%=*}" "$(q "${item#*=}")"
    done
  }
  dcs_params=$(params_yaml PGHA_DCS_PARAMETERS '        ') || exit 2
  node_params=$(params_yaml PGHA_PARAMETERS '    ') || exit 2
  if [ -n "${PGHA_HBA_SOURCES:-}" ]; then
    hba="  - local all all trust
  - host all all 127.0.0.1/32 scram-sha-256
  - host replication $repl_user samenet scram-sha-256
  - host all $su_user samenet scram-sha-256"
    for src in $PGHA_HBA_SOURCES; do
      [[ $src =~ ^(samenet|samehost|[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$ ]] ||
        die "PGHA_HBA_SOURCES: '$src' is not samenet, samehost, an IPv4 CIDR or a host name"
      hba+="
  - host all all $src scram-sha-256"
    done
  else
    hba="  - local all all trust
  - host replication $repl_user 0.0.0.0/0 scram-sha-256
  - host all all 0.0.0.0/0 scram-sha-256"
  fi
  umask 077
  cat >"$config" <<YAML
scope: $(q "$scope")
namespace: $(q "${PGHA_NAMESPACE:-/service/}")
name: $(q "$name")
restapi:
  listen: 0.0.0.0:8008
  connect_address: $addr:8008
etcd3:
  hosts: $(q "$hosts")
bootstrap:
  dcs:
    synchronous_mode: $sync
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_log_hints: 'on'
${dcs_params}
  initdb:
  - encoding: UTF8
  - data-checksums
postgresql:
  listen: 0.0.0.0:5432
  connect_address: $addr:5432
  data_dir: $(q "${PGDATA:-/var/lib/pgha/data}")
  bin_dir: /usr/lib/postgresql/${PG_MAJOR}/bin
  pgpass: /tmp/pgpass
  authentication:
    superuser:
      username: $(q "$su_user")
      password: $(q "$su_pass")
    replication:
      username: $(q "$repl_user")
      password: $(q "$repl_pass")
  parameters:
    unix_socket_directories: /var/run/postgresql
${node_params}
  pg_hba:
${hba}
YAML
fi
pgha --validate-config "$config" >/dev/null || die "$config: invalid (see above)"
exec pgha "$config"
