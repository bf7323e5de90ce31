#pragma once
// Snapshots shared by the api unit tests: a leader primary, a streaming replica, a stopped node
// and a primary whose cluster is unlocked.
#include "node/snapshot.h"

namespace pgha::api::testing {

inline MonoTime T0() { return MonoTime{} + std::chrono::hours(1); }

inline Snapshot Base() {
  Snapshot s;
  s.scope = "demo";
  s.name = "node1";
  s.version = "0.1.0";
  s.dcs_ok = true;
  s.dcs_last_seen = 1700000000.5;
  s.liveness_deadline = T0() + std::chrono::seconds(10);
  s.pg.data_dir_empty = false;
  s.pg.sysid = "7710918677133999698";
  s.pg.running = s.pg.postmaster = true;
  s.pg.state = "running";
  s.pg.timeline = 2;
  s.pg.server_version = 150018;
  s.pg.postmaster_start_time = "2026-01-01 00:00:00.000+00:00";
  return s;
}

inline Snapshot Primary() {
  Snapshot s = Base();
  s.is_leader = true;
  s.pg.wal_lsn = 0x5000060;
  s.cluster_optime = 0x5000000;
  s.pg.replication.push_back(
      {"replicator", "node2", "127.0.0.1", "streaming", "async", 0, 0x5000060, 0x5000060});
  return s;
}

inline Snapshot Replica() {
  Snapshot s = Base();
  s.name = "node2";
  s.pg.in_recovery = true;
  s.pg.streaming = true;
  s.pg.receive_lsn = 0x5000060;
  s.pg.replay_lsn = 0x5000000;
  s.cluster_optime = 0x5000060;
  s.pg.replayed_timestamp = "2026-01-01 00:00:01+00:00";
  return s;
}

inline Snapshot Stopped() {
  Snapshot s = Base();
  s.pg.running = s.pg.postmaster = false;
  s.pg.state = "stopped";
  s.pg.standby_signal = true;  // a stopped replica: its role comes from the data directory
  return s;
}

inline Snapshot Unlocked() {  // a primary that no longer holds the leader key
  Snapshot s = Primary();
  s.is_leader = false;
  s.cluster_unlocked = true;
  return s;
}

}  // namespace pgha::api::testing
