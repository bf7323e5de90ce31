// The executor: runs a decision's actions in order and stops at the first failure (it never
// promotes if taking the leader key failed).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "agent/agent.h"
#include "core/iso_time.h"
#include "core/lsn.h"
#include "dcs/codec.h"
#include "ha/slots.h"
#include "pg/admin.h"
#include "pg/commit_gate.h"
#include "pg/failures.h"
#include "pg/render.h"
#include "pg/timeline_files.h"

namespace pgha::agent {

using ha::ActionKind;

namespace {

struct HostPort {
  std::string host;
  int port = 0;
};
// Where member `name`'s PostgreSQL listens (its conn_url); empty when the member is unknown or
// its URL is unusable.
std::optional<HostPort> MemberPostgres(const ha::Observation& obs, const std::string& name) {
  const ha::Member* m = name.empty() ? nullptr : obs.cluster.FindMember(name);
  HostPort at;
  if (!m || !pg::ParseConnUrl(m->conn_url, &at.host, &at.port)) return std::nullopt;
  return at;
}

}  // namespace

bool Agent::Execute(const ha::Decision& decision, ha::Observation& obs) {
  for (const auto& action : decision.actions) {
    if (const auto* halt = std::get_if<ha::action::Halt>(&action)) {
      halt_message_ = halt->message;
      spdlog::critical("{}", halt->message);
      return false;
    }
    Status st = ExecuteAction(action, obs);
    if (!halt_message_.empty()) {  // the action found this agent cannot go on (a failed bootstrap)
      spdlog::critical("{}", halt_message_);
      return false;
    }
    if (!st.ok()) {
      spdlog::error("{} failed: {}", ha::Describe(action), st.message());
      last_reason_ = ha::Describe(action) + " failed: " + st.message();
      break;
    }
  }
  return true;
}

Status Agent::ExecuteAction(const ha::Action& a, ha::Observation& obs) {
  int timeout = cfg_.postgresql.pg_ctl_timeout;
  switch (ha::KindOf(a)) {
    case ActionKind::kRaceInitialize: {
      auto won = dcs_.RaceInitialize();
      if (!won.ok()) return won.error();
      if (!*won) return Err("another member is bootstrapping the cluster");
      return OkStatus();
    }
    case ActionKind::kBootstrap:
      return Bootstrap(obs);
    case ActionKind::kCloneFromLeader: {
      const auto& clone = std::get<ha::action::CloneFromLeader>(a);
      PGHA_TRY(CloneFromLeader(obs, clone.source, clone.then.empty() ? clone.source : clone.then));
      callbacks_.Fire("on_start", "replica");
      return OkStatus();
    }
    case ActionKind::kStartPrimary:
      if (auto st = StartAs(std::nullopt, obs); !st.ok()) {
        // Failing for ha::kStartFailureGrace gives the key up, as Patroni's post_recover.
        if (!durations_.primary_start_failing_since) {
          durations_.primary_start_failing_since = clock_.Now();
        }
        return st;
      }
      callbacks_.Fire("on_start", "primary");
      return OkStatus();
    case ActionKind::kStartReplica:
      PGHA_TRY(StartAs(std::get<ha::action::StartReplica>(a).upstream, obs));
      callbacks_.Fire("on_start", "replica");
      return OkStatus();
    case ActionKind::kFollow: {
      const auto& upstream = std::get<ha::action::Follow>(a).upstream;
      PGHA_TRY(pg_.WriteConfig(Parameters(), Hba(), RecoveryFor(obs, upstream)));
      return pg_.Reload();
    }
    case ActionKind::kAcquireLeader: {
      RenewLeaseNow();
      auto won = dcs_.AcquireLeader();
      if (!won.ok()) return won.error();
      if (!*won) return Err("another member took the leader key first");
      OnLeaderKeyTaken();
      obs.cluster.leader = cfg_.name;  // what the rest of this loop acts on
      obs.lease_valid_until = leader_valid_until_;
      return OkStatus();
    }
    case ActionKind::kPromote:
      return Promote(obs);
    case ActionKind::kCheckpoint: {
      PGHA_TRY(pg::Checkpoint(pg_));
      checkpoint_pending_ = false;
      return OkStatus();
    }
    case ActionKind::kDemote: {
      const auto& demote = std::get<ha::action::Demote>(a);
      return Demote(obs, demote.leader, demote.mode);
    }
    case ActionKind::kReleaseLeader:
      if (obs.primary_start_failed) callbacks_.Fire("on_role_change", "demoted");
      if (!obs.pg.running) durations_.released_key_at = clock_.Now();
      return dcs_.ReleaseLeader();
    case ActionKind::kEnsureSlots:
      return EnsureSlots(obs);
    case ActionKind::kRewind: {
      const auto& rewind = std::get<ha::action::Rewind>(a);
      if (rewind.reclone) return MoveAsideForReclone(rewind.source);
      return Rewind(obs, rewind.source);
    }
    case ActionKind::kSwitchover:
      return Switchover(obs, std::get<ha::action::Switchover>(a).candidate);
    case ActionKind::kSyncReplication: {
      const auto& sync = std::get<ha::action::SyncReplication>(a);
      return ApplySync(obs, sync);
    }
    case ActionKind::kClearSync: {
      auto r = dcs_.DeleteSync(obs.cluster.sync_mod_revision);
      if (!r.ok()) return r.error();
      spdlog::info("synchronous_mode is off: /sync deleted");
      return OkStatus();
    }
    case ActionKind::kClearFailover: {
      auto r = dcs_.WriteFailover("{}", obs.cluster.failover_mod_revision);
      if (!r.ok()) return r.error();
      return OkStatus();
    }
    case ActionKind::kWriteFailsafe:
      return WriteFailsafe(std::get<ha::action::WriteFailsafe>(a).members);
    case ActionKind::kClearFailsafe:
      return WriteFailsafe(std::nullopt);
    case ActionKind::kConfirmFailsafe:
      return ConfirmFailsafe(obs);
    case ActionKind::kHalt:
      return OkStatus();
  }
  (void)timeout;
  return OkStatus();
}

Status Agent::Bootstrap(ha::Observation& obs) {
  PublishMember(obs, "initializing new cluster");
  auto fail = [&](const Error& e) -> Status {
    (void)dcs_.CancelInitialize();
    // Another member may bootstrap now: a data directory left from this attempt would carry a
    // system identifier the cluster never had, and halt this member for good (sim seed 83).
    // Keep it aside, never delete it (as Patroni removes it after a failed bootstrap).
    (void)pg_.Stop("immediate", cfg_.postgresql.pg_ctl_timeout);
    if (auto moved = pg_.MoveDataDirAside(); moved.ok()) {
      spdlog::warn("bootstrap failed: data directory moved aside to {}", *moved);
    }
    return e;
  };
  std::optional<pg::RecoveryTarget> recovery;
  // A user's script that fails (a custom method, post_bootstrap) fails again on the next try, and
  // each try would leave one more data directory aside: as Patroni, the agent stops instead.
  auto fail_for_good = [&](const Error& e) -> Status {
    halt_message_ = "failed to bootstrap the cluster: " + e.message +
                    "; stopping, as Patroni does (fix it and start the agent again)";
    return fail(e);
  };
  if (cfg_.bootstrap.method) {
    auto made = RunBootstrapMethod(*cfg_.bootstrap.method);
    if (!made.ok()) return fail_for_good(made.error());
    recovery = *made;
  } else if (auto st = pg_.Initdb(cfg_.bootstrap.initdb); !st.ok()) {
    return fail(st.error());
  }
  sync_names_ = "";  // a new cluster has no commit to protect yet; roles are created below
  std::vector<std::string> hba =
      cfg_.bootstrap.pg_hba.empty() ? Hba()
                                    : pg::WithCommitGateHba(cfg_.postgresql, cfg_.bootstrap.pg_hba);
  nlohmann::json params = Parameters();
  if (recovery) RaiseToRecoveryFloor(&params);
  if (auto st = pg_.WriteConfig(params, hba, recovery); !st.ok()) return fail(st.error());
  written_params_ = Parameters().dump();
  if (auto st = pg_.Start(cfg_.postgresql.pg_ctl_timeout); !st.ok()) return fail(st.error());
  if (recovery) {
    if (auto st = WaitForEndOfRecovery(); !st.ok()) return fail(st.error());
    if (auto st = pg_.WriteConfig(Parameters(), hba, std::nullopt); !st.ok()) {
      return fail(st.error());
    }
    (void)pg_.Reload();
  }
  if (auto st = CreateRoles(cfg_.bootstrap.method.has_value()); !st.ok()) {
    return fail(st.error());
  }
  if (!cfg_.bootstrap.post_bootstrap.empty()) {
    if (auto st = RunPostBootstrap(); !st.ok()) return fail_for_good(st.error());
  }
  obs.pg = pg_.Observe();
  if (obs.pg.sysid.empty()) return fail(Err("cannot read the new system identifier"));
  PGHA_TRY(dcs_.SetInitialize(obs.pg.sysid));
  nlohmann::json dynamic = cfg_.local_dynamic;
  auto wrote = dcs_.WriteConfig(dynamic.dump(), 0);
  if (!wrote.ok()) return wrote.error();
  RenewLeaseNow();
  auto won = dcs_.AcquireLeader();
  if (!won.ok()) return won.error();
  if (!*won) return Err("the leader key was taken during bootstrap");
  OnLeaderKeyTaken();
  if (settings_.synchronous_mode) {  // before any client can commit (sim bug S1)
    if (auto st = ClaimSyncKey(obs); !st.ok()) spdlog::warn("writing /sync: {}", st.message());
  }
  spdlog::info("bootstrapped cluster {} (system identifier {})", cfg_.scope, obs.pg.sysid);
  return OkStatus();
}

Status Agent::CreateRoles(bool superuser_too) {
  std::vector<std::pair<const config::Credentials*, std::string>> roles = {
      {&cfg_.postgresql.replication, "REPLICATION"}, {&cfg_.postgresql.rewind, "NOREPLICATION"}};
  if (superuser_too && !cfg_.postgresql.superuser.password.empty()) {
    // A restored data directory carries the source cluster's superuser password: set ours, as
    // Patroni does after a custom bootstrap.
    auto st = pg::EnsureLoginRole(pg_, cfg_.postgresql.superuser.username,
                                  cfg_.postgresql.superuser.password, "SUPERUSER");
    if (!st.ok()) return Err("setting the superuser's password: " + st.message());
  }
  for (const auto& [creds, attributes] : roles) {
    if (creds->username.empty() || creds->username == cfg_.postgresql.superuser.username) continue;
    auto st = pg::EnsureLoginRole(pg_, creds->username, creds->password, attributes);
    if (!st.ok()) return Err("creating role " + creds->username + ": " + st.message());
  }
  const auto& rewind = cfg_.postgresql.rewind.username;
  if (!rewind.empty() && rewind != cfg_.postgresql.superuser.username) {
    auto st = pg::GrantRewindFunctions(pg_, rewind);
    if (!st.ok()) return Err("granting rewind rights: " + st.message());
  }
  return OkStatus();
}

std::optional<pg::RecoveryTarget> Agent::RecoveryFor(const ha::Observation& obs,
                                                     const std::string& leader) const {
  pg::RecoveryTarget t;
  if (auto at = MemberPostgres(obs, leader)) {
    t.primary_conninfo =
        pg::PrimaryConninfo(at->host, at->port, cfg_.postgresql.replication, cfg_.name);
    if (settings_.use_slots) t.primary_slot_name = ha::SlotName(cfg_.name);
  }
  return t;
}

Status Agent::StartAs(const std::optional<std::string>& upstream, const ha::Observation& obs) {
  std::optional<pg::RecoveryTarget> recovery;
  if (upstream) recovery = RecoveryFor(obs, *upstream);
  PGHA_TRY(pg_.WriteConfig(Parameters(), Hba(), recovery));
  written_params_ = Parameters().dump();
  PublishMember(obs, "starting");
  // A primary start (crash recovery) may outlast the lease this loop holds: the guard must
  // stop it at the lease deadline rather than let it run unrenewed.
  if (!upstream) ArmFence();
  return pg_.Start(cfg_.postgresql.pg_ctl_timeout);
}

// Writes must stop before the lease can expire in etcd; keep a second for the stop itself.
// Without a confirmed deadline leave the fence as it is (never extend it on a guess): the loop
// demotes, and an earlier deadline — ours or a previous agent's guard — still holds.
void Agent::ArmFence() {
  if (settings_.pause) return;
  if (auto deadline = WriteDeadline()) fence_.Arm(*deadline - ha::kFenceMargin, bound_lease_);
}

// Until when this primary may write: the lease its key is bound to, or, in failsafe mode, the
// promise of every member in /failsafe, whichever lasts longer.
std::optional<MonoTime> Agent::WriteDeadline() const {
  if (leader_valid_until_ && failsafe_valid_until_) {
    return std::max(*leader_valid_until_, *failsafe_valid_until_);
  }
  return leader_valid_until_ ? leader_valid_until_ : failsafe_valid_until_;
}

Status Agent::Rewind(const ha::Observation& obs, const std::string& leader) {
  auto at = MemberPostgres(obs, leader);
  if (!at) return Err("leader " + leader + " has no usable conn_url");
  PublishMember(obs, "rewinding");
  const auto& user =
      cfg_.postgresql.rewind.username.empty() ? cfg_.postgresql.superuser : cfg_.postgresql.rewind;
  std::string conninfo =
      pg::PrimaryConninfo(at->host, at->port, user, cfg_.name) + " dbname=postgres";
  Status st = pg_.Rewind(conninfo, 3600);
  if (st.ok()) {
    spdlog::info("pg_rewind from {} done", leader);
    // Our minimum recovery point is now the leader's insert position: have it flushed, or an
    // idle leader keeps us "not yet accepting connections" until its next WAL flush.
    if (auto conn = ConnectToMember(obs, leader)) {
      if (auto flushed = pg::FlushWal(*conn); !flushed.ok())
        spdlog::warn("could not make {} flush its WAL after the rewind: {}", leader,
                     flushed.message());
    }
    return st;
  }
  spdlog::error("{}", st.message());
  if (pg::RewindFailureIsTransient(st.message())) {
    // It never reached the data directory (the source was not reachable): try again next loop.
    return Err("pg_rewind could not connect to " + leader + "; retrying: " + st.message());
  }
  auto moved = pg_.MoveDataDirAside();
  if (!moved.ok()) return moved.error();
  spdlog::warn("rewind failed: data directory moved aside to {}; re-cloning from {}", *moved,
               leader);
  return Err("rewind failed; data directory kept at " + *moved + " and the member will re-clone");
}

// The data directory is on a timeline no rewind can bring back (same number as the leader's,
// forked elsewhere): keep it aside, never delete it; the next loop clones from the leader.
Status Agent::MoveAsideForReclone(const std::string& leader) {
  auto moved = pg_.MoveDataDirAside();
  if (!moved.ok()) return moved.error();
  spdlog::warn("data directory moved aside to {}; re-cloning from {}", *moved, leader);
  return OkStatus();
}

Status Agent::Demote(const ha::Observation& obs, const std::string& leader, ha::DemoteMode mode) {
  using ha::DemoteMode;
  bool at_once = mode == DemoteMode::kImmediateNolock || mode == DemoteMode::kImmediate;
  WithdrawLeaderPaths();
  PGHA_TRY(StopBeforeFence(at_once ? "immediate" : "fast"));
  fence_.Disarm();
  if (mode == DemoteMode::kImmediate) (void)dcs_.ReleaseLeader();
  if (mode == DemoteMode::kOffline) {
    // The DCS is unreachable: stay down, still a primary on disk. If our key survives the outage
    // we restart on the same timeline (no promotion); otherwise we rejoin the new leader.
    // Patroni restarts it read-only here. pgha did too for a while (session 14), and the fault
    // suite's drop-isolate then left the demoted node a standby whose fast shutdown before the
    // rewind hung: the cluster never converged.
    callbacks_.Fire("on_stop", "demoted");
    return OkStatus();
  }
  callbacks_.Fire("on_role_change", "replica");
  if (leader.empty()) return StartAs(std::string(), obs);  // read-only, no upstream yet
  // Another member leads: stay stopped as a standby; the next loop rewinds if the timelines
  // diverged and then starts streaming from the leader.
  return pg_.WriteConfig(Parameters(), Hba(), RecoveryFor(obs, leader));
}

// A fast shutdown (clients cut off, a shutdown checkpoint, exit) while it can end before the
// fencing guard's kill; 100 ms before that kill, an immediate one: the clean stop of a primary
// that lost etcd is its own, never the guard's SIGKILL (tests/deploy/hosts_test.sh). Writes stop
// at the first signal either way; only the checkpoint is at stake.
Status Agent::StopBeforeFence(const std::string& stop_mode) {
  const std::optional<MonoTime> deadline = WriteDeadline();
  if (stop_mode != "fast" || !may_write_ || !deadline) {
    return pg_.Stop(stop_mode, cfg_.postgresql.pg_ctl_timeout);
  }
  const MonoTime give_up = *deadline - ha::kFenceMargin - Millis(100);
  PGHA_TRY(pg_.RequestStop("fast"));
  while (pg_.PostmasterRunning()) {
    if (clock_.Now() >= give_up) {
      spdlog::warn("fast shutdown still running 100 ms before the fencing deadline: immediate");
      return pg_.Stop("immediate", cfg_.postgresql.pg_ctl_timeout);
    }
    clock_.SleepFor(Millis(10));  // poll pacing
  }
  return OkStatus();
}

Status Agent::Promote(ha::Observation& obs) {
  PGHA_TRY(PrePromote(obs));
  PublishMember(obs, "promoting");
  ArmFence();
  // PostgreSQL removes standby.signal itself while promoting: rewrite our files only afterwards.
  // Bounded well inside the lease: a promotion still running after that is asked for again by
  // the next loop, which also keeps the lease.
  int wait = std::max(1, std::min(cfg_.postgresql.pg_ctl_timeout, settings_.ttl / 2));
  if (settings_.synchronous_mode) {
    if (auto st = ClaimSyncKey(obs); !st.ok()) return Err("postponing promotion: " + st.message());
  }
  if (auto st = ClaimTimeline(obs); !st.ok()) return Err("postponing promotion: " + st.message());
  PGHA_TRY(pg_.Promote(wait));
  PGHA_TRY(pg_.WriteConfig(Parameters(), Hba(), std::nullopt));
  checkpoint_pending_ = true;
  obs.pg = pg_.Observe();
  PublishSnapshot(obs);  // leader paths answer 200 now, not at the end of the loop
  SyncHistory(obs);
  spdlog::info("promoted to primary on timeline {}", obs.pg.timeline);
  callbacks_.Fire("on_role_change", "primary");
  return OkStatus();
}

// Claims, compare-and-swap on /pgha_timeline, the timeline number this promotion will take, and
// makes PostgreSQL take exactly that one by reserving every lower number another member claimed
// (pg/timeline_files.h). A member fenced after promoting but before its /history write landed
// cannot make the next leader pick its number: pg_rewind compares timelines by number, so the
// fenced one's WAL would never be rewound (sim bug B2, docs/safety.md).
Status Agent::ClaimTimeline(const ha::Observation& obs) {
  const auto& claim = obs.cluster.timeline_claim;
  const uint32_t current = obs.pg.timeline;
  // My own claim that I have not used yet (a promotion postponed or still running) stands.
  const bool mine = claim && claim->member == cfg_.name && claim->timeline > current;
  const uint32_t at_least = !claim ? 0 : mine ? claim->timeline : claim->timeline + 1;
  auto next = pg_.ReserveTimelines(current, obs.pg.WalPosition(), at_least);
  if (!next.ok()) return Err("reserving timeline numbers: " + next.message());
  if (mine && *next == claim->timeline) return OkStatus();
  auto wrote = dcs_.WriteTimelineClaim(dcs::EncodeTimelineClaim({*next, cfg_.name}),
                                       claim ? obs.cluster.timeline_claim_mod_revision : 0);
  if (!wrote.ok())
    return Err("claiming timeline " + std::to_string(*next) + ": " + wrote.message());
  if (!*wrote) return Err("/pgha_timeline changed since it was read");
  if (*next > current + 1) {
    spdlog::info("timeline numbers {}..{} were claimed by others: promoting to timeline {}",
                 current + 1, *next - 1, *next);
  }
  return OkStatus();
}

// Makes /history match this primary's timeline history file: one entry per earlier timeline
// [timeline, switch LSN, reason, time, new leader]. Run after promotion and on every leader
// cycle until it succeeds, so a failed write is not lost (sim bug B2).
void Agent::SyncHistory(const ha::Observation& obs) {
  if (obs.pg.timeline <= 1) return;
  auto text = pg_.ReadTimelineHistory(obs.pg.timeline);
  if (!text.ok()) {
    spdlog::warn("reading the timeline history: {}", text.message());
    return;
  }
  std::vector<ha::HistoryEntry> history;
  // Numbers this lineage skipped get entries too: /history names every timeline below ours, and
  // a member left on a skipped number finds where the cluster's lineage went on without it.
  for (const auto& sw :
       pg::WithSkippedTimelines(pg::ParseTimelineHistory(*text), obs.pg.timeline)) {
    ha::HistoryEntry e{sw.timeline, sw.switch_lsn,
                       sw.reason.empty() ? "no recovery target specified" : sw.reason,
                       FormatIsoTimeMicros(clock_.WallSeconds()), cfg_.name};
    for (const auto& old : obs.cluster.history) {
      if (old.timeline == sw.timeline) {  // keep what the earlier leaders recorded
        e.timestamp = old.timestamp;
        e.new_leader = old.new_leader;
      }
    }
    history.push_back(std::move(e));
  }
  if (history.empty()) return;
  // Rewrite only what differs from our own lineage: another member may have recorded the same
  // timeline numbers forked at other points (replicas compare their timeline with /history).
  auto same = [](const ha::HistoryEntry& a, const ha::HistoryEntry& b) {
    return a.timeline == b.timeline && a.switch_lsn == b.switch_lsn;
  };
  if (std::equal(history.begin(), history.end(), obs.cluster.history.begin(),
                 obs.cluster.history.end(), same)) {
    return;
  }
  if (auto st = dcs_.WriteHistory(dcs::EncodeHistory(history)); !st.ok()) {
    spdlog::warn("writing /history: {}", st.message());
  }
}

// Planned switchover with the shortest write outage: CHECKPOINT first (so the shutdown
// checkpoint is quick), fast stop (walsenders ship everything up to the shutdown checkpoint),
// then hand the key over as soon as the candidate has received that checkpoint — while our
// postmaster may still be exiting: once pg_control says "shut down" no session is left that could
// write. No fixed sleeps.
Status Agent::Switchover(ha::Observation& obs, const std::string& candidate) {
  WithdrawLeaderPaths();
  PublishMember(obs, "stopping");
  (void)pg::Checkpoint(pg_);
  // Connect to the candidate's PostgreSQL before stopping ours: its agent's REST snapshot can be
  // a loop old, and the connection costs nothing while we still accept writes.
  std::unique_ptr<pg::Connection> conn = ConnectToMember(obs, candidate);
  BeforeStop();
  PGHA_TRY(pg_.RequestStop("fast"));
  auto stop_deadline = clock_.Now() + std::chrono::seconds(cfg_.postgresql.pg_ctl_timeout);
  std::optional<uint64_t> end;
  while (!(end = pg_.ShutdownCheckpoint()) && clock_.Now() < stop_deadline) {
    if (!pg_.PostmasterRunning()) break;  // it died mid-way: no shutdown checkpoint will come
    clock_.SleepFor(Millis(10));          // poll pacing, bounded above
  }
  if (!end && !pg_.PostmasterRunning() && !pg_.ShutdownCheckpoint()) {
    // Crashed (or fenced) before its shutdown checkpoint: the candidate cannot confirm a position
    // that holds every commit. Keep the key; the next loop restarts this primary.
    (void)dcs_.WriteFailover("{}", obs.cluster.failover_mod_revision);
    return Err("PostgreSQL stopped without a shutdown checkpoint; switchover to " + candidate +
               " cancelled, keeping the leader key");
  }
  if (!end) {  // no clean shutdown checkpoint: wait for the stop as usual, keep the key on error
    PGHA_TRY(pg_.Stop("fast", cfg_.postgresql.pg_ctl_timeout));
    end = pg_.Observe().control_checkpoint;
  }
  fence_.Disarm();
  bool caught_up = false;
  auto deadline = clock_.Now() + std::chrono::seconds(settings_.retry_timeout * 2 + 5);
  while (conn && clock_.Now() < deadline) {
    auto received = pg::ReceivedLsn(*conn);
    if (!received.ok()) break;
    if (*received > *end) {
      caught_up = true;
      break;
    }
    clock_.SleepFor(Millis(5));  // poll pacing, bounded above
  }
  if (!caught_up) {
    // Handing over now could lose what the candidate lacks: keep the key, drop the request; the
    // next loop starts this PostgreSQL again as the primary (it holds the key).
    (void)dcs_.WriteFailover("{}", obs.cluster.failover_mod_revision);
    return Err(candidate + " did not confirm our shutdown checkpoint " + Lsn{*end}.ToString() +
               "; switchover cancelled, keeping the leader key");
  }
  (void)dcs_.WriteStatus(dcs::EncodeStatus(*end, {}, {}));
  PGHA_TRY(dcs_.ReleaseLeader());
  spdlog::info("switchover: leader key released to {} at {}", candidate, Lsn{*end}.ToString());
  // The postmaster may still be exiting; StartAs needs it gone.
  PGHA_TRY(pg_.Stop("fast", cfg_.postgresql.pg_ctl_timeout));
  return StartAs(candidate, obs);
}

// A superuser connection to a member's PostgreSQL (from its conn_url), or null.
std::unique_ptr<pg::Connection> Agent::ConnectToMember(const ha::Observation& obs,
                                                       const std::string& name,
                                                       const std::string& dbname) const {
  auto at = MemberPostgres(obs, name);
  if (!at) return nullptr;
  auto c = pg::Connection::Open(pg::UserConninfo(at->host, at->port, cfg_.postgresql.superuser,
                                                 {{"dbname", dbname}, {"connect_timeout", "2"}}));
  if (!c.ok()) return nullptr;
  return std::move(c).value();
}

}  // namespace pgha::agent
