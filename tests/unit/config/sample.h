#pragma once
// A realistic Patroni configuration, modelled on Patroni's postgres0.yml (with an absolute
// data_dir, which pgha requires), shared by the config tests.
#include <string>

namespace pgha::config::testing {

inline const std::string kPostgres0Yml = R"(scope: batman
namespace: /service/
name: postgresql0

restapi:
  listen: 127.0.0.1:8008
  connect_address: 127.0.0.1:8008
#  cafile: /etc/ssl/certs/ssl-cacert-snakeoil.pem
  authentication:
    username: username
    password: password

ctl:
  insecure: false

etcd3:
  hosts: 127.0.0.1:2379,127.0.0.2:2379

log:
  level: INFO
  dir: /var/log/pgha

bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      pg_hba:
      - host replication replicator 127.0.0.1/32 md5
      - host all all 0.0.0.0/0 md5
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: "on"
        wal_keep_size: 128MB
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: on
  initdb:
  - encoding: UTF8
  - data-checksums
  pg_hba:
  - host replication replicator 127.0.0.1/32 md5
  - host all all 0.0.0.0/0 md5

postgresql:
  listen: 127.0.0.1:5432
  connect_address: 127.0.0.1:5432
  data_dir: /var/lib/pgha/data/postgresql0/
  pgpass: /tmp/pgpass0
  authentication:
    replication:
      username: replicator
      password: rep-pass
    superuser:
      username: postgres
      password: zalando
    rewind:
      username: rewind_user
      password: rewind_password
      sslmode: prefer
  parameters:
    unix_socket_directories: '..'
    shared_buffers: 128MB
    work_mem: 4096
    random_page_cost: 1.1
    port_text: '5432'
  create_replica_methods:
  - basebackup

watchdog:
  mode: automatic
  device: /dev/watchdog
  safety_margin: 5

tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
  nostream: false
  failover_priority: 2
  zone: eu-1
)";

}  // namespace pgha::config::testing
