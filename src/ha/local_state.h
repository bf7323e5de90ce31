#pragma once
// What the agent knows about its own PostgreSQL, as observed once per loop. Plain data.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgha::ha {

struct ReplicationClient {  // one row of pg_stat_replication
  std::string usename, application_name, client_addr, state, sync_state;
  int sync_priority = 0;
  std::optional<uint64_t> flush_lsn, replay_lsn;
  bool operator==(const ReplicationClient&) const = default;
};

struct LocalPg {
  // Data directory facts (from the filesystem and pg_controldata).
  bool data_dir_empty = true;     // missing or empty
  std::string sysid;              // database system identifier; empty if unknown
  std::string control_state;      // pg_control "Database cluster state", e.g. "in production"
  uint32_t control_timeline = 0;  // latest checkpoint's TimeLineID
  uint64_t control_checkpoint = 0;
  bool standby_signal = false;  // standby.signal present
  // Where the timeline this server is on began (its pg_wal/<tl>.history; for a running server
  // the timeline it reports, else the control file's). Two members can promote to the same
  // timeline number at different points; comparing this with /history tells them apart.
  uint32_t timeline_start_of = 0;  // the timeline timeline_start belongs to; 0 = unknown
  uint64_t timeline_start = 0;

  // Server facts (from a libpq connection); meaningful only when running.
  bool running = false;     // postmaster alive and accepting connections
  bool postmaster = false;  // a postmaster process exists (may still be starting)
  bool in_recovery = false;
  uint32_t timeline = 0;
  uint64_t wal_lsn = 0;      // primary: pg_current_wal_lsn()
  uint64_t receive_lsn = 0;  // replica: last received
  uint64_t replay_lsn = 0;   // replica: last replayed
  std::optional<std::string> replayed_timestamp;
  bool replay_paused = false;
  bool streaming = false;     // a WAL receiver is in state 'streaming'
  std::string upstream_host;  // WAL receiver's sender host, when streaming
  int upstream_port = 0;
  std::vector<ReplicationClient> replication;
  std::string synchronous_standby_names;  // the value in force (current_setting)
  std::string synchronous_commit;         // the value in force: which LSN a standby confirms
  int server_version = 0;                 // e.g. 150018
  std::string postmaster_start_time;
  bool pending_restart = false;

  // The state string Patroni publishes: running, starting, stopped, crashed, ...
  std::string state = "stopped";

  // While PostgreSQL is not running its role comes from the data directory: standby.signal, or
  // a control file left in recovery, make it a replica (a query's in_recovery is stale then).
  std::string Role() const {
    if (running) return in_recovery ? "replica" : "primary";
    if (data_dir_empty) return "uninitialized";
    bool recovery = standby_signal || control_state.find("recovery") != std::string::npos;
    return recovery ? "replica" : "primary";
  }
  uint64_t WalPosition() const { return in_recovery ? std::max(receive_lsn, replay_lsn) : wal_lsn; }
  bool operator==(const LocalPg&) const = default;
};

}  // namespace pgha::ha
