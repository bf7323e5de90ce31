// The race for a free leader key: who may be promoted, automatically or at an operator's request.
#include "ha/race.h"

#include <algorithm>

#include "core/iso_time.h"
#include "ha/cold_start.h"
#include "ha/quorum.h"
#include "ha/sync.h"

namespace pgha::ha {

// `wal` is further behind the leader's last published position than maximum_lag_on_failover.
bool LagsTooFar(const Observation& obs, uint64_t wal) {
  return obs.cluster.optime && *obs.cluster.optime > wal &&
         *obs.cluster.optime - wal > obs.settings.maximum_lag_on_failover;
}

// In synchronous mode only /sync members race; the former leader's extra WAL was never
// acknowledged to a client, so it does not veto either (as in Patroni).
bool RacesUnderSync(const Observation& obs, const std::string& name) {
  return !SyncRestrictsRace(obs) ||
         (InSyncKey(obs.cluster, name) && name != obs.cluster.sync->leader);
}

// A member key that may show less WAL than its member has, and whose member may be promoted.
bool KeyMayHoldMore(const Observation& obs, const std::string& name, uint32_t timeline) {
  const Member* m = obs.cluster.FindMember(name);
  if (m == nullptr || !m->xlog_location) return false;
  if (m->state != "running" && m->state != "starting") return false;
  if (!m->tags.CanPromote()) return false;
  if (m->timeline && timeline != 0 && *m->timeline < timeline) return false;
  return RacesUnderSync(obs, name);
}

namespace {

// A switchover (the request names a leader) whose leader lost its key without handing over,
// e.g. a power loss of the whole cluster before the leader shut down: the candidate may lack
// WAL another member has, so it takes the key only if no member compared with it is ahead;
// otherwise the members race (simulator, fault power-all, invariant h, seed 128). A completed
// handover leaves nobody ahead: the leader let the key go once the candidate had its shutdown
// checkpoint. A failover (no leader named) is the operator's choice of data and stays so.
std::string SwitchoverCandidateBehind(const Observation& obs, const std::string& candidate,
                                      uint64_t wal, uint32_t timeline) {
  if (obs.cluster.failover->leader.empty()) return "";
  const std::string tail =
      ": the switchover from " + obs.cluster.failover->leader + " did not hand over";
  if (candidate != obs.me && obs.pg.running && obs.pg.timeline == timeline &&
      obs.pg.WalPosition() > wal) {
    return "my WAL position is ahead of " + candidate + "'s" + tail;
  }
  for (const auto& p : obs.peers) {
    if (p.name == candidate || !p.reachable || !p.running || p.timeline != timeline) continue;
    if (p.wal_position > wal) return p.name + " is ahead of " + candidate + tail;
  }
  std::string cold = ColdStartProblem(obs, candidate, timeline);
  return cold.empty() ? "" : cold + tail;
}

}  // namespace

// Why the /failover request cannot make `candidate` the leader now ("" when it can): the same
// limits as a race (tags, /sync, lag) plus the request's own schedule, as Patroni checks them.
std::string ManualCandidateProblem(const Observation& obs, const std::string& candidate) {
  const FailoverRequest& f = *obs.cluster.failover;
  if (!f.scheduled_at.empty()) {
    auto at = ParseZonedEpoch(f.scheduled_at);
    if (!at || *at > obs.wall_now) return "the request is scheduled at " + f.scheduled_at;
  }
  // A primary that still runs (etcd revoked its lease: docs/safety.md, section 9) takes its key
  // back or steps down; promoting past it makes two.
  for (const auto& p : obs.peers) {
    if (p.reachable && p.running && p.role == "primary" && p.name != candidate) {
      return "primary " + p.name + " is still running";
    }
  }
  if (SyncRestrictsRace(obs) && !InSyncKey(obs.cluster, candidate)) {
    return candidate + " is not a synchronous standby in /sync";
  }
  // Every member judges alike, so nobody waits for a candidate that will not take the key.
  if (obs.settings.failsafe_mode && !obs.cluster.failsafe.empty() &&
      obs.cluster.failsafe.count(candidate) == 0) {
    return candidate + " is not listed in /failsafe";
  }
  // Lag and timeline as in a race: every member judges the candidate alike, so nobody waits for
  // a candidate that will not take the key (sim B4), and the candidate never promotes from a
  // timeline the cluster has left (sim B5).
  auto position_problem = [&](const std::string& who, uint64_t wal, uint32_t timeline) {
    uint32_t cluster_tl = obs.cluster.HistoryTimeline();
    if (timeline != 0 && timeline < cluster_tl) {
      return who + " is on timeline " + std::to_string(timeline) + ", behind the cluster's " +
             std::to_string(cluster_tl);
    }
    if (!SyncRestrictsRace(obs) && LagsTooFar(obs, wal)) {
      return who + " lags the last leader optime by more than maximum_lag_on_failover";
    }
    return SwitchoverCandidateBehind(obs, candidate, wal, timeline);
  };
  if (candidate == obs.me) {
    if (!obs.tags.CanPromote()) return "my tags forbid promotion";
    std::string problem =
        QuorumPromotionProblem(obs, obs.me, obs.pg.WalPosition(), obs.pg.timeline);
    if (!problem.empty()) return problem;
    return position_problem("my WAL position", obs.pg.WalPosition(), obs.pg.timeline);
  }
  for (const auto& p : obs.peers) {
    if (p.name != candidate) continue;
    if (!p.reachable || !p.running || p.role != "replica") {
      return candidate + " is not a reachable running replica";
    }
    if (!p.tags.CanPromote()) return candidate + " has tags that forbid promotion";
    std::string problem = QuorumPromotionProblem(obs, candidate, p.wal_position, p.timeline);
    if (!problem.empty()) return problem;
    return position_problem(candidate, p.wal_position, p.timeline);
  }
  return candidate + " did not answer";
}

bool IsHealthiest(const Observation& obs, std::string* why_not) {
  // A running primary that merely lost its key (a DCS blip) re-takes it unless a newer timeline
  // exists or another primary is alive: nobody is promoted, so tags and lag do not apply.
  if (IsPrimary(obs.pg)) {
    uint32_t cluster_tl = obs.cluster.HistoryTimeline();
    if (obs.pg.timeline != 0 && obs.pg.timeline < cluster_tl) {
      *why_not = "my timeline " + std::to_string(obs.pg.timeline) + " is behind the cluster's " +
                 std::to_string(cluster_tl);
      return false;
    }
    for (const auto& p : obs.peers) {
      if (p.reachable && p.running && p.name != obs.me && p.role == "primary") {
        *why_not = "primary " + p.name + " is also running";
        return false;
      }
    }
    return true;
  }
  if (!obs.watchdog_usable) {
    *why_not = "watchdog.mode is required but the watchdog device is not usable";
    return false;
  }
  if (!obs.tags.CanPromote()) {
    *why_not = kNotAllowedToPromote;
    return false;
  }
  if (obs.released_key_at &&
      obs.now - *obs.released_key_at < std::chrono::seconds(obs.settings.ttl)) {
    // Only while another member could take over: alone, the cluster would stay leaderless.
    bool other = std::any_of(obs.peers.begin(), obs.peers.end(), [](const PeerStatus& p) {
      return p.reachable && p.running && p.role == "replica" && p.tags.CanPromote();
    });
    if (other) {
      *why_not =
          "backing off for ttl: I gave the leader key up, my PostgreSQL unable to run "
          "as primary";
      return false;
    }
  }
  // Synchronous mode: only the members /sync names hold every acknowledged commit.
  const bool sync_race = SyncRestrictsRace(obs);
  if (sync_race && !InSyncKey(obs.cluster, obs.me)) {
    *why_not = "synchronous_mode is on and I am not a synchronous standby in /sync";
    return false;
  }
  if (std::string problem =
          QuorumPromotionProblem(obs, obs.me, obs.pg.WalPosition(), obs.pg.timeline);
      !problem.empty()) {
    *why_not = problem;
    return false;
  }
  const LocalPg& pg = obs.pg;
  uint64_t mine = pg.WalPosition();
  // Every member /sync names has every acknowledged commit (a standby, or a leader that claimed
  // the key before a promotion that then failed); what the leader published beyond that was
  // never confirmed to a client, so lag does not disqualify it — nobody else may race anyway.
  bool lag_matters = !sync_race;
  if (lag_matters && LagsTooFar(obs, mine)) {
    *why_not = "my WAL position lags the last leader optime by more than maximum_lag_on_failover";
    return false;
  }
  uint32_t cluster_tl = obs.cluster.HistoryTimeline();
  if (pg.timeline != 0 && pg.timeline < cluster_tl) {
    *why_not = "my timeline " + std::to_string(pg.timeline) + " is behind the cluster's " +
               std::to_string(cluster_tl);
    return false;
  }
  if (std::string problem = ColdStartProblem(obs, obs.me, pg.timeline); !problem.empty()) {
    *why_not = problem;
    return false;
  }
  for (const auto& p : obs.peers) {
    if (p.name == obs.me) continue;
    // A member whose agent does not answer may hold more WAL than I do. Its member key, which
    // lives at most ttl after its agent stopped renewing it, still tells: a running or starting
    // member that could be promoted, on my timeline or a newer one, ahead of me, holds the race
    // up until it answers or its key expires (in the cold-start window, whatever it shows).
    if (!p.reachable) {
      const Member* m = obs.cluster.FindMember(p.name);
      if (KeyMayHoldMore(obs, p.name, pg.timeline) && *m->xlog_location > mine) {
        *why_not = p.name + " does not answer and its member key shows a higher WAL position";
        return false;
      }
      continue;
    }
    // A server still starting (crash recovery, a cold start of the whole cluster) may hold more
    // WAL than anyone: wait until it answers rather than promote past it.
    if (p.starting && p.tags.CanPromote()) {
      *why_not = p.name + " is starting: its WAL position is not known yet";
      return false;
    }
    // Only a running PostgreSQL can veto otherwise: a stopped one can neither write nor be
    // promoted now, and letting it veto leaves the cluster without a leader while its agent lives
    // (the cold-start window aside: ha/cold_start.h).
    if (!p.running) continue;
    if (p.role == "primary") {
      *why_not = "primary " + p.name + " is still alive";
      return false;
    }
    // Members that may never be promoted take no part in the race (as in Patroni).
    if (!p.tags.CanPromote()) continue;
    if (!RacesUnderSync(obs, p.name)) continue;
    // A peer left on an older timeline cannot veto by WAL position: its extra WAL is on a branch
    // the cluster abandoned (it must be rewound), and letting it veto leaves no leader (sim B1).
    if (p.timeline != 0 && pg.timeline != 0 && p.timeline < pg.timeline) continue;
    if (p.timeline > pg.timeline && pg.timeline != 0) {
      *why_not = p.name + " is on a newer timeline";
      return false;
    }
    // Patroni's wording for both.
    if (p.wal_position > mine) {
      *why_not = "Wal position of " + p.name + " is ahead of my wal position";
      return false;
    }
    if (p.wal_position == mine && p.tags.CanPromote() && p.tags.Priority() > obs.tags.Priority()) {
      *why_not = p.name + " has equally tolerable WAL position and priority " +
                 std::to_string(p.tags.Priority()) + ", while this node has priority " +
                 std::to_string(obs.tags.Priority());
      return false;
    }
  }
  return true;
}

}  // namespace pgha::ha
