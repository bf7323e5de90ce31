#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/iso_time.h"
#include "dcs/codec.h"
#include "ha/lease.h"
#include "ha/sync.h"
#include "pg/admin.h"
#include "scenario/scenario.h"

namespace pgha::agent {

Agent::Agent(config::Config config, dcs::Dcs& dcs, pg::Postgres& pg, PeerProber& peers,
             Fence& fence, Clock& clock)
    : cfg_(std::move(config)),
      dcs_(dcs),
      pg_(pg),
      peers_(peers),
      fence_(fence),
      clock_(clock),
      started_at_(clock.Now()),
      callbacks_(cfg_.scope) {
  callbacks_.SetCommands(cfg_.postgresql.callbacks);
  std::vector<std::string> warnings;
  settings_ = config::MergeDynamic(cfg_, nlohmann::json::object(), &warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  ha::Observation initial;
  initial.now = clock_.Now();
  PublishSnapshot(initial);
}

int Agent::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto started = clock_.Now();
    if (!RunOnce()) return 1;
    auto deadline = started + std::chrono::seconds(settings_.loop_wait);
    // A primary whose lease was not renewed looks again the moment it enters the demote margin:
    // the margin before the guard's kill (1.5 s - 1 s) is shorter than a loop, and a loop that
    // slept past it left the guard to SIGKILL a primary the loop could have stopped cleanly
    // (tests/deploy/hosts_test.sh, a leader's host cut off).
    if (auto until = WriteDeadline(); may_write_ && until) {
      auto demote_at = *until - ha::kDemoteMargin + Millis(10);
      if (demote_at > clock_.Now()) deadline = std::min(deadline, demote_at);
    }
    if (stop.load()) break;
    WaitForNextLoop(deadline);
  }
  return 0;
}

// Until an etcd change that matters, or the deadline. A replica streaming from the leader also
// looks at its WAL receiver every 100 ms: when the leader's PostgreSQL dies the stream ends at
// once (its socket closes), and judging the leader then rather than up to loop_wait later is
// most of a fast failover (docs/timing.md). One local query per look; primaries never poll.
void Agent::WaitForNextLoop(MonoTime deadline) {
  if (!streaming_from_leader_) {
    dcs_.WaitForChange(last_revision_, clock_.ToSteady(deadline));
    return;
  }
  constexpr auto kLook = std::chrono::milliseconds(100);
  while (clock_.Now() < deadline) {
    auto until = std::min(deadline, clock_.Now() + kLook);
    if (dcs_.WaitForChange(last_revision_, clock_.ToSteady(until))) return;
    if (!pg::WalReceiverStreaming(pg_)) return;
  }
}

