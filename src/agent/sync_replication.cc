// The agent's side of synchronous_mode: writing `/sync` and synchronous_standby_names in the
// order ha/sync.h requires. Decide chooses what they must say; these only apply it.
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "core/strings.h"
#include "dcs/codec.h"
#include "ha/sync.h"

namespace pgha::agent {
namespace {

Status WriteSyncKey(dcs::Dcs& dcs, const ha::ClusterView& view, const ha::SyncState& state) {
  auto wrote = dcs.WriteSync(dcs::EncodeSync(state), view.sync ? view.sync_mod_revision : 0);
  if (!wrote.ok()) return wrote.error();
  if (!*wrote) return Err("/sync was updated by someone else; trying again on the next loop");
  return OkStatus();
}

}  // namespace

// `/sync` first (it may only shrink, or grow by standbys already confirmed synchronous), then
// synchronous_standby_names (which keeps every standby `/sync` lists).
Status Agent::ApplySync(const ha::Observation& obs, const std::string& value,
                        const std::string& standbys) {
  std::vector<std::string> listed;
  for (const auto& n : Split(standbys, ',')) {
    if (!n.empty()) listed.push_back(n);
  }
  if (!ha::SyncKeyMatches(obs.cluster, cfg_.name, listed)) {
    PGHA_TRY(WriteSyncKey(dcs_, obs.cluster, ha::SyncState{cfg_.name, listed, 0}));
    spdlog::info("/sync: leader {}, synchronous standbys [{}]", cfg_.name, standbys);
  }
  if (obs.pg.synchronous_standby_names == value && sync_names_ == value) return OkStatus();
  sync_names_ = value;
  nlohmann::json params = Parameters();
  PGHA_TRY(pg_.WriteConfig(params, Hba(), std::nullopt));
  written_params_ = params.dump();
  PGHA_TRY(pg_.Reload());
  spdlog::info("synchronous_standby_names = '{}'", value);
  return OkStatus();
}

// Before a promotion in synchronous mode: `/sync` names me as the leader with no standby yet, so
// a member the old leader listed cannot be promoted over commits I acknowledge from now on.
// Losing the compare-and-swap postpones the promotion to the next loop.
Status Agent::ClaimSyncKey(const ha::Observation& obs) {
  if (ha::SyncKeyMatches(obs.cluster, cfg_.name, {})) return OkStatus();
  Status st = WriteSyncKey(dcs_, obs.cluster, ha::SyncState{cfg_.name, {}, 0});
  if (!st.ok()) return Err("postponing promotion: " + st.message());
  spdlog::info("/sync: leader {} (promoting), no synchronous standby yet", cfg_.name);
  return OkStatus();
}

}  // namespace pgha::agent
