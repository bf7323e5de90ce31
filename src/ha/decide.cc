// Decide(): the observe -> decide -> act loop's pure middle. Every branch returns a reason that
// an operator can read in the log, /patroni and `pghactl list`.
#include <algorithm>
#include <optional>

#include "core/iso_time.h"
#include "core/lsn.h"
#include "core/strings.h"
#include "ha/decision.h"
#include "ha/quorum.h"
#include "ha/slots.h"
#include "ha/sync.h"

namespace pgha::ha {
namespace {

constexpr const char* kNotAllowedToPromote =
    "tags forbid promotion (nofailover / failover_priority)";

Decision Do(std::string reason, std::vector<Action> actions = {}) {
  return Decision{std::move(actions), std::move(reason)};
}

bool IsPrimary(const LocalPg& pg) { return pg.running && !pg.in_recovery; }

// `wal` is further behind the leader's last published position than maximum_lag_on_failover.
bool LagsTooFar(const Observation& obs, uint64_t wal) {
  return obs.cluster.optime && *obs.cluster.optime > wal &&
         *obs.cluster.optime - wal > obs.settings.maximum_lag_on_failover;
}

bool IHoldLeader(const Observation& obs) {
  return obs.cluster.leader && *obs.cluster.leader == obs.me;
}

// A replica is pointed at the right upstream when its WAL receiver streams from the leader.
bool FollowsLeader(const Observation& obs, const Member& leader) {
  if (!obs.pg.streaming) return false;
  std::string want = leader.conn_url;  // postgres://host:port/db
  std::string host_port = obs.pg.upstream_host + ":" + std::to_string(obs.pg.upstream_port);
  return want.find("//" + host_port + "/") != std::string::npos;
}

// The member this replica streams from: the one its replicatefrom tag names while that member
// runs and publishes a conn_url (cascading replication, as Patroni), else the leader (null when
// the leader has no member key).
const Member* Upstream(const Observation& obs) {
  const std::string& from = obs.tags.replicatefrom;
  if (!from.empty() && from != obs.me) {
    const Member* m = obs.cluster.FindMember(from);
    if (m && !m->conn_url.empty() && m->state == "running") return m;
  }
  return obs.cluster.LeaderMember();
}

// Where a new replica takes its base backup: a running member tagged clonefrom (never the
// leader: the tag is there to spare it), the first by name; else the leader, as Patroni.
const Member* CloneSource(const Observation& obs, const Member& leader) {
  for (const auto& m : obs.cluster.members) {
    if (m.tags.clonefrom && m.name != obs.me && m.name != leader.name && !m.conn_url.empty() &&
        m.state == "running") {
      return &m;
    }
  }
  return &leader;
}

Decision DecideWithoutDcs(const Observation& obs) {
  if (!IsPrimary(obs.pg)) return Do("DCS is not accessible; staying a replica");
  if (obs.settings.pause) return Do("DCS is not accessible; paused, leaving the primary running");
  // Failsafe mode, for the member that led until etcd went: the members confirm every loop, and
  // each round they all accept lets it run until ttl after the round (ha/failsafe.cc).
  if (obs.settings.failsafe_mode && (obs.lease_valid_until || obs.failsafe_valid_until)) {
    if (obs.failsafe_refused) {
      return Do(
          "demoting: DCS is not accessible and a member in /failsafe did not confirm failsafe "
          "mode",
          {action::Demote{DemoteMode::kOffline, ""}});
    }
    if (FailsafeHolds(obs)) {
      // Patroni's words.
      return Do(
          "continue to run as a leader because failsafe mode is enabled and all members are "
          "accessible",
          {action::ConfirmFailsafe{}});
    }
    if (!LeaseExpiring(obs)) {
      return Do(
          "DCS is not accessible; leader lease still valid, keeping the primary and asking the "
          "members to confirm failsafe mode",
          {action::ConfirmFailsafe{}});
    }
    return Do(
        "demoting: DCS is not accessible, the leader lease could expire and not every member "
        "in /failsafe confirmed failsafe mode",
        {action::Demote{DemoteMode::kOffline, ""}});
  }
  if (LeaseExpiring(obs)) {
    return Do("demoting: DCS is not accessible and the leader lease could expire",
              {action::Demote{DemoteMode::kOffline, ""}});
  }
  return Do("DCS is not accessible; leader lease still valid, keeping the primary");
}

Decision DecideEmptyDataDir(const Observation& obs) {
  const auto& c = obs.cluster;
  if (IHoldLeader(obs)) {
    return Do("releasing the leader key: my data directory is empty", {action::ReleaseLeader{}});
  }
  if (!c.initialize && !c.leader) {
    if (!obs.tags.CanPromote()) {
      return Do("waiting for another member to bootstrap: my tags forbid becoming the leader");
    }
    return Do("bootstrapping a new cluster", {action::RaceInitialize{}, action::Bootstrap{}});
  }
  const Member* leader = c.LeaderMember();
  if (leader && leader->name != obs.me && !leader->conn_url.empty() && leader->state == "running") {
    const Member* source = CloneSource(obs, *leader);
    const Member* upstream = Upstream(obs);
    // mode: the member to stream from once cloned, when it is not the clone source.
    std::string then = upstream && upstream != source ? upstream->name : "";
    if (source != leader) {
      return Do("cloning a replica from " + source->name + " (tagged clonefrom)",
                {action::CloneFromLeader{source->name, then}});
    }
    return Do("cloning a replica from leader " + leader->name,
              {action::CloneFromLeader{leader->name, then}});
  }
  if (c.leader) return Do("waiting for leader " + *c.leader + " to be running before cloning");
  if (c.initialize && !c.initialize->empty() && obs.replica_method_without_leader) {
    return Do("trying to bootstrap a replica without a leader (create_replica_methods: no_leader)",
              {action::CloneFromLeader{"", ""}});
  }
  return Do("waiting for the leader to bootstrap the cluster");
}

Decision DecideStoppedHoldingKey(const Observation& obs) {
  // As Patroni: a start that failed outright will fail again; a slow one (crash recovery) is
  // given primary_start_timeout. PostgreSQL is down, so releasing the key is safe.
  if (obs.primary_start_failed) {
    return Do("removed leader key after trying and failing to start postgres",
              {action::ReleaseLeader{}, action::StartReplica{""}});
  }
  auto down_for = obs.primary_down_since ? obs.now - *obs.primary_down_since : Millis(0);
  if (down_for >= std::chrono::seconds(obs.settings.primary_start_timeout)) {
    return Do(
        "releasing the leader key: PostgreSQL did not run as primary within "
        "primary_start_timeout (" +
            std::to_string(obs.settings.primary_start_timeout) + " s)",
        {action::ReleaseLeader{}, action::StartReplica{""}});
  }
  if (!obs.pg.standby_signal) {
    return Do("starting primary after failure; I hold the leader key", {action::StartPrimary{}});
  }
  return Do("starting as a replica; I hold the leader key and will promote",
            {action::StartReplica{""}});
}

Decision DecideStopped(const Observation& obs) {
  const auto& c = obs.cluster;
  if (obs.settings.pause) return Do("paused: PostgreSQL is not running and will not be started");
  if (IHoldLeader(obs)) return DecideStoppedHoldingKey(obs);
  if (!c.leader) {
    return Do("starting as a replica; the cluster has no leader", {action::StartReplica{""}});
  }
  const Member* leader = c.LeaderMember();
  if (leader && OnForeignTimeline(obs) && leader->timeline == obs.pg.timeline_start_of) {
    // pg_rewind compares timeline numbers only and would find nothing to do.
    std::string tl = std::to_string(obs.pg.timeline_start_of);
    return Do("re-cloning from leader " + leader->name + ": my timeline " + tl + " began at " +
                  Lsn{obs.pg.timeline_start}.ToString() + ", the cluster's timeline " + tl +
                  " elsewhere (two members promoted to the same timeline number)",
              {action::Rewind{leader->name, /*reclone=*/true}});
  }
  if (leader && (NeedsRewind(obs, *leader) || OnForeignTimeline(obs))) {
    if (leader->checkpoint_after_promote == false) {
      return Do("waiting for the checkpoint after promotion on " + leader->name +
                " before rewinding");
    }
    if (!obs.settings.use_pg_rewind) {
      return Do("cannot follow " + leader->name +
                ": my timeline is behind and use_pg_rewind is off; reinitialize this member");
    }
    return Do("rewinding from leader " + leader->name + " (timeline " +
                  std::to_string(leader->timeline.value_or(0)) + ") before following it",
              {action::Rewind{leader->name, false}, action::StartReplica{leader->name}});
  }
  const Member* up = Upstream(obs);
  if (up && up != leader) {
    return Do("starting as a replica of " + up->name + " (replicatefrom)",
              {action::StartReplica{up->name}});
  }
  return Do("starting as a replica of leader " + *c.leader, {action::StartReplica{*c.leader}});
}

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
    return std::string();
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

Decision DecideUnlocked(const Observation& obs) {
  // A member that confirmed a failsafe primary stays out of the race, manual requests included;
  // a running primary races as below (it is the one the others wait for, taking its key back).
  if (!IsPrimary(obs.pg)) {
    if (std::string block = FailsafePromiseBlock(obs); !block.empty()) {
      return Do("not taking the free leader key: " + block);
    }
  }
  // A running primary does not wait for another candidate: that one does not take the key past
  // a running primary (ManualCandidateProblem). It races as a primary that lost its key: it
  // takes the key back and hands it over as the leader (with its shutdown checkpoint), or
  // demotes.
  const bool other_candidate = obs.cluster.failover && !obs.cluster.failover->member.empty() &&
                               obs.cluster.failover->member != obs.me;
  if (obs.cluster.failover && !obs.cluster.failover->member.empty() &&
      !(other_candidate && IsPrimary(obs.pg))) {
    const std::string& wanted = obs.cluster.failover->member;
    std::string problem = ManualCandidateProblem(obs, wanted);
    if (problem.empty() && wanted == obs.me) {
      std::vector<Action> actions = {action::AcquireLeader{}};
      if (!IsPrimary(obs.pg)) actions.push_back(action::Promote{});
      return Do("taking the leader key: manual switchover/failover to me", std::move(actions));
    }
    if (problem.empty()) {
      return Do("waiting for " + wanted + " to take over (manual switchover/failover)");
    }
    // An impossible request does not hold the cluster without a leader: race as usual.
  }
  if (obs.settings.pause) {
    if (IsPrimary(obs.pg)) {
      return Do("paused: taking the free leader key as the running primary",
                {action::AcquireLeader{}});
    }
    return Do("paused: the leader key is free; no automatic promotion");
  }
  // One that the failsafe primary did not count races only when an operator asks (as Patroni).
  if (!IsPrimary(obs.pg)) {
    if (std::string block = FailsafeRaceBlock(obs); !block.empty()) {
      return Do("not taking the free leader key: " + block);
    }
  }
  std::string why_not;
  if (IsHealthiest(obs, &why_not)) {
    std::vector<Action> actions = {action::AcquireLeader{}};
    if (!IsPrimary(obs.pg)) actions.push_back(action::Promote{});
    return Do("taking the free leader key: I am the healthiest member", std::move(actions));
  }
  if (IsPrimary(obs.pg)) {
    return Do(
        "demoting: the leader key is free and I am not the healthiest member (" + why_not + ")",
        {action::Demote{DemoteMode::kImmediateNolock, ""}});
  }
  // Patroni's words, which its users grep their logs for.
  if (why_not == kNotAllowedToPromote) {
    return Do(
        "following a different leader because I am not allowed to promote (tags: "
        "nofailover / failover_priority)");
  }
  return Do("not taking the free leader key: " + why_not);
}

// The leader's side of /failover: hand over to the candidate, or drop an impossible request.
std::optional<Decision> DecideFailoverAsLeader(const Observation& obs) {
  const FailoverRequest& f = *obs.cluster.failover;
  if (f.member == obs.me) {
    return Do("manual failover to me is done: clearing the request", {action::ClearFailover{}});
  }
  if (!f.leader.empty() && f.leader != obs.me) {
    return Do("ignoring a switchover request from " + f.leader + ": I am the leader",
              {action::ClearFailover{}});
  }
  if (obs.settings.pause && f.member.empty()) {
    return Do("paused: a switchover needs a named candidate", {action::ClearFailover{}});
  }
  if (!f.scheduled_at.empty()) {
    auto at = ParseZonedEpoch(f.scheduled_at);
    if (!at) {
      return Do("dropping a switchover with a malformed scheduled_at " + f.scheduled_at,
                {action::ClearFailover{}});
    }
    // Not yet: the leader goes on with its usual step meanwhile (DecideAsLeader), which may be
    // hours of slots, checkpoints and synchronous replication to keep up.
    if (*at > obs.wall_now) return std::nullopt;
  }
  // In synchronous mode the key goes only to a standby that has every acknowledged commit.
  bool sync_only = obs.settings.synchronous_mode;
  std::string candidate = f.member;
  if (candidate.empty()) {  // any healthy replica: the most advanced one
    uint64_t best = 0;
    for (const auto& m : obs.cluster.members) {
      if (!CandidateProblem(obs.cluster, m.name).empty()) continue;
      if (sync_only && !IsSyncStandby(obs.cluster, m.name)) continue;
      if (candidate.empty() || m.xlog_location.value_or(0) > best) {
        candidate = m.name;
        best = m.xlog_location.value_or(0);
      }
    }
    if (candidate.empty()) {
      return Do(sync_only ? "switchover is not possible: no healthy synchronous standby"
                          : "switchover is not possible: no healthy replica",
                {action::ClearFailover{}});
    }
  }
  std::string problem = CandidateProblem(obs.cluster, candidate);
  if (problem.empty() && sync_only && !IsSyncStandby(obs.cluster, candidate)) {
    problem = candidate + " is not a synchronous standby in /sync";
  }
  if (!problem.empty()) {
    return Do("switchover is not possible: " + problem, {action::ClearFailover{}});
  }
  return Do("switching over to " + candidate, {action::Switchover{candidate}});
}

// The leader's synchronous-replication step, when /sync or synchronous_standby_names must move:
// the synchronous_standby_names value and the standbys /sync is to list. The executor writes
// /sync first, then the setting; ha/sync.h says why that order is safe.
std::optional<action::SyncReplication> SyncStep(const Observation& obs, std::string* waiting) {
  if (!obs.settings.synchronous_mode) return std::nullopt;
  if (obs.settings.synchronous_mode_quorum) return QuorumSyncStep(obs, waiting);
  SyncTarget t = PickSyncStandbys(obs);
  std::string value = SyncStandbyNamesValue(t);
  std::vector<std::string> publish = SyncStandbysToPublish(obs, t);
  if (SyncKeyMatches(obs.cluster, obs.me, publish) && obs.pg.synchronous_standby_names == value) {
    return std::nullopt;
  }
  return action::SyncReplication{value, publish};
}

Decision DecideAsLeader(const Observation& obs) {
  if (!obs.pg.in_recovery) {
    if (LeaseExpiring(obs) && !obs.settings.pause) {
      // We hold the key in the last read, but could not renew: do not outlive the lease.
      return Do("demoting: the leader lease could not be renewed in time",
                {action::Demote{DemoteMode::kOffline, ""}});
    }
    if (obs.fence_failed && !obs.settings.pause) {
      return Do("demoting: the fencing guard is gone and could not be restarted",
                {action::Demote{DemoteMode::kImmediate, ""}});
    }
    if (obs.watchdog_failed && !obs.settings.pause) {
      return Do("demoting: watchdog.mode is required and the watchdog could not be kept alive",
                {action::Demote{DemoteMode::kImmediate, ""}});
    }
    if (obs.cluster.failover) {
      if (auto d = DecideFailoverAsLeader(obs)) return *d;
    }
    std::vector<Action> actions;
    std::string reason = "no action: I am the leader with the lock";
    if (obs.cluster.failover && !obs.cluster.failover->scheduled_at.empty()) {
      reason = "switchover scheduled at " + obs.cluster.failover->scheduled_at;
    }
    if (obs.checkpoint_after_promote_pending) actions.push_back(action::Checkpoint{});
    std::string sync_waiting;
    if (auto sync = SyncStep(obs, &sync_waiting)) {
      actions.push_back(*sync);
      reason = "updating synchronous replication: synchronous_standby_names '" + sync->names +
               "', /sync standbys [" + Join(sync->standbys, ",") + "]";
      if (obs.settings.synchronous_mode_quorum) {
        reason += " quorum " + std::to_string(sync->quorum);
      }
    } else if (!sync_waiting.empty()) {
      reason = "quorum commit: " + sync_waiting;
    } else if (!obs.settings.synchronous_mode && obs.cluster.sync) {
      actions.push_back(action::ClearSync{});
      reason = "synchronous_mode is off: deleting /sync";
    }
    if (obs.settings.failsafe_mode) {
      auto topology = FailsafeTopology(obs);
      if (!topology.empty() && topology != obs.cluster.failsafe) {
        if (actions.empty()) reason = "updating /failsafe: the members changed";
        actions.push_back(action::WriteFailsafe{std::move(topology)});
      }
    } else if (!obs.cluster.failsafe.empty()) {
      if (actions.empty()) reason = "failsafe_mode is off: deleting /failsafe";
      actions.push_back(action::ClearFailsafe{});
    }
    if (obs.settings.use_slots) actions.push_back(action::EnsureSlots{});
    return Do(reason, std::move(actions));
  }
  if (obs.settings.pause) return Do("paused: I hold the leader key but run as a replica");
  if (SyncRestrictsRace(obs) && !InSyncKey(obs.cluster, obs.me)) {
    // Only a member /sync names holds every acknowledged commit; the claim before promoting
    // would fail anyway. Free the key so a synchronous standby can take it.
    return Do("releasing the leader key: synchronous_mode is on and /sync does not name me",
              {action::ReleaseLeader{}});
  }
  if (LeaseExpiring(obs)) return Do("not promoting: the leader lease could expire first");
  return Do("promoting: I hold the leader key", {action::Promote{}});
}

// A running replica whose WAL went past the point where the leader's timeline forked off
// can never stream from it: stop it so the stopped path rewinds it.
bool DivergedWhileRunning(const Observation& obs, const Member& leader) {
  if (!obs.pg.in_recovery || obs.pg.streaming || !leader.timeline) return false;
  // A replica's reported timeline can lag what it replayed, and every replica stops streaming
  // for a moment when its upstream stops (a switchover): act only on a lasting break.
  if (!obs.not_streaming_since || obs.now - *obs.not_streaming_since < std::chrono::seconds(10)) {
    return false;
  }
  if (OnForeignTimeline(obs) && *leader.timeline >= obs.pg.timeline_start_of) return true;
  if (*leader.timeline <= obs.pg.timeline) return false;
  auto sp = SwitchPoint(obs.cluster, obs.pg.timeline);
  return sp && obs.pg.WalPosition() > *sp;
}

Decision DecideAsFollower(const Observation& obs) {
  const std::string& leader = *obs.cluster.leader;
  if (IsPrimary(obs.pg)) {
    if (obs.settings.pause) return Do("paused: running as primary while " + leader + " leads");
    return Do("demoting: " + leader + " holds the leader key",
              {action::Demote{DemoteMode::kImmediateNolock, leader}});
  }
  const Member* m = obs.cluster.LeaderMember();
  if (!m || m->conn_url.empty()) return Do("no action: leader " + leader + " has no member key");
  if (DivergedWhileRunning(obs, *m)) {
    return Do("stopping to rewind: my WAL went past the start of leader " + leader + "'s timeline",
              {action::Demote{DemoteMode::kRewind, leader}});
  }
  const Member* up = Upstream(obs);
  Decision d;
  if (up != m) {
    d = FollowsLeader(obs, *up)
            ? Do("no action: streaming from " + up->name + " (replicatefrom)")
            : Do("following " + up->name + " (replicatefrom)", {action::Follow{up->name}});
  } else if (!FollowsLeader(obs, *m)) {
    d = Do("following leader " + leader, {action::Follow{leader}});
  } else {
    d = Do("no action: streaming from leader " + leader);
  }
  // A replica keeps slots too (ha/slots.h): for members that stream from it, and, when it may be
  // promoted, for every member and the permanent slots, so they exist when it leads.
  if (!PlanSlots(obs).empty()) d.actions.push_back(action::EnsureSlots{});
  return d;
}

}  // namespace

bool LeaseExpiring(const Observation& obs) {
  if (!obs.lease_valid_until) return true;
  // Demote cleanly 1.5 s before the lease could expire. The hard guarantee does not depend on
  // this loop being awake: the fencing guard kills PostgreSQL 1 s before expiry (agent/guard.h).
  return obs.now + kDemoteMargin >= *obs.lease_valid_until;
}

std::optional<uint64_t> SwitchPoint(const ClusterView& view, uint32_t tl) {
  for (const auto& h : view.history)
    if (h.timeline == tl) return h.switch_lsn;
  return std::nullopt;
}

bool OnForeignTimeline(const Observation& obs) {
  uint32_t tl = obs.pg.timeline_start_of;
  if (tl <= 1) return false;
  auto began = SwitchPoint(obs.cluster, tl - 1);  // where the cluster's timeline tl began
  return began && *began != obs.pg.timeline_start;
}

bool NeedsRewind(const Observation& obs, const Member& leader) {
  uint32_t mine = obs.pg.control_timeline;
  // Behind the leader's timeline, or ahead of it: a server promoted behind the agents' back (or a
  // former leader whose promotion the cluster never adopted) is on a branch the leader does not
  // have, and PostgreSQL refuses to stream from a primary on a lower timeline for good.
  return mine != 0 && leader.timeline && *leader.timeline != mine;
}

namespace {

// In synchronous mode only /sync members race; the former leader's extra WAL was never
// acknowledged to a client, so it does not veto either (as in Patroni).
bool RacesUnderSync(const Observation& obs, const std::string& name) {
  return !SyncRestrictsRace(obs) ||
         (InSyncKey(obs.cluster, name) && name != obs.cluster.sync->leader);
}

// A member whose agent does not answer yet may hold more WAL than I do: when every node starts
// at once (a cold start after a power loss), the first agent up found the others' REST APIs not
// listening yet, and a replica that had been down promoted past rows the others had
// (cluster.failover_test phase 6, flaky). Its member key, which lives at most ttl after its
// agent stopped renewing it, still tells: a running or starting member that could be promoted,
// on my timeline or a newer one, ahead of me, holds the race up until it answers or its key
// expires. As for an answering peer, /sync limits the race in synchronous mode.
//
// A member key is written once per renewal, not at every WAL write, so it can show less than the
// member has. In the first ttl after this agent started (every node starting at once, etcd's
// leases restored whole), such a key holds the race up whatever position it shows: it belongs
// to a member that was running when the cluster went down and whose agent has not started yet
// (cluster.failover_test phase 6 again: node2's key predated the last rows, and node3, behind
// both, promoted). The window is bounded by ttl, and the member's answer ends it sooner.
bool ColdStart(const Observation& obs) {
  return obs.agent_started && obs.now - *obs.agent_started < std::chrono::seconds(obs.settings.ttl);
}

bool UnansweringPeerAhead(const Observation& obs, const std::string& name, uint64_t mine) {
  const Member* m = obs.cluster.FindMember(name);
  if (m == nullptr || !m->xlog_location) return false;
  if (*m->xlog_location <= mine && !ColdStart(obs)) return false;
  if (m->state != "running" && m->state != "starting") return false;
  if (!m->tags.CanPromote()) return false;
  if (m->timeline && obs.pg.timeline != 0 && *m->timeline < obs.pg.timeline) return false;
  return RacesUnderSync(obs, name);
}

// A reachable peer whose PostgreSQL is stopped, seen in the cold-start window: see IsHealthiest.
bool StoppedPeerMayBeAhead(const Observation& obs, const PeerStatus& p) {
  if (!ColdStart(obs) || !p.tags.CanPromote()) return false;
  if (p.timeline != 0 && obs.pg.timeline != 0 && p.timeline < obs.pg.timeline) return false;
  return RacesUnderSync(obs, p.name);
}

}  // namespace

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
  for (const auto& p : obs.peers) {
    if (p.name == obs.me) continue;
    if (!p.reachable) {
      if (UnansweringPeerAhead(obs, p.name, mine)) {
        const Member* m = obs.cluster.FindMember(p.name);
        *why_not = *m->xlog_location > mine
                       ? p.name + " does not answer and its member key shows a higher WAL position"
                       : p.name +
                             " does not answer yet and I started less than ttl ago: its member "
                             "key may predate WAL it has";
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
    // promoted now, and letting it veto leaves the cluster without a leader while its agent lives.
    // Except in the first ttl after this agent started: after a power loss of every node, a
    // peer's agent answers before its PostgreSQL has started (or while a start fails on a lock
    // file its killed postmaster left), and its data directory may hold WAL I lack
    // (cluster.failover_test phase 6, a third time: the lagging node promoted past rows the
    // stopped former primary had).
    if (!p.running) {
      if (StoppedPeerMayBeAhead(obs, p)) {
        *why_not = p.name +
                   "'s PostgreSQL is not running yet and I started less than ttl ago: its WAL "
                   "position is not known";
        return false;
      }
      continue;
    }
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

Decision Decide(const Observation& obs) {
  if (!obs.dcs_ok) return DecideWithoutDcs(obs);
  const auto& c = obs.cluster;
  const LocalPg& pg = obs.pg;
  if (!pg.data_dir_empty && !pg.sysid.empty() && c.initialize && !c.initialize->empty() &&
      *c.initialize != pg.sysid) {
    return Do("refusing to run: the data directory's system identifier " + pg.sysid +
                  " differs from the cluster's " + *c.initialize,
              {action::Halt{"system identifier mismatch: data directory has " + pg.sysid +
                            ", cluster has " + *c.initialize}});
  }
  if (pg.data_dir_empty) return DecideEmptyDataDir(obs);
  if (!pg.running && pg.postmaster) {
    if (IHoldLeader(obs)) {
      auto down_for = obs.primary_down_since ? obs.now - *obs.primary_down_since : Millis(0);
      if (down_for >= std::chrono::seconds(obs.settings.primary_start_timeout)) {
        return Do(
            "releasing the leader key: PostgreSQL is still starting after "
            "primary_start_timeout",
            {action::Demote{DemoteMode::kImmediate, ""}, action::ReleaseLeader{}});
      }
    }
    return Do("waiting for PostgreSQL to finish starting");
  }
  if (!pg.running) return DecideStopped(obs);
  if (!c.leader) return DecideUnlocked(obs);
  if (IHoldLeader(obs)) return DecideAsLeader(obs);
  return DecideAsFollower(obs);
}

}  // namespace pgha::ha
