// Synchronous replication rules (ha/sync.h).
#include "ha/sync.h"

#include <algorithm>

#include "ha/quorum.h"

namespace pgha::ha {
namespace {

// The standbys /sync lists as holding every acknowledged commit: its standbys when this member
// wrote it in priority mode. A quorum /sync (quorum > 0) promises that of no single standby.
std::vector<std::string> ListedStandbys(const ClusterView& view, const std::string& me) {
  if (!view.sync || view.sync->leader != me || view.sync->quorum > 0) return {};
  return view.sync->sync_standby;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string QuoteStandbyName(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

uint64_t ConfirmedLsn(const Observation& obs, const ReplicationClient& r) {
  if (obs.pg.synchronous_commit == "remote_apply") return r.replay_lsn.value_or(0);
  return r.flush_lsn.value_or(0);
}

std::vector<std::string> RankSyncCandidates(const Observation& obs) {
  const std::vector<std::string> listed = ListedStandbys(obs.cluster, obs.me);
  struct Candidate {
    const ReplicationClient* row;
    int priority;
    bool listed, sync;
  };
  std::vector<Candidate> candidates;
  for (const auto& r : obs.pg.replication) {
    if (r.state != "streaming" || r.application_name == obs.me) continue;
    const Member* m = obs.cluster.FindMember(r.application_name);
    if (!m || !m->tags.CanBeSync()) continue;
    bool seen = std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return c.row->application_name == r.application_name;
    });
    if (seen) continue;  // two connections under one name: the first row speaks for it
    candidates.push_back(
        {&r, m->tags.SyncPriority(), Contains(listed, r.application_name), r.sync_state == "sync"});
  }
  // As Patroni: the higher sync_priority first; then the standbys already synchronous (no
  // needless churn), then the most advanced.
  std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.listed != b.listed) return a.listed;
    if (a.sync != b.sync) return a.sync;
    uint64_t fa = ConfirmedLsn(obs, *a.row), fb = ConfirmedLsn(obs, *b.row);
    if (fa != fb) return fa > fb;
    return a.row->application_name < b.row->application_name;
  });
  // maximum_lag_on_syncnode, as Patroni: measured from the most advanced candidate, or from the
  // primary's own position when there is only one; a stuck standby gives its place up.
  if (obs.settings.maximum_lag_on_syncnode > 0 && !candidates.empty()) {
    uint64_t head = obs.pg.wal_lsn;
    if (candidates.size() > 1) {
      head = 0;
      for (const auto& c : candidates) head = std::max(head, ConfirmedLsn(obs, *c.row));
    }
    const auto max_lag = static_cast<uint64_t>(obs.settings.maximum_lag_on_syncnode);
    std::erase_if(candidates, [&](const Candidate& c) {
      uint64_t at = ConfirmedLsn(obs, *c.row);
      return at < head && head - at > max_lag;
    });
  }
  std::vector<std::string> out;
  for (const auto& c : candidates) out.push_back(c.row->application_name);
  return out;
}

SyncTarget PickSyncStandbys(const Observation& obs) {
  const std::vector<std::string> listed = ListedStandbys(obs.cluster, obs.me);
  SyncTarget t;
  size_t want = static_cast<size_t>(std::max(1, obs.settings.synchronous_node_count));
  for (auto& name : RankSyncCandidates(obs)) {
    if (t.names.size() == want) break;
    t.names.push_back(std::move(name));
  }
  if (t.names.empty() && obs.settings.synchronous_mode_strict) {
    // Never fall back to asynchronous commits: wait for the standbys that were synchronous, or
    // for a standby that does not exist until a real one streams again.
    for (const auto& s : listed) {
      if (t.names.size() < want) t.names.push_back(s);
    }
    if (t.names.empty()) t.names.push_back(kStrictSyncPlaceholder);
  }
  t.num = static_cast<int>(t.names.size());
  return t;
}

std::string SyncStandbyNamesValue(const SyncTarget& t) {
  if (t.names.empty()) return "";
  if (t.names.size() == 1 && t.num == 1) return QuoteStandbyName(t.names[0]);
  std::string out = "FIRST " + std::to_string(t.num) + " (";
  for (size_t i = 0; i < t.names.size(); ++i) {
    if (i > 0) out += ",";
    out += QuoteStandbyName(t.names[i]);
  }
  return out + ")";
}

std::string PlaceholderSyncStandbyNames() {
  return SyncStandbyNamesValue(SyncTarget{{kStrictSyncPlaceholder}, 1});
}

std::string IdleSyncStandbyNames(const Settings& settings) {
  if (!settings.synchronous_mode || !settings.synchronous_mode_strict) return "";
  return PlaceholderSyncStandbyNames();
}

std::string RestartSyncStandbyNames(const Observation& obs) {
  if (!obs.settings.synchronous_mode) return "";
  const std::vector<std::string> listed = ListedStandbys(obs.cluster, obs.me);
  if (obs.cluster.leader == obs.me && !listed.empty()) {
    return SyncStandbyNamesValue(SyncTarget{listed, static_cast<int>(listed.size())});
  }
  if (obs.settings.synchronous_mode_quorum && obs.cluster.leader == obs.me) {
    if (auto value = QuorumRestartValue(obs.cluster, obs.me)) return *value;
  }
  return IdleSyncStandbyNames(obs.settings);
}

std::vector<std::string> SyncStandbysToPublish(const Observation& obs, const SyncTarget& t) {
  const std::vector<std::string> listed = ListedStandbys(obs.cluster, obs.me);
  bool applied = obs.pg.synchronous_standby_names == SyncStandbyNamesValue(t) &&
                 obs.sync_names_settled_lsn.has_value();
  std::vector<std::string> out;
  for (const auto& name : t.names) {
    if (name == kStrictSyncPlaceholder) continue;
    bool confirmed =
        applied && std::any_of(obs.pg.replication.begin(), obs.pg.replication.end(),
                               [&](const ReplicationClient& r) {
                                 return r.application_name == name && r.state == "streaming" &&
                                        r.sync_state == "sync" &&
                                        r.flush_lsn.value_or(0) >= *obs.sync_names_settled_lsn;
                               });
    if (Contains(listed, name) || confirmed) out.push_back(name);
  }
  return out;
}

bool SyncKeyMatches(const ClusterView& view, const std::string& me,
                    const std::vector<std::string>& standbys, int quorum) {
  return view.sync && view.sync->leader == me && view.sync->sync_standby == standbys &&
         view.sync->quorum == quorum;
}

bool SyncRestrictsRace(const Observation& obs) {
  return obs.settings.synchronous_mode && obs.cluster.sync && !obs.cluster.sync->leader.empty();
}

bool InSyncKey(const ClusterView& view, const std::string& name) {
  return view.sync && (view.sync->leader == name || IsSyncStandby(view, name));
}

bool IsSyncStandby(const ClusterView& view, const std::string& name) {
  return view.sync && Contains(view.sync->sync_standby, name);
}

}  // namespace pgha::ha
