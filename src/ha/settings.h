#pragma once
// Cluster-wide dynamic settings (the DCS `/config` key merged over the local file), typed.
#include <cstdint>
#include <map>
#include <string>

namespace pgha::ha {

// A permanent replication slot from /config `slots`: physical when plugin is empty.
struct PermanentSlot {
  std::string database;
  std::string plugin;
  bool Logical() const { return !plugin.empty(); }
  bool operator==(const PermanentSlot&) const = default;
};

// pgha's own defaults; docs/timing.md explains them. A Patroni config's values are honoured.
struct Settings {
  int ttl = 5;            // seconds: lease TTL of the leader and member keys
  int loop_wait = 1;      // seconds between HA loops when nothing wakes the loop
  int retry_timeout = 2;  // seconds: deadline of one DCS or PostgreSQL operation incl. retries
  uint64_t maximum_lag_on_failover = 1048576;
  int primary_start_timeout = 300;
  int primary_stop_timeout = 0;
  bool pause = false;
  bool check_timeline = false;
  bool synchronous_mode = false;
  bool synchronous_mode_quorum = false;  // synchronous_mode: quorum (ha/quorum.h)
  bool synchronous_mode_strict = false;
  int synchronous_node_count = 1;
  // A synchronous standby further behind than this (bytes) is replaced; <= 0: never (Patroni).
  int64_t maximum_lag_on_syncnode = -1;
  bool use_pg_rewind = true;
  bool use_slots = true;
  bool failsafe_mode = false;
  int member_slots_ttl = 1800;  // seconds a departed member's slot is kept (Patroni: 30min)
  std::map<std::string, PermanentSlot> slots;  // /config `slots`, by slot name
  bool operator==(const Settings&) const = default;
};

}  // namespace pgha::ha
