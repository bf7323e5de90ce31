#include "config/sample.h"

namespace pgha::config {

std::string SampleConfig(const std::string& name, const std::string& host) {
  std::string out;
  out += "# pgha configuration (Patroni's format); pgha --validate-config checks it.\n";
  out += "scope: postgres-cluster\n";
  out += "namespace: /service/\n";
  out += "name: " + name + "\n";
  out += "\n";
  out += "log:\n";
  out += "  level: INFO\n";
  out += "\n";
  out += "restapi:\n";
  out += "  listen: 0.0.0.0:8008\n";
  out += "  connect_address: " + host + ":8008\n";
  out += "\n";
  out += "etcd3:\n";
  out += "  hosts: " + host + ":2379\n";
  out += "\n";
  out += "bootstrap:\n";
  out += "  dcs:  # the cluster's first /config; change it later with pghactl edit-config\n";
  out += "    ttl: 5\n";
  out += "    loop_wait: 1\n";
  out += "    retry_timeout: 2\n";
  out += "    maximum_lag_on_failover: 1048576\n";
  out += "    synchronous_mode: false\n";
  out += "    postgresql:\n";
  out += "      use_pg_rewind: true\n";
  out += "      use_slots: true\n";
  out += "      parameters:\n";
  out += "        wal_level: replica\n";
  out += "        hot_standby: 'on'\n";
  out += "        max_wal_senders: 10\n";
  out += "        max_replication_slots: 10\n";
  out += "        wal_log_hints: 'on'\n";
  out += "  initdb:\n";
  out += "    - encoding: UTF8\n";
  out += "    - data-checksums\n";
  out += "\n";
  out += "postgresql:\n";
  out += "  listen: 0.0.0.0:5432\n";
  out += "  connect_address: " + host + ":5432\n";
  out += "  data_dir: /var/lib/postgresql/15/" + name + "\n";
  out += "  bin_dir: /usr/lib/postgresql/15/bin\n";
  out += "  pgpass: /tmp/pgpass0\n";
  out += "  authentication:\n";
  out += "    superuser:\n";
  out += "      username: postgres\n";
  out += "      password: change-me\n";
  out += "    replication:\n";
  out += "      username: replicator\n";
  out += "      password: change-me-too\n";
  out += "  pg_hba:\n";
  out += "    - local all all peer\n";
  out += "    - host replication replicator 0.0.0.0/0 scram-sha-256\n";
  out += "    - host all all 0.0.0.0/0 scram-sha-256\n";
  out += "\n";
  out += "tags:\n";
  out += "  nofailover: false\n";
  out += "  noloadbalance: false\n";
  out += "  clonefrom: false\n";
  out += "  nosync: false\n";
  return out;
}

}  // namespace pgha::config
