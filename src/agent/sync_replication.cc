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
Status Agent::ApplySync(const ha::Observation& obs, const ha::action::SyncReplication& sync) {
  if (!ha::SyncKeyMatches(obs.cluster, cfg_.name, sync.standbys, sync.quorum)) {
    PGHA_TRY(WriteSyncKey(dcs_, obs.cluster, ha::SyncState{cfg_.name, sync.standbys, sync.quorum}));
    spdlog::info("/sync: leader {}, synchronous standbys [{}], quorum {}", cfg_.name,
                 Join(sync.standbys, ","), sync.quorum);
  }
  if (obs.pg.synchronous_standby_names == sync.names && sync_names_ == sync.names) {
    return OkStatus();
  }
  return SetSyncNames(sync.names);
}

// Writes this primary's postgresql.conf with synchronous_standby_names = `value` and reloads.
Status Agent::SetSyncNames(const std::string& value) {
  sync_names_ = value;
  nlohmann::json params = Parameters();
  PGHA_TRY(pg_.WriteConfig(params, Hba(), std::nullopt));
  written_params_ = params.dump();
  PGHA_TRY(pg_.Reload());
  spdlog::info("synchronous_standby_names = '{}'", value);
  return OkStatus();
}

// In synchronous mode a running primary commits without waiting only once /sync names it as the
// leader: until then nothing stops another member from being promoted over those commits (sim
// bugs S1: a bootstrap whose /sync write failed; a primary re-taking the key). It waits for a
// standby that does not exist until its leader step has written /sync; while etcd cannot be read
// the last read decides.
void Agent::FenceUnclaimedPrimary(const ha::Observation& obs) {
  if (obs.cluster.revision != 0) {
    sync_key_mine_ = obs.cluster.sync && obs.cluster.sync->leader == cfg_.name;
  }
  if (!settings_.synchronous_mode || !obs.pg.running || obs.pg.in_recovery || sync_key_mine_) {
    return;
  }
  const std::string fence = ha::PlaceholderSyncStandbyNames();
  if (sync_names_ == fence && obs.pg.synchronous_standby_names == fence) return;
  spdlog::warn("synchronous_mode: commits wait until /sync names this primary as the leader");
  if (auto st = SetSyncNames(fence); !st.ok()) spdlog::error("{}", st.message());
}

// Before a promotion, and at bootstrap, in synchronous mode: `/sync` names me as the leader with
// no standby yet, so a member an old leader listed cannot be promoted over commits I acknowledge
// from now on. A promotion that loses the compare-and-swap waits for the next loop.
Status Agent::ClaimSyncKey(const ha::Observation& obs) {
  if (ha::SyncKeyMatches(obs.cluster, cfg_.name, {})) return OkStatus();
  PGHA_TRY(WriteSyncKey(dcs_, obs.cluster, ha::SyncState{cfg_.name, {}, 0}));
  spdlog::info("/sync: leader {}, no synchronous standby yet", cfg_.name);
  return OkStatus();
}

}  // namespace pgha::agent