bool Agent::RefreshDcs(ha::Observation* obs) {
  // A primary's etcd calls end before it must decide to demote (with 100 ms to decide): an
  // unreachable etcd makes them fail, never delays the clean demote past the guard's kill.
  // Only while PostgreSQL may be writing: once it is stopped or a replica, nothing hurries, and a
  // deadline in the past would fail every call for good.
  std::optional<MonoTime> not_after;
  if (auto until = WriteDeadline(); until && may_write_) {
    not_after = *until - ha::kDemoteMargin - Millis(100);
  }
  if (not_after) not_after = clock_.ToSteady(*not_after);
  dcs_.BoundCalls(std::chrono::seconds(settings_.retry_timeout), not_after);
  // Renew first, timing the lease from when the request was sent (docs/safety.md §2). A member
  // that does not lead renews only when ha::LeaseRenewalDue says so; until then its last renewal
  // stands.
  auto sent = clock_.Now();
  bool lease_ok = false;
  bool renewed = true;
  bool unanswered = false;  // etcd did not answer the keepalive
  ha::LeaseFacts lease{sent, lease_valid_until_, dcs_.lease_ttl(), may_write_ || bound_lease_ != 0};
  if (dcs_.lease_id() == 0) {
    lease_ok = dcs_.EnsureLease(settings_.ttl).ok();
  } else if (!ha::LeaseRenewalDue(settings_, lease)) {
    lease_ok = true;
    renewed = false;
  } else {
    auto alive = dcs_.KeepAlive();
    if (alive.ok() && *alive) {
      lease_ok = true;
    } else if (alive.ok()) {
      spdlog::warn("lease expired in etcd; granting a new one");
      lease_ok = dcs_.EnsureLease(settings_.ttl).ok();
    } else {
      spdlog::warn("lease keepalive failed: {}", alive.message());
      unanswered = dcs::ClassifyError(alive.error()) == dcs::EtcdErrc::kUnavailable;
    }
  }
  // The loop is not valid without a renewed lease whatever a read would say, and a read of an
  // etcd that just let a keepalive time out most likely costs another retry_timeout: decide now
  // (a primary in failsafe mode learns a member's refusal a whole timeout sooner).
  if (unanswered) return false;
  if (lease_ok && dcs_.lease_ttl() != settings_.ttl) {
    // A lease keeps the TTL it was granted with: a changed ttl takes effect only on a new lease
    // (the leader key is re-bound to it by TrackLeaderBinding before it may extend the fence).
    spdlog::info("ttl is {} s but the lease was granted {} s: granting a new lease", settings_.ttl,
                 dcs_.lease_ttl());
    auto granted_at = clock_.Now();
    if (auto st = dcs_.ReplaceLease(settings_.ttl); st.ok()) {
      sent = granted_at;
    } else {
      spdlog::warn("granting a lease with the new ttl: {}", st.message());
    }
  }
  if (lease_ok && renewed) {
    lease_valid_until_ = LeaseDeadline(sent);
    // Our lease only protects the leader key while the key is bound to it.
    if (bound_lease_ != 0 && dcs_.lease_id() == bound_lease_) {
      leader_valid_until_ = lease_valid_until_;
    }
  }
  auto view = dcs_.Load();
  if (!view.ok()) {
    spdlog::warn("cannot read the cluster from etcd: {}", view.message());
    return false;
  }
  obs->cluster = std::move(view).value();
  last_revision_ = obs->cluster.revision;
  dcs_last_seen_ = clock_.WallSeconds();
  ApplyDynamicConfig(obs->cluster);
  TrackLeaderBinding(obs, lease_ok);
  // A primary's renewal extends its fence now, not at the end of this loop: on a slow link the
  // loop's other calls can outlast the fence's margin, and the guard then killed a healthy
  // primary (the fault suite's slow-leader). The same deadline the end of the loop would give:
  // the lease just renewed, the key confirmed bound to it by the read above.
  if (lease_ok && fence_extended_ && leader_valid_until_) ArmFence();
  return lease_ok;
}

// The deadline by which a primary must stop writing comes only from keepalives of the lease the
// leader key is confirmed to be bound to. A fresh lease (after a restart or a lost lease) does
// not count until the key has been re-bound to it: the key may still live on an older lease
// whose expiry is sooner, and another member may take it then (sim bug B3).
void Agent::TrackLeaderBinding(ha::Observation* obs, bool lease_ok) {
  bool mine = obs->cluster.leader && *obs->cluster.leader == cfg_.name;
  if (!mine) {
    bound_lease_ = 0;
    leader_valid_until_.reset();
    return;
  }
  if (obs->cluster.leader_lease != dcs_.lease_id()) {
    auto still = dcs_.RefreshLeader();
    if (!still.ok() || !*still) {
      obs->cluster.leader.reset();
      bound_lease_ = 0;
      leader_valid_until_.reset();
      return;
    }
    obs->cluster.leader_lease = dcs_.lease_id();
  }
  if (!lease_ok) return;
  bound_lease_ = dcs_.lease_id();
  leader_valid_until_ = lease_valid_until_;
}

// A lease renewed by a request sent at `sent` lives in etcd at least until sent + its granted TTL;
// the smaller of granted and configured ttl keeps the deadline safe whichever etcd applies.
MonoTime Agent::LeaseDeadline(MonoTime sent) const {
  int64_t granted = dcs_.lease_ttl();
  int64_t ttl = granted > 0 ? std::min<int64_t>(granted, settings_.ttl) : settings_.ttl;
  return sent + std::chrono::seconds(ttl);
}

