// Fault injection and healing: which faults exist, when they apply, and how they end.
#include <fmt/format.h>

#include <algorithm>

#include "ha/slots.h"
#include "sim/world.h"

namespace pgha::sim {

void World::InjectFault() {
  if (opt_.faults.empty() || static_cast<int>(faults_.size()) >= kMaxActiveFaults) return;
  // Pause mode is an operator's promise to watch the cluster: nothing else fails meanwhile, nor
  // until every agent has seen it end (a clean stop of an agent that still believes it paused
  // leaves its primary running with no guard: seed 8021 before this rule).
  for (const auto& f : faults_) {
    if (f.kind == "config" && f.undo.find("pause") != std::string::npos) return;
  }
  if (Paused()) return;
  // etcd revoking every lease is a fault of its own: nothing else is active meanwhile; nor while
  // a whole-cluster power loss is under way or its cold start is still to be judged (h).
  for (const auto& f : faults_) {
    if (f.kind == "etcd-revoke" || f.kind == "power-all") return;
  }
  if (ColdStartPending()) return;
  std::vector<std::string> kinds(opt_.faults.begin(), opt_.faults.end());
  Fault f;
  f.kind = PickOf(kinds);
  f.node = Pick(static_cast<int>(nodes_.size()));
  f.slow = Chance(0.5);
  double seconds = f.kind == "etcd-leader"  ? Uniform(0.5, 3)
                   : f.kind == "start-fail" ? Uniform(5, 60)
                                            : Uniform(2, 25);
  f.heal_at = clock_.Now() + Ms(seconds);
  if (f.kind == "etcd-revoke") {
    // Its one mitigation is the leader's own REST answer, so it comes alone: with the leader's
    // agent stopped or a link cut, no member can tell a revoked lease from a dead host (safety.md).
    if (!faults_.empty()) return;
    f.heal_at = clock_.Now() + Ms(Uniform(3, 6));
  }
  if (f.kind == "etcd-down" || f.kind == "etcd-leader" || f.kind == "config" ||
      f.kind == "etcd-revoke" || f.kind == "power-all") {
    f.node = -1;
  }
  if (f.kind == "partition") {
    const int n = static_cast<int>(nodes_.size());
    f.peer = (f.node + 1 + Pick(n - 1)) % n;
  }
  if (!Inject(f)) return;
  std::string where =
      f.node < 0 ? (f.kind == "config" ? "operator" : "etcd") : NodeAt(f.node).name();
  if (f.peer >= 0) where += "<>" + NodeAt(f.peer).name();
  bool link = (f.node < 0 && f.kind != "etcd-revoke" && f.kind != "power-all") ||
              f.kind == "isolate" || f.kind == "etcd-cut" || f.kind == "flaky";
  if (f.kind != "switchover" && f.kind != "failover") {
    Log(where, fmt::format("FAULT {}{}{}", f.kind, link && f.slow ? " (calls time out)" : "",
                           Instant(f.kind) ? "" : fmt::format(" for {:.1f}s", seconds)));
  }
  if (!Instant(f.kind)) faults_.push_back(f);
}

bool World::InjectNodeFault(Fault& f) {
  Node& n = NodeAt(f.node);
  bool alive = n.powered && n.agent && !n.paused;
  if (f.kind == "power") {
    if (!n.powered) return false;
    PowerOff(n);
  } else if (f.kind == "kill") {
    if (!alive) return false;
    StopAgent(n);
    GuardOnAgentDeath(n);
  } else if (f.kind == "stop") {
    if (!alive) return false;
    n.agent->Shutdown();
    StopAgent(n);
    n.fence.Disarm();  // a clean exit tells the guard not to fence
  } else if (f.kind == "pause") {
    if (!alive) return false;
    n.paused = true;
  } else if (f.kind == "crash") {
    if (!n.pg->postmaster()) return false;
    n.pg->Kill();
  } else if (f.kind == "restart" || f.kind == "reinit") {
    if (!alive) return false;
    return OperatorNodeRequest(f.kind, n);
  } else if (Active(f.kind, f.node) || !n.powered) {
    return false;  // the others: one of each kind per node at a time
  } else if (f.kind == "partition" && LinkCut(f.node, f.peer)) {
    return false;
  } else if (f.kind == "pg-refuse") {
    if (!n.pg->postmaster()) return false;
    n.pg->faults().refuse = true;  // e.g. max_connections reached: the postmaster lives
  } else if (f.kind == "start-fail") {
    if (n.pg->postmaster()) n.pg->Kill();  // it crashed, and will not start again for a while
    n.pg->faults().start_fail = true;
  } else if (f.kind == "slow-start") {
    if (n.pg->postmaster()) n.pg->Kill();  // it crashed; its crash recovery will be long
    n.pg->faults().slow_start = Uniform(5, 20);
  } else if (f.kind == "slow-link") {
    // Only a primary's links: the simulator runs one agent at a time, so a replica's slow calls
    // would stall the primary's loop too, which no real network does.
    if (!n.pg->postmaster() || n.pg->in_recovery()) return false;
  } else if (f.kind == "copy-fail") {
    n.pg->faults().copy_fail = true;
  }
  return true;
}

// The guard's side of an agent's death (agent/guard.h): armed means the node was primary, so it
// kills PostgreSQL at once and then revokes the lease, if etcd is reachable from the node.
void World::GuardOnAgentDeath(Node& n) {
  if (!opt_.fence || !n.fence.deadline()) return;
  int64_t lease = n.fence.lease();
  n.fence.Disarm();
  if (n.pg->postmaster()) {
    n.pg->Kill();
    ++out_.fence_kills;
    Log(n.name(), "fencing guard: agent gone while primary, PostgreSQL killed");
  }
  if (lease == 0 || !CrossLink(n).ok()) return;
  bool had_leader = etcd_.Get(kLeaderKey).has_value();
  etcd_.set_actor(n.name() + " (fencing guard)");
  etcd_.LeaseRevoke(lease);
  Log(n.name(), fmt::format("fencing guard: lease {} revoked{}", lease,
                            had_leader && !etcd_.Get(kLeaderKey) ? ", leader key freed" : ""));
}

// A power loss of the whole data centre: whatever else was failing ends first (a node that had
// been down comes back, behind the others: the cold start of cluster.failover_test phase 6),
// then every agent, guard and PostgreSQL dies at once; with `slow`, etcd goes down too and its
// leases come back whole with it. The guards die with their machines: no lease is revoked.
bool World::PowerAll(const Fault& f) {
  HealDue(/*all=*/true);
  if (!faults_.empty()) return false;  // the operator's /config patch still waits for etcd
  for (auto& n : nodes_) PowerOff(*n);
  if (f.slow) EtcdDown(/*calls_time_out=*/false);
  cold_ = ColdStart{};
  return true;
}

// The writes (h) holds the cold start to, fixed when power returns (no data changed while it was
// off): those held by a member on the newest timeline (a write only a member left on an
// abandoned branch has was lost at that branch's end, before the power loss: invariant c judges
// those) that etcd still records, by its member key or by the slot the last leader kept for it
// in /status. A member whose key expired before any /status named it (a power loss within the
// first loop after the bootstrap) is unknown to everyone; pgha cannot wait for it.
std::vector<size_t> World::ColdStartWrites() {
  ha::ClusterView view = ReadView(etcd_);
  uint32_t newest = 0;
  for (const auto& n : nodes_) newest = std::max(newest, n->pg->data().Timeline());
  std::vector<const Node*> holders;
  for (const auto& n : nodes_) {
    bool known = view.FindMember(n->name()) || view.slots.count(ha::SlotName(n->name()));
    if (known && n->pg->data().Timeline() == newest) holders.push_back(n.get());
  }
  std::vector<size_t> writes;
  for (size_t i = 0; i < acked_.size(); ++i) {
    if (acked_[i].forgiven) continue;
    if (std::any_of(holders.begin(), holders.end(),
                    [&](const Node* n) { return HasWrite(*n->pg, acked_[i]); })) {
      writes.push_back(i);
    }
  }
  return writes;
}

void World::BootAll() {
  if (etcd_down_) EtcdUp();
  cold_->writes = ColdStartWrites();
  for (auto& n : nodes_) {
    PowerOn(*n);
    // Half the servers fail their first starts for a while, shorter than ttl: the lock file of
    // the postmaster the power loss killed names a PID a new process has taken (as in
    // cluster.failover_test phase 6), so their agents answer "stopped" meanwhile.
    if (Chance(0.5)) {
      n->pg->faults().start_fail = true;
      Fault f{"start-fail", n->index};
      f.heal_at = clock_.Now() + Ms(Uniform(0.2, 4));
      faults_.push_back(f);
    }
  }
  cold_->booted_at = clock_.Now();
  Log("cluster", "HEAL power-all: every node boots at once (etcd's leases whole if it was down)");
}

bool World::ColdStartPending() {
  if (cold_ && cold_->booted_at &&
      clock_.Now() - *cold_->booted_at >= std::chrono::seconds(3 * MaxTtl())) {
    cold_.reset();  // no promotion followed (the old leader's key outlived the outage)
  }
  return cold_.has_value();
}

bool World::Inject(Fault& f) {
  if (f.kind == "config") return OperatorConfig(f);
  if (f.kind == "switchover" || f.kind == "failover") return OperatorFailover(f.kind);
  if (f.node >= 0) return InjectNodeFault(f);
  if (f.kind == "power-all") return PowerAll(f);
  if (etcd_down_) return false;
  if (f.kind == "etcd-revoke") {
    etcd_.set_actor(kStaleEtcdLeader);
    etcd_.RevokeEveryLease();
    return true;
  }
  EtcdDown(f.slow);
  return true;
}

// The machine and all on it go: agent, guard (no lease revoked) and PostgreSQL.
void World::PowerOff(Node& n) {
  StopAgent(n);
  n.pg->Kill();
  n.fence.Disarm();
  n.powered = false;
  n.paused = false;
}

void World::PowerOn(Node& n) {
  n.powered = true;
  StartAgent(n);
}

void World::EtcdDown(bool calls_time_out) {
  etcd_down_ = true;
  etcd_slow_ = calls_time_out;
  etcd_.SetFrozen(true);  // no lessor, no expiry
}

// The new etcd leader's lessor renews every lease (docs/interfaces.md §2.5).
void World::EtcdUp() {
  etcd_down_ = false;
  etcd_.SetFrozen(false);
  etcd_.ExtendAllLeases();
}

bool World::Heal(const Fault& f) {
  if (f.kind == "config") return HealConfig(f);
  if (f.kind == "etcd-revoke") {
    Log("etcd", "HEAL etcd-revoke: other faults may start again");
    return true;
  }
  if (f.kind == "power-all") {
    BootAll();
    return true;
  }
  if (f.node < 0) {
    EtcdUp();
    Log("etcd", "HEAL " + f.kind + ": back, every lease extended to its full TTL");
    return true;
  }
  Node& n = NodeAt(f.node);
  if (f.kind == "power" && !n.powered) {
    PowerOn(n);
  } else if ((f.kind == "kill" || f.kind == "stop") && n.powered && !n.agent) {
    StartAgent(n);
  } else if (f.kind == "pause" && n.paused) {
    n.paused = false;
    n.next_run = clock_.Now();
  } else if (f.kind == "pg-refuse") {
    n.pg->faults().refuse = false;
  } else if (f.kind == "start-fail") {
    n.pg->faults().start_fail = false;
  } else if (f.kind == "slow-start") {
    n.pg->faults().slow_start = 0;  // a recovery under way still takes its time
  } else if (f.kind == "slow-link") {
    // Only a primary's links: the simulator runs one agent at a time, so a replica's slow calls
    // would stall the primary's loop too, which no real network does.
    if (!n.pg->postmaster() || n.pg->in_recovery()) return false;
  } else if (f.kind == "copy-fail") {
    n.pg->faults().copy_fail = false;
  }
  Log(n.name() + (f.peer >= 0 ? "<>" + NodeAt(f.peer).name() : ""), "HEAL " + f.kind);
  return true;
}

void World::HealDue(bool all) {
  std::vector<Fault> keep;
  std::vector<Fault> due;
  for (const auto& f : faults_) (all || clock_.Now() >= f.heal_at ? due : keep).push_back(f);
  faults_ = std::move(keep);
  // /config is patched back last: it needs etcd, which may be healed in the same pass.
  std::stable_partition(due.begin(), due.end(), [](const Fault& f) { return f.kind != "config"; });
  for (auto& f : due) {
    if (Heal(f)) continue;
    f.heal_at = clock_.Now() + Ms(1);  // etcd still down: the operator tries again
    faults_.push_back(f);
  }
}

}  // namespace pgha::sim
