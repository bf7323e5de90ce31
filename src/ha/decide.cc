// Decide(): the observe -> decide -> act loop's pure middle. Every branch returns a reason that
// an operator can read in the log, /patroni and `pghactl list`.
#include <algorithm>
#include <optional>

#include "core/iso_time.h"
#include "core/lsn.h"
#include "core/strings.h"
#include "ha/decision.h"
#include "ha/quorum.h"
#include "ha/race.h"
#include "ha/slots.h"
#include "ha/sync.h"

namespace pgha::ha {
namespace {

Decision Do(std::string reason, std::vector<Action> actions = {}) {
  return Decision{std::move(actions), std::move(reason)};
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

Decision DecideUnlocked(const Observation& obs) {
  // A member that confirmed a failsafe primary stays out of the race, manual requests included,
  // and so does one that /failsafe does not list: the failsafe primary counted only the members
  // listed, so an operator's failover to another made two primaries (simulator, --failsafe, seed
  // 17315: /failsafe was written before the replicas had keys, then etcd went; Patroni allows
  // it). A running primary races as below (it is the one the others wait for, taking its key
  // back).
  if (!IsPrimary(obs.pg)) {
    if (std::string block = FailsafeRaceBlock(obs); !block.empty()) {
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
