#include "sim/invariants.h"

#include <algorithm>

#include "dcs/codec.h"

namespace pgha::sim {

ha::ClusterView ReadView(const SimEtcd& etcd) {
  dcs::Keys keys("/service", kScope);
  auto range = etcd.Range(keys.prefix());
  return dcs::BuildClusterView(keys, range.kvs, range.revision, nullptr);
}

std::optional<std::string> AtMostOneWritable(const Servers& servers) {
  std::string writable;
  int count = 0;
  for (const auto* pg : servers) {
    if (!pg->writable()) continue;
    writable += (count++ ? ", " : "") + pg->name();
  }
  if (count <= 1) return std::nullopt;
  return "at most one writable primary: " + writable + " all accept writes";
}

std::optional<std::string> PromotionWithinLag(const FakePostgres& pg,
                                              std::optional<uint64_t> optime, uint64_t max_lag) {
  uint64_t lsn = pg.data().lsn;
  if (!optime || *optime <= lsn || *optime - lsn <= max_lag) return std::nullopt;
  return "no promotion past the lag limit: " + pg.name() + " promoted at LSN " +
         std::to_string(lsn) + ", status.optime " + std::to_string(*optime) + " (lag " +
         std::to_string(*optime - lsn) + " > maximum_lag_on_failover " + std::to_string(max_lag) +
         ")";
}

namespace {

const FakePostgres* Find(const Servers& servers, const std::string& name) {
  for (const auto* pg : servers) {
    if (pg->name() == name) return pg;
  }
  return nullptr;
}

std::optional<std::string> FollowsLeader(const FakePostgres& pg, const FakePostgres& leader,
                                         bool strict_rewind, int* diverged) {
  std::string who = "after the quiet period, replica " + pg.name();
  if (!pg.running()) return who + " is not running";
  if (!pg.in_recovery()) return who + " is a primary too";
  if (!CanStreamFrom(pg.data(), leader.data())) {
    ++*diverged;
    if (!strict_rewind) return std::nullopt;
    return who + " diverged from leader " + leader.name() + " (needs pg_rewind)";
  }
  if (!pg.streaming() || pg.upstream_port() != leader.port()) {
    return who + " does not stream from leader " + leader.name();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Converged(const std::optional<std::string>& leader,
                                     const Servers& servers, bool strict_rewind, int* diverged) {
  if (!leader) return "after the quiet period, no member holds the leader key";
  const FakePostgres* primary = Find(servers, *leader);
  if (!primary) return "the leader key names an unknown member " + *leader;
  if (!primary->writable()) {
    return "after the quiet period, leader key holder " + *leader + " is not a running primary";
  }
  for (const auto* pg : servers) {
    if (pg == primary) continue;
    if (auto v = FollowsLeader(*pg, *primary, strict_rewind, diverged)) return v;
  }
  return std::nullopt;
}

namespace {

// The member on the newest timeline lags one on an older timeline: each vetoes the other.
bool TimelinesVetoEachOther(const Servers& servers) {
  uint32_t newest = 0;
  for (const auto* pg : servers) {
    if (pg->running()) newest = std::max(newest, pg->data().Timeline());
  }
  uint64_t best_newest = 0, best_older = 0;
  for (const auto* pg : servers) {
    if (!pg->running()) continue;
    uint64_t& best = pg->data().Timeline() == newest ? best_newest : best_older;
    best = std::max(best, pg->data().lsn);
  }
  return best_older > best_newest;
}

bool DuplicateTimeline(const FakePostgres& a, const FakePostgres& b) {
  for (const auto& x : a.data().history) {
    for (const auto& y : b.data().history) {
      if (x.tl == y.tl && x.uid != y.uid) return true;
    }
  }
  return false;
}

}  // namespace

std::string KnownBug(const ha::ClusterView& view, const Servers& servers) {
  if (!view.leader) {
    if (TimelinesVetoEachOther(servers)) return "B1";
    // B4: /failover names a member that will not take the key; the others wait for it.
    if (view.failover && !view.failover->member.empty()) return "B4";
    return "";
  }
  const FakePostgres* leader = Find(servers, *view.leader);
  if (!leader) return "";
  bool history_behind = false;  // a timeline of the leader's with no switch point in /history
  for (uint32_t tl = 1; tl < leader->data().Timeline(); ++tl) {
    bool found = false;
    for (const auto& h : view.history) found = found || h.timeline == tl;
    history_behind = history_behind || !found;
  }
  for (const auto* pg : servers) {
    if (pg == leader || CanStreamFrom(pg->data(), leader->data())) continue;
    if (history_behind || DuplicateTimeline(*pg, *leader)) return "B2";
  }
  return "";
}

bool HasWrite(const FakePostgres& leader, const AckedWrite& w) {
  std::vector<Segment> history;
  for (const auto& s : w.history) {
    if (history.empty() || s.start <= w.lsn) history.push_back(s);
  }
  return HistoryContains(leader.data(), history, w.lsn);
}

int LostWrites(const std::vector<AckedWrite>& acked, const FakePostgres& leader) {
  return static_cast<int>(std::count_if(acked.begin(), acked.end(),
                                        [&](const AckedWrite& w) { return !HasWrite(leader, w); }));
}

std::string KnownSyncBug(const std::vector<const AckedWrite*>& lost) {
  if (lost.empty()) return "";
  bool named = false;
  for (const auto* w : lost) {
    if (w->confirmed) return "";
    named = named || w->sync_leader == w->primary;
  }
  return named ? "S2" : "S1";
}

std::optional<std::string> TimelineChecker::Check(const Servers& servers, const SimEtcd& etcd) {
  for (const auto* pg : servers) {
    uint32_t tl = pg->data().Timeline();
    if (tl == 0) continue;  // empty data directory (before a clone)
    uint32_t& max = server_max_[pg->name()];
    if (tl < max) {
      return "timelines only increase: " + pg->name() + " went from timeline " +
             std::to_string(max) + " to " + std::to_string(tl);
    }
    max = tl;
  }
  auto history = etcd.Get("/service/" + std::string(kScope) + "/history");
  if (!history || history->mod_revision == history_revision_) return std::nullopt;
  history_revision_ = history->mod_revision;
  uint32_t tl = ReadView(etcd).HistoryTimeline();
  if (tl < history_max_) {
    return "timelines only increase: /history went from timeline " + std::to_string(history_max_) +
           " to " + std::to_string(tl);
  }
  history_max_ = tl;
  return std::nullopt;
}

}  // namespace pgha::sim