// Long actions (initdb, clone) can outlast the lease renewed at the start of the loop: renew it
// right before taking the leader key, so the deadline the fence gets is a fresh one.
void Agent::RenewLeaseNow() {
  auto sent = clock_.Now();
  auto alive = dcs_.KeepAlive();
  bool ok = alive.ok() && *alive;
  if (alive.ok() && !*alive) ok = dcs_.EnsureLease(settings_.ttl).ok();
  if (ok) lease_valid_until_ = LeaseDeadline(sent);
}

void Agent::OnLeaderKeyTaken() {
  bound_lease_ = dcs_.lease_id();
  leader_valid_until_ = lease_valid_until_;
}

// A running replica's timeline never goes back, but what PostgreSQL reports can (with no WAL
// receiver it falls back to the last restartpoint's timeline). Keep the highest value seen
// since the server started, so a replica whose upstream just died is not judged behind.
void Agent::KeepReplicaTimeline(ha::LocalPg* pg) {
  if (!pg->running || !pg->in_recovery) {
    replica_timeline_ = {};
    return;
  }
  if (replica_timeline_.first != pg->postmaster_start_time)
    replica_timeline_ = {pg->postmaster_start_time, 0};
  replica_timeline_.second = std::max(replica_timeline_.second, pg->timeline);
  pg->timeline = replica_timeline_.second;
}

