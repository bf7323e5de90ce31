#pragma once
// What the REST API serves: an immutable snapshot published by the HA loop after every cycle.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ha/cluster.h"
#include "ha/local_state.h"
#include "ha/settings.h"

namespace pgha::node {

struct Snapshot {
  std::string scope, name, version;
  ha::LocalPg pg;
  // GET /patroni could not read PostgreSQL's positions at the request: `pg`'s are the last
  // loop's, possibly behind. A quorum-commit promotion must not count such an answer.
  bool positions_stale = false;
  bool is_leader = false;         // holds the leader key, renewed less than ttl ago
  bool cluster_unlocked = false;  // no leader key in the DCS at the last read
  bool dcs_ok = false;            // last DCS read succeeded
  double dcs_last_seen = 0;       // epoch seconds of the last successful DCS contact
  ha::Tags tags;
  ha::Settings settings;
  std::optional<uint64_t> cluster_optime;  // status.optime
  std::optional<ha::SyncState> sync;
  std::string reason;  // last decision's reason
  bool watchdog_failed = false;
  // Failsafe mode: this primary runs on its members' confirmations, or this member confirmed a
  // primary less than ttl ago (Patroni's failsafe_mode_is_active).
  bool failsafe_active = false;
  std::map<std::string, std::string> failsafe_members;  // /failsafe at the last etcd read
  MonoTime liveness_deadline{};  // /liveness answers 503 once this has passed
  // The decision journal (GET /journal): scenario files, oldest first.
  std::shared_ptr<const std::vector<std::string>> journal;
};

}  // namespace pgha::node
