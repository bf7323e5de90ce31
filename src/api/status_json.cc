// GET /patroni body (docs/interfaces.md §3.2), field names as Patroni's get_postgresql_status.
#include <nlohmann/json.hpp>

#include "api/facts.h"
#include "api/health.h"

namespace pgha::api {
namespace {

using nlohmann::json;

json XlogJson(const ha::LocalPg& pg) {
  if (!pg.in_recovery) return {{"location", pg.wal_lsn}};
  return {{"received_location", pg.receive_lsn ? pg.receive_lsn : pg.replay_lsn},
          {"replayed_location", pg.replay_lsn},
          {"replayed_timestamp", pg.replayed_timestamp ? json(*pg.replayed_timestamp) : json()},
          {"paused", pg.replay_paused}};
}

json ReplicationJson(const std::vector<ha::ReplicationClient>& clients) {
  json out = json::array();
  for (const auto& c : clients) {
    out.push_back({{"usename", c.usename},
                   {"application_name", c.application_name},
                   {"client_addr", c.client_addr},
                   {"state", c.state},
                   {"sync_state", c.sync_state},
                   {"sync_priority", c.sync_priority}});
  }
  return out;
}

// Fields that need a running PostgreSQL (Patroni drops them when its query fails).
void AddServerFields(const Snapshot& s, json& out) {
  const ha::LocalPg& pg = s.pg;
  out["postmaster_start_time"] = pg.postmaster_start_time;
  out["server_version"] = pg.server_version;
  out["xlog"] = XlogJson(pg);
  out["timeline"] = pg.timeline;
  if (pg.in_recovery) {
    out["replication_state"] = pg.streaming ? "streaming" : "in archive recovery";
    if (IsSyncStandby(s)) out["sync_standby"] = true;
    if (IsQuorumStandby(s)) out["quorum_standby"] = true;
  } else if (!pg.replication.empty()) {
    out["replication"] = ReplicationJson(pg.replication);
  }
}

}  // namespace

json StatusJson(const Snapshot& s) {
  json out = json::object();
  out["state"] = s.pg.state;
  out["role"] = StatusRole(s);
  if (s.pg.running) AddServerFields(s, out);
  if (s.positions_stale) out["pgha_positions_stale"] = true;  // not Patroni's: ha/quorum.h
  if (s.cluster_unlocked) out["cluster_unlocked"] = true;
  out["dcs_last_seen"] = static_cast<int64_t>(s.dcs_last_seen);
  json tags = TagsJson(s.tags);
  if (!tags.empty()) out["tags"] = std::move(tags);
  if (!s.pg.sysid.empty()) out["database_system_identifier"] = s.pg.sysid;
  if (s.pg.pending_restart) out["pending_restart"] = true;
  if (s.settings.pause) out["pause"] = true;
  if (s.watchdog_failed) out["watchdog_failed"] = true;
  if (s.failsafe_active) out["failsafe_mode_is_active"] = true;
  out["patroni"] = {{"version", s.version}, {"scope", s.scope}, {"name", s.name}};
  if (!s.reason.empty()) out["reason"] = s.reason;
  return out;
}

}  // namespace pgha::api
