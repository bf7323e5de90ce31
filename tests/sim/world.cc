#include "sim/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "api/failsafe.h"
#include "dcs/codec.h"
#include "dcs/etcd_errors.h"

namespace pgha::sim {
namespace {

constexpr Millis kCallTimeout{3000};  // an etcd request that gets no answer fails after this
constexpr size_t kTraceLength = 40;

}  // namespace

const std::string kLeaderKey = "/service/" + std::string(kScope) + "/leader";
const std::string kFailsafeKey = "/service/" + std::string(kScope) + "/failsafe";

const std::vector<std::string>& AllFaultKinds() {
  static const std::vector<std::string> kinds = {
      "power",       "kill",        "stop",      "pause",      "crash",      "isolate",
      "etcd-cut",    "flaky",       "latency",   "lag",        "etcd-down",  "etcd-leader",
      "rest-refuse", "repl-refuse", "partition", "pg-refuse",  "start-fail", "slow-start",
      "copy-fail",   "wake-delay",  "config",    "switchover", "failover",   "restart",
      "reinit",      "etcd-revoke", "slow-link", "power-all"};
  return kinds;
}

Status Node::Cross() { return world->CrossLink(*this); }

// The operator's (REST API's, pghactl's) path to etcd: fails only while etcd is down.
struct World::OperatorLink final : EtcdLink {
  World* world = nullptr;
  Status Cross() override {
    if (world->etcd_down_) return dcs::EtcdErr(dcs::EtcdErrc::kUnavailable, "etcd has no leader");
    world->etcd_.set_actor("operator");
    return OkStatus();
  }
};

World::World(const SimOptions& options) : opt_(options), rng_(options.seed), etcd_(clock_) {
  clock_.OnAdvance([this] { OnClockAdvance(); });
  etcd_.OnPut([this](const std::string& key, const std::optional<std::string>& before,
                     const std::string& after) { OnEtcdPut(key, before, after); });
  etcd_.OnRemove([this](const dcs::KeyValue& kv, SimEtcd::Removal how, const std::string& actor) {
    OnEtcdRemove(kv, how, actor);
  });
  operator_link_ = std::make_unique<OperatorLink>();
  operator_link_->world = this;
  operator_dcs_ = MakeSimDcs(etcd_, *operator_link_, kScope, "operator");
  prober_ = std::make_unique<FakePeerProber>(
      [this](const std::string& from, const std::string& name) { return PeerSnapshot(from, name); },
      opt_.no_former_leader_probe);
  failsafe_caller_ = std::make_unique<FakeFailsafeCaller>(
      [this](const std::string& from, const std::string& to, const std::string& body) {
        return PostFailsafe(from, to, body);
      },
      // Patroni's 2 s timeout when a member does not answer; else the round trips.
      [this](bool answered) { clock_.Advance(answered ? Ms(Uniform(0.005, 0.3)) : Ms(2)); });
  for (int i = 0; i < opt_.nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->world = this;
    n->index = i;
    n->cfg = NodeConfig(i);
    n->pg = std::make_unique<FakePostgres>(n->cfg.name, n->cfg.postgresql.data_dir,
                                           n->cfg.postgresql.Port(), *this);
    n->pg->hazards().hide_unqueryable_postmaster = opt_.hide_unqueryable;
    n->pg->hazards().drop_slots = opt_.drop_slots;
    n->pg->hazards().ignore_timeline_claims = opt_.no_timeline_claim;
    nodes_.push_back(std::move(n));
  }
  for (auto& n : nodes_) StartAgent(*n);
}

World::~World() {
  clock_.OnAdvance(nullptr);
  etcd_.OnPut(nullptr);
  etcd_.OnRemove(nullptr);
  for (auto& n : nodes_) StopAgent(*n);
}

config::Config World::NodeConfig(int index) const {
  config::Config c;
  std::string x = std::to_string(index + 1);
  c.scope = kScope;
  c.name = "node" + x;
  c.restapi.listen = "127.0.0.1:" + std::to_string(8000 + index + 1);
  c.restapi.connect_address = c.restapi.listen;
  c.etcd.hosts = {"127.0.0.1:2379"};
  // Ports 1..5: nothing listens there, so the real libpq connections the agent opens to other
  // members (Agent::ConnectToMember: switchover, slots, after a rewind) are refused at once,
  // whatever runs on this host.
  c.postgresql.listen = "127.0.0.1:" + std::to_string(index + 1);
  c.postgresql.connect_address = c.postgresql.listen;
  c.postgresql.data_dir = "/sim/node" + x;
  c.postgresql.superuser = {"postgres", "postgres-secret", {}};
  c.postgresql.replication = {"replicator", "replicator-secret", {}};
  c.local_dynamic = {{"ttl", 10}, {"loop_wait", 1}, {"retry_timeout", 3}};
  if (opt_.sync) c.local_dynamic["synchronous_mode"] = true;
  if (opt_.sync_quorum) c.local_dynamic["synchronous_mode"] = "quorum";
  if (opt_.sync_strict) c.local_dynamic["synchronous_mode_strict"] = true;
  if (opt_.sync_count > 0) c.local_dynamic["synchronous_node_count"] = opt_.sync_count;
  if (opt_.failsafe) c.local_dynamic["failsafe_mode"] = true;
  // The stopped-veto control needs a leader that gives up its key while its PostgreSQL cannot
  // start (a full disk) within the run: the default 300 s outlasts the whole schedule.
  if (opt_.stopped_veto) c.local_dynamic["primary_start_timeout"] = 3;
  return c;
}

void World::StartAgent(Node& n) {
  n.dcs = MakeSimDcs(etcd_, n, kScope, n.name(),
                     {opt_.lie_ttl, opt_.fake_sync_member, opt_.zero_quorum});
  n.fence.set_defer(opt_.late_fence);
  n.agent = std::make_unique<agent::Agent>(n.cfg, *n.dcs, *n.pg, *prober_, n.fence, clock_);
  n.ops = std::make_unique<agent::OperationQueue>(nullptr);
  n.agent->set_operations(n.ops.get());
  // A fresh agent process remembers no confirmation it gave (the inbox lives in its memory).
  n.failsafe_inbox = std::make_unique<node::FailsafeInbox>(clock_);
  n.agent_started = clock_.Now();
  // Control --failsafe-forget: the REST API records confirmations the loop never reads.
  n.agent->set_failsafe(failsafe_caller_.get(),
                        opt_.failsafe_forget ? nullptr : n.failsafe_inbox.get());
  n.paused = false;
  n.next_run = clock_.Now() + Ms(Uniform(0, 1));
}

void World::StopAgent(Node& n) {
  n.agent.reset();
  n.dcs.reset();
  n.ops.reset();  // requests still queued die with the process
  n.failsafe_inbox.reset();
}

node::MemberAnswer World::PostFailsafe(const std::string& from, const std::string& to,
                                       const std::string& body) {
  Node* target = FindNode(to);
  Node* source = FindNode(from);
  if (!target || !source || RestRefused(*source, *target)) return {};
  Log(from, "POST /failsafe to " + to);
  auto a = api::FailsafePost(*target->agent->snapshot(), body, target->failsafe_inbox.get());
  return node::MemberAnswer{a.status, a.body, a.lsn};
}

Node* World::FindNode(const std::string& name) {
  for (auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

const Node* World::FindNode(const std::string& name) const {
  for (const auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

Node* World::NodeAtPort(int port) {
  for (auto& n : nodes_) {
    if (n->pg->port() == port) return n.get();
  }
  return nullptr;
}

bool World::Active(const std::string& kind, int node) const {
  for (const auto& f : faults_) {
    if (f.kind == kind && f.node == node) return true;
  }
  return false;
}

bool World::LinkCut(int a, int b) const {
  for (const auto& f : faults_) {
    if (f.kind == "partition" && ((f.node == a && f.peer == b) || (f.node == b && f.peer == a))) {
      return true;
    }
  }
  return false;
}

bool World::RestRefused(const Node& from, const Node& to) const {
  if (!to.agent || to.paused || !to.powered || Active("rest-refuse", to.index)) return true;
  if (Active("isolate", to.index) || Active("isolate", from.index)) return true;
  return LinkCut(from.index, to.index);
}

// `from` is a member's name, or "operator" (the REST API answering pghactl, on no member).
std::shared_ptr<const node::Snapshot> World::PeerSnapshot(const std::string& from,
                                                          const std::string& name) {
  Node* to = FindNode(name);
  Node* me = FindNode(from);
  if (!to) return nullptr;
  if (me ? RestRefused(*me, *to)
         : (!to->agent || to->paused || !to->powered || Active("rest-refuse", to->index) ||
            Active("isolate", to->index))) {
    return nullptr;
  }
  auto snapshot = to->agent->snapshot();
  // As the real REST API (api/server.cc): before its first loop an agent answers "stopped".
  if (!snapshot) snapshot = std::make_shared<const node::Snapshot>();
  if ((opt_.stopped_veto || opt_.stopped_at_zero) && snapshot && !snapshot->pg.running &&
      !snapshot->pg.data_dir_empty) {
    // Control (5): a stopped PostgreSQL reported as a running replica at its last position;
    // --stopped-at-zero: at position 0, so it never holds a race up.
    auto lie = std::make_shared<node::Snapshot>(*snapshot);
    lie->pg.running = true;
    lie->pg.state = "running";
    lie->pg.in_recovery = true;
    lie->pg.timeline = to->pg->data().Timeline();
    lie->pg.receive_lsn = opt_.stopped_at_zero ? 0 : to->pg->data().lsn;
    lie->pg.replay_lsn = lie->pg.receive_lsn;
    return lie;
  }
  if (!snapshot || !snapshot->pg.running || opt_.stale_peer_positions) return snapshot;
  // As the real GET /patroni (api/server.h live_positions): PostgreSQL's positions at this
  // moment when it answers and has not changed role since the loop looked; else the loop's,
  // marked stale.
  auto live = std::make_shared<node::Snapshot>(*snapshot);
  const FakePostgres& pg = *to->pg;
  if (pg.queryable() && pg.in_recovery() == snapshot->pg.in_recovery) {
    if (pg.in_recovery()) {
      live->pg.receive_lsn = live->pg.replay_lsn = pg.data().lsn;
    } else {
      live->pg.wal_lsn = pg.data().lsn;
    }
  } else {
    live->positions_stale = true;
  }
  return live;
}

FakePostgres* World::ServerAt(int port) {
  Node* n = NodeAtPort(port);
  return n && n->powered ? n->pg.get() : nullptr;
}

// Replication connections (WAL receiver, pg_basebackup, pg_rewind) go from a replica to its
// source: cut by isolation, a one-link partition, or the source refusing this replica.
bool World::Linked(int from_port, int to_port) const {
  int a = -1, b = -1;
  for (const auto& n : nodes_) {
    int port = n->pg->port();
    if ((port == from_port || port == to_port) && Active("isolate", n->index)) return false;
    if (port == from_port) a = n->index;
    if (port == to_port) b = n->index;
  }
  if (a >= 0 && Active("repl-refuse", a)) return false;
  return !(a >= 0 && b >= 0 && LinkCut(a, b));
}

Status World::CrossLink(Node& node) {
  auto fail = [&](bool slow, const std::string& why) -> Status {
    if (slow) clock_.Advance(kCallTimeout);
    return dcs::EtcdErr(dcs::EtcdErrc::kUnavailable, why);
  };
  if (etcd_down_) return fail(etcd_slow_, "etcd has no leader");
  for (const auto& f : faults_) {
    if (f.node != node.index) continue;
    if (f.kind == "isolate" || f.kind == "etcd-cut") return fail(f.slow, "partitioned");
    if (f.kind == "flaky" && Chance(0.3)) return fail(f.slow, "request failed");
    if (f.kind == "slow-link") {  // a WAN round trip: every call answered, slowly
      clock_.Advance(Ms(Uniform(0.8, 1.4)));
    }
    if (f.kind == "latency") {
      double seconds = Uniform(0.1, 4.0);
      if (Millis(static_cast<int64_t>(seconds * 1000)) >= kCallTimeout) {
        return fail(true, "request timed out");
      }
      clock_.Advance(Ms(seconds));
    }
  }
  return OkStatus();
}

void World::OnEtcdPut(const std::string& key, const std::optional<std::string>& before,
                      const std::string& after) {
  if (key != "/service/" + std::string(kScope) + "/sync") return;
  auto now = dcs::DecodeSync(after);
  if (!now.ok()) return;
  std::optional<ha::SyncState> old;
  if (before) {
    auto decoded = dcs::DecodeSync(*before);
    if (decoded.ok()) old = *decoded;
  }
  if (old && old->leader == now->leader) return;  // the same leader updating its standbys
  sync_before_claim_[now->leader] = old;
}

void World::OnPromote(const FakePostgres& pg) {
  ++out_.failovers;
  promotions_.push_back({pg.name(), clock_.Now(), NewUid()});
  Node* n = NodeAtPort(pg.port());
  uint64_t max_lag = ha::Settings{}.maximum_lag_on_failover;
  if (n && n->agent) max_lag = n->agent->snapshot()->settings.maximum_lag_on_failover;
  auto optime = ReadView(etcd_).optime;
  Log(pg.name(), fmt::format("PG promote at lsn {} (status.optime {})", pg.data().lsn,
                             optime ? std::to_string(*optime) : "none"));
  if (auto v = PromotionWithinLag(pg, optime, max_lag)) {
    // Synchronous mode: a standby /sync listed (before this member claimed it) has every
    // acknowledged commit, so pgha lets it ignore the lag; invariant 6 checks that instead.
    auto it = sync_before_claim_.find(pg.name());
    bool listed =
        opt_.sync && it != sync_before_claim_.end() && it->second &&
        std::count(it->second->sync_standby.begin(), it->second->sync_standby.end(), pg.name()) > 0;
    if (listed) {
      Log("CHECK", "lag limit waived: " + pg.name() + " was a synchronous standby in /sync");
    } else {
      Fail(*v);
    }
  }
  if (opt_.sync) CheckNoAckedWriteLost(pg, "promoted");
  if (cold_ && cold_->booted_at) CheckColdStart(pg);
}

std::string World::SyncLeaderNow() const {
  auto kv = etcd_.Get("/service/" + std::string(kScope) + "/sync");
  if (!kv) return "";
  auto sync = dcs::DecodeSync(kv->value);
  return sync.ok() ? sync->leader : "";
}

void World::Acknowledge(AckedWrite w, bool confirmed) {
  w.confirmed = confirmed;
  w.acked_at = clock_.Now();
  w.acked_seq = NewUid();
  if (opt_.sync) w.sync_leader = SyncLeaderNow();
  acked_.push_back(std::move(w));
}

void World::CheckNoAckedWriteLost(const FakePostgres& pg, const std::string& when) {
  std::vector<AckedWrite*> lost_now;
  for (auto& w : acked_) {
    if (!w.forgiven && !HasWrite(pg, w)) lost_now.push_back(&w);
  }
  std::vector<const AckedWrite*> lost_writes(lost_now.begin(), lost_now.end());
  int lost = static_cast<int>(lost_writes.size());
  if (lost == 0) return;
  const AckedWrite* first = lost_writes.front();
  auto sync = ReadView(etcd_).sync;
  std::string sync_text = "none";
  if (sync) {
    std::string standbys;
    for (const auto& s : sync->sync_standby) standbys += (standbys.empty() ? "" : ",") + s;
    sync_text = fmt::format("{{leader {}, standbys [{}]}}", sync->leader, standbys);
  }
  std::string v = fmt::format(
      "no acknowledged write lost (synchronous mode): {} {} at lsn {} (timeline {}) without {} "
      "acknowledged write(s), the oldest at lsn {} on {} (timeline {}, acknowledged {}, /sync "
      "leader then: {}); /sync is {}",
      pg.name(), when, pg.data().lsn, pg.data().Timeline(), lost, first->lsn, first->primary,
      first->history.empty() ? 0 : first->history.back().tl,
      first->confirmed ? "after a standby confirmed it" : "without a standby's confirmation",
      first->sync_leader.empty() ? "none" : first->sync_leader, sync_text);
  std::string bug = KnownSyncBug(lost_writes);
  if (bug.empty() || !opt_.tolerate.count(bug)) {
    Fail(bug.empty() ? v : v + " [known bug " + bug + "]");
    return;
  }
  if (out_.tolerated.find(bug) == std::string::npos) {
    out_.tolerated += (out_.tolerated.empty() ? "" : "+") + bug;
  }
  Log("CHECK", "known bug " + bug + " tolerated: " + v);
  for (auto* w : lost_now) w->forgiven = true;
}

void World::FlushToReplicas(const FakePostgres& primary) {
  for (auto& n : nodes_) {
    if (n->pg->streaming() && n->pg->upstream_port() == primary.port()) n->pg->Replicate(1.0);
  }
}

std::vector<const FakePostgres*> World::StreamingReplicas(const FakePostgres& primary) {
  std::vector<const FakePostgres*> out;
  for (const auto& n : nodes_) {
    const FakePostgres& r = *n->pg;
    if (r.running() && r.in_recovery() && r.streaming() && r.upstream_port() == primary.port()) {
      out.push_back(&r);
    }
  }
  return out;
}

void World::OnServerChange(const FakePostgres&) { ReleaseCommits(); }

void World::OnBadConfig(const FakePostgres& pg, const std::string& what) {
  Fail("PostgreSQL on " + pg.name() + " rejects the configuration pgha wrote: " + what);
}

void World::OnClockAdvance() {
  if (in_hook_) return;
  in_hook_ = true;
  // A guard's deadline precedes its lease's expiry: in one long jump of the clock it fires first.
  EnforceFences();
  bool had_leader = etcd_.Get(kLeaderKey).has_value();
  etcd_.ExpireLeases();
  if (had_leader && !etcd_.Get(kLeaderKey)) Log("etcd", "leader key expired with its lease");
  for (auto& n : nodes_) n->pg->Tick();
  ReplicateAll();
  ReleaseCommits();
  CheckStep();
  in_hook_ = false;
}

void World::EnforceFences() {
  if (!opt_.fence) return;
  for (auto& n : nodes_) {
    const auto& deadline = n->fence.deadline();
    if (!deadline || clock_.Now() < *deadline) continue;
    n->fence.Disarm();  // the guard fires once
    if (!n->pg->postmaster()) continue;
    n->pg->Kill();
    ++out_.fence_kills;
    Log(n->name(), "fencing guard: deadline passed, PostgreSQL killed");
    // (f) A primary whose agent runs and whose every call is answered, if slowly, keeps its
    // fence ahead of the guard (the fault suite's slow-leader found this broken).
    // Only in runs whose one fault family is slow-link: a fault of another kind, even healed,
    // may have held the loop up within the guard's window.
    bool only_slow =
        opt_.faults == std::set<std::string>{"slow-link"} && n->powered && n->agent && !n->paused;
    if (only_slow) {
      Fail(
          fmt::format("(f) a healthy primary fenced: {}'s agent runs and its etcd calls are all "
                      "answered (slow links only), yet its guard's deadline passed",
                      n->name()));
    }
  }
}

void World::ReplicateAll() {
  for (auto& n : nodes_) {
    if (!n->pg->in_recovery()) continue;
    double fraction = Chance(0.7) ? 1.0 : Uniform(0, 1);
    if (Active("lag", n->index)) fraction = 0;
    n->pg->Replicate(fraction);
  }
}

Servers World::AllServers() const {
  Servers out;
  for (const auto& n : nodes_) out.push_back(n->pg.get());
  return out;
}

void World::CheckStep() {
  Servers servers = AllServers();
  if (auto v = AtMostOneWritable(servers)) Fail(*v);
  if (auto v = timelines_.Check(servers, etcd_)) {
    // B5: a manual failover to a member on an older timeline (the candidate checks no timeline).
    auto view = ReadView(etcd_);
    bool b5 = v->find("/history went from") != std::string::npos && view.failover &&
              !promotions_.empty() && view.failover->member == promotions_.back().who;
    if (b5 && opt_.tolerate.count("B5")) {
      if (out_.tolerated.find("B5") == std::string::npos) {
        out_.tolerated += (out_.tolerated.empty() ? "" : "+") + std::string("B5");
      }
      Log("CHECK", "known bug B5 tolerated: " + *v);
    } else {
      Fail(b5 ? *v + " [known bug B5]" : *v);
    }
  }
  CheckWritableHoldsKey();
  CheckLeaderless();
}

void World::Log(const std::string& who, const std::string& what) {
  last_writer_.clear();
  std::string line =
      fmt::format("t={:8.3f} step={:<4} {:<6} {}", clock_.Seconds(), step_, who, what);
  if (opt_.trace) std::cout << line << std::endl;
  trace_.push_back(std::move(line));
  if (trace_.size() > kTraceLength) trace_.pop_front();
}

void World::Fail(const std::string& violation) {
  if (!out_.ok) return;
  out_.ok = false;
  out_.violation = violation;
  out_.step = step_;
  Log("CHECK", "VIOLATION: " + violation);
  for (const auto& n : nodes_) Log(n->name(), "state: " + Describe(*n));
  out_.trace.assign(trace_.begin(), trace_.end());
}

std::string World::Describe(const Node& n) const {
  const FakePostgres& pg = *n.pg;
  const DataDir& d = pg.data();
  std::string agent = !n.powered ? "powered off"
                      : !n.agent ? "agent dead"
                      : n.paused ? "paused"
                                 : "up";
  std::string server = pg.running()      ? (pg.in_recovery() ? "replica" : "primary")
                       : pg.postmaster() ? "in crash recovery"
                                         : "stopped";
  if (pg.running() && !pg.queryable()) server += " refusing connections";
  if (pg.streaming()) server += fmt::format(" streaming from :{}", *pg.upstream_port());
  if (!d.exists) return agent + ", empty data directory";
  std::string history;
  for (const auto& seg : d.history) history += fmt::format(" tl{}@{}", seg.tl, seg.start);
  return fmt::format("{}, PostgreSQL {}, lsn {}, history{}", agent, server, d.lsn, history);
}

}  // namespace pgha::sim
