#include "sim/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "dcs/etcd_errors.h"

namespace pgha::sim {
namespace {

constexpr Millis kCallTimeout{3000};  // an etcd request that gets no answer fails after this
constexpr size_t kTraceLength = 40;
const std::string kLeaderKey = "/service/" + std::string(kScope) + "/leader";

}  // namespace

const std::vector<std::string>& AllFaultKinds() {
  static const std::vector<std::string> kinds = {"power",   "kill",    "stop",      "pause",
                                                 "crash",   "isolate", "etcd-cut",  "flaky",
                                                 "latency", "lag",     "etcd-down", "etcd-leader"};
  return kinds;
}

Status Node::Cross() { return world->CrossLink(*this); }

World::World(const SimOptions& options) : opt_(options), rng_(options.seed), etcd_(clock_) {
  clock_.OnAdvance([this] { OnClockAdvance(); });
  prober_ =
      std::make_unique<FakePeerProber>([this](const std::string& from, const std::string& name) {
        return PeerSnapshot(from, name);
      });
  for (int i = 0; i < opt_.nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->world = this;
    n->index = i;
    n->cfg = NodeConfig(i);
    n->pg = std::make_unique<FakePostgres>(n->cfg.name, n->cfg.postgresql.data_dir,
                                           n->cfg.postgresql.Port(), *this);
    nodes_.push_back(std::move(n));
  }
  for (auto& n : nodes_) StartAgent(*n);
}

World::~World() {
  clock_.OnAdvance(nullptr);
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
  c.postgresql.listen = "127.0.0.1:" + std::to_string(5440 + index + 1);
  c.postgresql.connect_address = c.postgresql.listen;
  c.postgresql.data_dir = "/sim/node" + x;
  c.postgresql.superuser = {"postgres", "postgres-secret", {}};
  c.postgresql.replication = {"replicator", "replicator-secret", {}};
  c.local_dynamic = {{"ttl", 10}, {"loop_wait", 1}, {"retry_timeout", 3}};
  return c;
}

void World::StartAgent(Node& n) {
  n.dcs = std::make_unique<FakeDcs>(etcd_, n, kScope, n.name());
  n.agent = std::make_unique<agent::Agent>(n.cfg, *n.dcs, *n.pg, *prober_, n.fence, clock_);
  n.paused = false;
  n.next_run = clock_.Now() + Ms(Uniform(0, 1));
}

void World::StopAgent(Node& n) {
  n.agent.reset();
  n.dcs.reset();
}

Node* World::FindNode(const std::string& name) {
  for (auto& n : nodes_) {
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

std::shared_ptr<const api::Snapshot> World::PeerSnapshot(const std::string& from,
                                                         const std::string& name) {
  Node* to = FindNode(name);
  Node* me = FindNode(from);
  if (!to || !me || !to->agent || to->paused || !to->powered) return nullptr;
  if (Active("isolate", to->index) || Active("isolate", me->index)) return nullptr;
  return to->agent->snapshot();
}

FakePostgres* World::ServerAt(int port) {
  Node* n = NodeAtPort(port);
  return n && n->powered ? n->pg.get() : nullptr;
}

bool World::Linked(int from_port, int to_port) const {
  for (const auto& n : nodes_) {
    int port = n->pg->port();
    if ((port == from_port || port == to_port) && Active("isolate", n->index)) return false;
  }
  return true;
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

void World::OnPromote(const FakePostgres& pg) {
  ++out_.failovers;
  Node* n = NodeAtPort(pg.port());
  uint64_t max_lag = ha::Settings{}.maximum_lag_on_failover;
  if (n && n->agent) max_lag = n->agent->snapshot()->settings.maximum_lag_on_failover;
  auto optime = ReadView(etcd_).optime;
  Log(pg.name(), fmt::format("PG promote at lsn {} (status.optime {})", pg.data().lsn,
                             optime ? std::to_string(*optime) : "none"));
  if (auto v = PromotionWithinLag(pg, optime, max_lag)) Fail(*v);
}

void World::FlushToReplicas(const FakePostgres& primary) {
  for (auto& n : nodes_) {
    if (n->pg->streaming() && n->pg->upstream_port() == primary.port()) n->pg->Replicate(1.0);
  }
}

void World::OnClockAdvance() {
  if (in_hook_) return;
  in_hook_ = true;
  bool had_leader = etcd_.Get(kLeaderKey).has_value();
  etcd_.ExpireLeases();
  if (had_leader && !etcd_.Get(kLeaderKey)) Log("etcd", "leader key expired with its lease");
  EnforceFences();
  ReplicateAll();
  CheckStep();
  in_hook_ = false;
}

void World::EnforceFences() {
  if (!opt_.fence) return;
  for (auto& n : nodes_) {
    const auto& deadline = n->fence.deadline();
    if (!deadline || clock_.Now() < *deadline) continue;
    n->fence.Disarm();  // the guard fires once
    if (!n->pg->running()) continue;
    n->pg->Kill();
    ++out_.fence_kills;
    Log(n->name(), "fencing guard: deadline passed, PostgreSQL killed");
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
  if (auto v = timelines_.Check(servers, etcd_)) Fail(*v);
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
  std::string server = !pg.running() ? "stopped" : pg.in_recovery() ? "replica" : "primary";
  if (pg.streaming()) server += fmt::format(" streaming from :{}", *pg.upstream_port());
  if (!d.exists) return agent + ", empty data directory";
  std::string history;
  for (const auto& seg : d.history) history += fmt::format(" tl{}@{}", seg.tl, seg.start);
  return fmt::format("{}, PostgreSQL {}, lsn {}, history{}", agent, server, d.lsn, history);
}

}  // namespace pgha::sim