void Agent::ApplyDynamicConfig(const ha::ClusterView& view) {
  nlohmann::json parsed = nlohmann::json::object();
  if (!view.config_json.empty()) {
    parsed = nlohmann::json::parse(view.config_json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      spdlog::warn("ignoring /config: not a JSON object");
      parsed = nlohmann::json::object();
    }
  }
  if (parsed == dcs_config_ && !view.config_json.empty()) return;
  dcs_config_ = parsed;
  std::vector<std::string> warnings;
  auto next = config::MergeDynamic(cfg_, dcs_config_, settings_, &warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  if (!(next == settings_)) spdlog::info("dynamic configuration changed");
  settings_ = next;
  if (watchdog_) {
    watchdog_->SetTimeout(
        WatchdogTimeout(settings_.ttl, settings_.loop_wait, cfg_.watchdog.safety_margin));
  }
}

bool Agent::RunOnce() {
  ha::Observation obs;
  obs.me = cfg_.name;
  obs.tags = cfg_.tags;
  obs.dcs_ok = RefreshDcs(&obs);
  obs.settings = settings_;
  ObserveFailsafe(&obs);
  const MonoTime observed_at = clock_.Now();
  obs.pg = pg_.Observe();
  KeepReplicaTimeline(&obs.pg);
  // Only a running primary keeps the standbys it chose; anything else writes the value that is
  // safe the moment it starts as a primary or is promoted.
  if (obs.dcs_ok && (!obs.pg.running || obs.pg.in_recovery || !settings_.synchronous_mode)) {
    sync_names_ = ha::RestartSyncStandbyNames(obs);
  }
  FenceUnclaimedPrimary(obs);
  obs.now = clock_.Now();
  obs.wall_now = clock_.WallSeconds();
  obs.lease_valid_until = leader_valid_until_;
  obs.agent_started = started_at_;
  obs.leader_seen = leader_seen_;
  obs.checkpoint_after_promote_pending = checkpoint_pending_;
  obs.replica_method_without_leader = std::any_of(
      cfg_.postgresql.create_replica_methods.begin(), cfg_.postgresql.create_replica_methods.end(),
      [](const config::ScriptMethod& m) { return m.no_leader; });
  const bool holding = obs.dcs_ok && obs.cluster.leader == cfg_.name;
  durations_ = ha::NextDurations(durations_, holding, obs.pg, obs.now);
  obs.primary_down_since = durations_.primary_down_since;
  obs.primary_start_failed =
      durations_.primary_start_failing_since &&
      obs.now - *durations_.primary_start_failing_since >= ha::kStartFailureGrace;
  obs.not_streaming_since = durations_.not_streaming_since;
  obs.released_key_at = durations_.released_key_at;
  sync_settle_ = ha::NextSyncSettle(sync_settle_, obs.pg, observed_at);
  obs.sync_names_settled_lsn = sync_settle_.settled;
  if (obs.dcs_ok && obs.cluster.LeaderMember()) former_leader_ = *obs.cluster.LeaderMember();
  if (obs.dcs_ok && !obs.cluster.leader && obs.pg.running) {
    // The former leader is probed only when its member key went with its key (its lease ended).
    const ha::Member* former = former_leader_ && !obs.cluster.FindMember(former_leader_->name)
                                   ? &*former_leader_
                                   : nullptr;
    obs.peers = peers_.Probe(obs.cluster.members, cfg_.name, former);
    obs.watchdog_usable = !watchdog_ || watchdog_->UsableForLeadership();
  }
  obs.watchdog_failed = watchdog_failed_;
  obs.fence_failed = !fence_.Healthy();
  ha::Decision decision = ha::Decide(obs);
  // A steady leader's loop keeps its slots and synchronous replication in step every second:
  // its unchanged reason is logged once a minute, not on every loop.
  const bool routine = std::all_of(decision.actions.begin(), decision.actions.end(), [](auto& a) {
    return ha::KindOf(a) == ha::ActionKind::kEnsureSlots ||
           ha::KindOf(a) == ha::ActionKind::kSyncReplication;
  });
  if (decision.reason != last_reason_ || !routine) RecordDecision(obs, decision);
  if (decision.reason != last_reason_ || !routine || obs.now - last_logged_ >= kQuietLog) {
    spdlog::info("{}", decision.reason);
    last_reason_ = decision.reason;
    last_logged_ = obs.now;
  }
  bool keep_running = Execute(decision, obs);
  obs.failsafe_valid_until = FailsafeUntil();  // a confirmation round may have ended
  if (!decision.actions.empty()) {
    obs.pg = pg_.Observe();
    // What peers see must keep the replica's timeline too: a raw re-read after a reload can fall
    // back to the last restartpoint's, and a peer then ignores this member's WAL position as on
    // an older timeline (two replicas each found themselves the healthiest after a leader died).
    KeepReplicaTimeline(&obs.pg);
  }
  if (keep_running) ServeOperations(obs);
  if (obs.dcs_ok) {
    SyncParameters(obs);
    PublishMember(obs);
    PublishStatus(obs);
  }
  UpdateFence(obs);
  may_write_ = !((obs.pg.running && obs.pg.in_recovery) || !obs.pg.postmaster);
  PublishSnapshot(obs);
  streaming_from_leader_ = obs.dcs_ok && obs.cluster.leader && *obs.cluster.leader != cfg_.name &&
                           obs.pg.running && obs.pg.in_recovery && obs.pg.streaming;
  // A leader key alone is not enough: after a power loss etcd may still hold the old leader's
  // key for a moment (simulator, power-all, seed 3291).
  leader_seen_ =
      leader_seen_ || streaming_from_leader_ ||
      (obs.dcs_ok && obs.cluster.leader == cfg_.name && obs.pg.running && !obs.pg.in_recovery);
  return keep_running;
}

void Agent::RecordDecision(const ha::Observation& obs, const ha::Decision& decision) {
  auto next = std::make_shared<std::vector<std::string>>();
  size_t keep = std::min(journal_->size(), kJournalSize - 1);
  next->assign(journal_->end() - static_cast<std::ptrdiff_t>(keep), journal_->end());
  next->push_back(scenario::FormatScenario(
      obs, decision,
      "pgha decision journal: " + cfg_.name + " at " + FormatIsoTimeMicros(obs.wall_now)));
  journal_ = std::move(next);
}

void Agent::UpdateFence(const ha::Observation& obs) {
  bool primary = obs.pg.running && !obs.pg.in_recovery;
  // The guard is disarmed only when this node cannot write: PostgreSQL confirmed a replica, or no
  // postmaster at all. A postmaster we cannot query (connection slots full, a long crash
  // recovery) keeps whatever deadline it had: it may still be a primary (docs/safety.md).
  bool cannot_write = (obs.pg.running && obs.pg.in_recovery) || !obs.pg.postmaster;
  fence_extended_ = false;
  if (settings_.pause || (!primary && cannot_write)) {
    fence_.Disarm();
    if (watchdog_) watchdog_->Disable();
    watchdog_failed_ = false;
    return;
  }
  if (!primary) return;  // role unknown: neither extend nor disarm
  if (watchdog_ && watchdog_->enabled()) {
    Status st = watchdog_->Keepalive();
    if (!st.ok()) spdlog::error("{}", st.message());
    watchdog_failed_ = !st.ok() && watchdog_->required();
  }
  ArmFence();
  fence_extended_ = true;
}

void Agent::Shutdown() {
  spdlog::info("shutting down");
  dcs_.BoundCalls(std::chrono::seconds(settings_.retry_timeout), std::nullopt);
  auto obs = pg_.Observe();
  bool was_primary = obs.running && !obs.in_recovery;
  if (settings_.pause) {
    spdlog::info("paused: leaving PostgreSQL running");
    return;
  }
  if (obs.running) BeforeStop();
  if (auto st = pg_.Stop("fast", cfg_.postgresql.pg_ctl_timeout); !st.ok()) {
    spdlog::error("stopping PostgreSQL: {}", st.message());
  } else if (obs.running) {
    callbacks_.Fire("on_stop", was_primary ? "primary" : "replica");
  }
  if (was_primary) {
    // PostgreSQL is down: publish where it stopped, then let the replicas race at once.
    auto after = pg_.Observe();
    if (after.control_checkpoint > 0) {
      (void)dcs_.WriteStatus(dcs::EncodeStatus(after.control_checkpoint, {}, {}));
    }
    if (auto st = dcs_.ReleaseLeader(); !st.ok()) spdlog::warn("release leader: {}", st.message());
  }
  (void)dcs_.RevokeLease();
}

// Before stopping a primary on purpose: load balancers probing /primary see 503 while
// PostgreSQL still answers, so they move traffic before connections start to be refused.
void Agent::WithdrawLeaderPaths() {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  if (!snapshot_ || !snapshot_->is_leader) return;
  auto s = std::make_shared<node::Snapshot>(*snapshot_);
  s->is_leader = false;
  snapshot_ = std::move(s);
}

std::shared_ptr<const node::Snapshot> Agent::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

void Agent::PublishSnapshot(const ha::Observation& obs) {
  auto s = std::make_shared<node::Snapshot>();
  s->scope = cfg_.scope;
  s->name = cfg_.name;
  s->version = PGHA_VERSION;
  s->pg = obs.pg;
  s->is_leader = ((obs.dcs_ok && obs.cluster.leader == cfg_.name && !ha::LeaseExpiring(obs)) ||
                  ha::FailsafeHolds(obs)) &&
                 obs.pg.running && !obs.pg.in_recovery;
  s->failsafe_active = ha::FailsafeHolds(obs) ||
                       (obs.failsafe_leader.has_value() && obs.now < obs.failsafe_leader->until);
  s->failsafe_members = failsafe_members_;
  s->cluster_unlocked = obs.dcs_ok && !obs.cluster.leader;
  s->journal = journal_;
  s->dcs_ok = obs.dcs_ok;
  s->dcs_last_seen = dcs_last_seen_;
  s->tags = cfg_.tags;
  s->settings = settings_;
  s->cluster_optime = obs.cluster.optime;
  s->sync = obs.cluster.sync;
  s->reason = last_reason_;
  s->watchdog_failed = watchdog_failed_;
  auto ttl = std::chrono::seconds(settings_.ttl);
  // Compared with steady_clock by the REST server.
  s->liveness_deadline = clock_.ToSteady(obs.now + std::chrono::seconds(settings_.loop_wait) + ttl);
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(s);
}

}  // namespace pgha::agent
