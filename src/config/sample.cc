#include "config/sample.h"

namespace pgha::config {
namespace {

// @NAME@ and @HOST@ are replaced.
constexpr const char* kSample =
    R"yaml(# pgha configuration (Patroni's format); pgha --validate-config checks it.
scope: postgres-cluster
namespace: /service/
name: @NAME@

log:
  level: INFO

restapi:
  listen: 0.0.0.0:8008
  connect_address: @HOST@:8008

etcd3:
  hosts: @HOST@:2379

bootstrap:
  dcs:  # the cluster's first /config; change it later with pghactl edit-config
    ttl: 5
    loop_wait: 1
    retry_timeout: 2
    maximum_lag_on_failover: 1048576
    synchronous_mode: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: 'on'
  initdb:
    - encoding: UTF8
    - data-checksums

postgresql:
  listen: 0.0.0.0:5432
  connect_address: @HOST@:5432
  data_dir: /var/lib/postgresql/15/@NAME@
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /tmp/pgpass0
  authentication:
    superuser:
      username: postgres
      password: change-me
    replication:
      username: replicator
      password: change-me-too
  pg_hba:
    - local all all peer
    - host replication replicator 0.0.0.0/0 scram-sha-256
    - host all all 0.0.0.0/0 scram-sha-256

tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
)yaml";

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string SampleConfig(const std::string& name, const std::string& host) {
  std::string out = kSample;
  ReplaceAll(out, "@NAME@", name);
  ReplaceAll(out, "@HOST@", host);
  return out;
}

}  // namespace pgha::config
