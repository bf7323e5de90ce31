// Quorum commit rules (ha/quorum.h).
#include "ha/quorum.h"

#include <algorithm>
#include <set>

#include "core/strings.h"
#include "ha/sync.h"

namespace pgha::ha {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool IsSubset(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  return std::all_of(part.begin(), part.end(),
                     [&](const std::string& s) { return Contains(whole, s); });
}

// The voters of a /sync key as the leader `me` must reckon with them: its standbys, not me.
struct SyncSide {
  std::vector<std::string> voters;
  int quorum = 0;
};

SyncSide CurrentSyncSide(const ClusterView& view, const std::string& me) {
  SyncSide d;
  if (!view.sync) return d;
  d.voters = view.sync->sync_standby;
  std::erase(d.voters, me);
  d.quorum = view.sync->quorum;
  return d;
}

}  // namespace

bool QuorumSafe(const SyncStandbyNames& value, const std::vector<std::string>& voters, int quorum) {
  // Nobody can gather quorum + 1 voters: no automatic promotion, whatever commits were confirmed.
  if (quorum >= 0 && static_cast<size_t>(quorum) + 1 > voters.size()) return true;
  if (value.num <= 0 || value.Wildcard()) return false;  // commits need no listed voter
  std::set<std::string> names(value.names.begin(), value.names.end());
  names.erase(kStrictSyncPlaceholder);                             // a standby that never confirms
  if (static_cast<size_t>(value.num) > names.size()) return true;  // no commit is ever confirmed
  std::set<std::string> either = names;
  either.insert(voters.begin(), voters.end());
  return static_cast<size_t>(value.num) + static_cast<size_t>(std::max(quorum, 0)) >= either.size();
}

std::string QuorumSyncStandbyNamesValue(int num, const std::vector<std::string>& names) {
  if (num <= 0 || names.empty()) return "";
  std::string out = "ANY " + std::to_string(num) + " (";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    out += names[i] == "*" ? "*" : QuoteStandbyName(names[i]);
  }
  return out + ")";
}

std::optional<action::SyncReplication> QuorumSyncStep(const Observation& obs,
                                                      std::string* waiting) {
  // Where the leader is going: every standby that may be synchronous votes (sorted by name, as
  // Patroni lists them), synchronous_node_count of them confirm each commit.
  std::vector<std::string> voters = RankSyncCandidates(obs);
  std::sort(voters.begin(), voters.end());
  const auto count = static_cast<int>(voters.size());
  const int num = std::min(std::max(1, obs.settings.synchronous_node_count), count);
  const int quorum = count - num;
  std::string value = QuorumSyncStandbyNamesValue(num, voters);
  if (voters.empty() && obs.settings.synchronous_mode_strict) {
    value = QuorumSyncStandbyNamesValue(1, {"*"});  // commits wait for whichever standby comes
  }
  const SyncStandbyNames target = ParseSyncStandbyNames(value).value_or(SyncStandbyNames{});
  const SyncSide now = CurrentSyncSide(obs.cluster, obs.me);
  const bool mine = obs.cluster.sync && obs.cluster.sync->leader == obs.me;
  const std::string& in_force = obs.pg.synchronous_standby_names;

  if (in_force != value) {
    // synchronous_standby_names moves first when the /sync in force covers the new value;
    // otherwise /sync's quorum rises until it does (a larger quorum is never less safe).
    if (QuorumSafe(target, now.voters, now.quorum)) {
      return action::SyncReplication{value, now.voters, now.quorum};
    }
    int raised = now.quorum;
    while (!QuorumSafe(target, now.voters, raised)) ++raised;
    return action::SyncReplication{in_force, now.voters, raised};
  }
  if (mine && now.voters == voters && now.quorum == quorum) return std::nullopt;
  // The value in force is `value`, safe with (voters, quorum) by construction. Commits confirmed
  // under earlier values are covered when the new /sync is no weaker than the one in force, or
  // when enough of the new voters have flushed everything up to the settled position.
  bool no_weaker = IsSubset(voters, now.voters) && quorum >= now.quorum;
  if (!no_weaker) {
    auto wait = [&](const std::string& why) -> std::optional<action::SyncReplication> {
      if (waiting) *waiting = "/sync keeps its voters until " + why;
      return std::nullopt;
    };
    if (!obs.sync_names_settled_lsn) {
      return wait("synchronous_standby_names '" + value + "' has held for a moment");
    }
    int caught_up = 0;
    for (const auto& name : voters) {
      bool has = std::any_of(obs.pg.replication.begin(), obs.pg.replication.end(),
                             [&](const ReplicationClient& r) {
                               return r.application_name == name &&
                                      ConfirmedLsn(obs, r) >= *obs.sync_names_settled_lsn;
                             });
      if (has) ++caught_up;
    }
    if (caught_up < count - quorum) {
      return wait(std::to_string(count - quorum) + " of [" + Join(voters, ",") +
                  "] have flushed up to " + std::to_string(*obs.sync_names_settled_lsn));
    }
  }
  return action::SyncReplication{value, voters, quorum};
}

std::optional<std::string> QuorumRestartValue(const ClusterView& view, const std::string& me) {
  if (!view.sync || view.sync->leader != me) return std::nullopt;
  const auto& voters = view.sync->sync_standby;
  int num = static_cast<int>(voters.size()) - view.sync->quorum;
  if (num <= 0) return std::nullopt;
  return QuorumSyncStandbyNamesValue(num, voters);
}

std::string QuorumPromotionProblem(const Observation& obs, const std::string& candidate,
                                   uint64_t wal, uint32_t timeline) {
  if (!obs.settings.synchronous_mode_quorum || !SyncRestrictsRace(obs)) return "";
  if (obs.cluster.sync->leader == candidate) return "";
  const SyncState& sync = *obs.cluster.sync;
  // The members whose positions tell: the peers that answered with positions read at the request,
  // and this member itself (its own are fresh), on the candidate's timeline, not ahead of it.
  std::vector<PeerStatus> witnesses = obs.peers;
  if (obs.me != candidate && obs.pg.running && obs.pg.in_recovery) {
    PeerStatus self;
    self.name = obs.me;
    self.reachable = self.running = true;
    self.role = "replica";
    self.wal_position = obs.pg.WalPosition();
    self.timeline = obs.pg.timeline;
    witnesses.push_back(self);
  }
  int heard = 0;
  for (const auto& w : witnesses) {
    if (w.name == candidate || !w.reachable || !w.running || w.role != "replica") continue;
    if (w.positions_stale || w.timeline != timeline || w.wal_position > wal) continue;
    // The old leader wrote every commit it acknowledged: at or behind the candidate, it vouches
    // alone (it restarted as a replica, or failed to start as primary).
    if (w.name == sync.leader) return "";
    if (Contains(sync.sync_standby, w.name)) ++heard;
  }
  if (heard >= sync.quorum) return "";
  std::string who = candidate == obs.me ? "my" : candidate + "'s";
  return "quorum commit: " + std::to_string(heard) + " of the other voters /sync lists answered " +
         "at or behind " + who + " WAL position; " + std::to_string(sync.quorum) + " must";
}

}  // namespace pgha::ha
