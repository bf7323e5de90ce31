// Fault injection and healing: which faults exist, when they apply, and how they end.
#include <fmt/format.h>

#include "sim/world.h"

namespace pgha::sim {

void World::InjectFault() {
  if (opt_.faults.empty() || static_cast<int>(faults_.size()) >= kMaxActiveFaults) return;
  std::vector<std::string> kinds(opt_.faults.begin(), opt_.faults.end());
  Fault f;
  f.kind = kinds[Pick(static_cast<int>(kinds.size()))];
  f.node = Pick(static_cast<int>(nodes_.size()));
  f.slow = Chance(0.5);
  double seconds = f.kind == "etcd-leader" ? Uniform(0.5, 3) : Uniform(2, 25);
  f.heal_at = clock_.Now() + Ms(seconds);
  if (f.kind == "etcd-down" || f.kind == "etcd-leader") f.node = -1;
  if (!Inject(f)) return;
  std::string where = f.node < 0 ? "etcd" : nodes_[f.node]->name();
  bool link = f.node < 0 || f.kind == "isolate" || f.kind == "etcd-cut" || f.kind == "flaky";
  Log(where, fmt::format("FAULT {}{}{}", f.kind, link && f.slow ? " (calls time out)" : "",
                         Instant(f.kind) ? "" : fmt::format(" for {:.1f}s", seconds)));
  if (!Instant(f.kind)) faults_.push_back(f);
}

bool World::InjectNodeFault(const Fault& f) {
  Node& n = *nodes_[f.node];
  bool alive = n.powered && n.agent && !n.paused;
  if (f.kind == "power") {
    if (!n.powered) return false;
    StopAgent(n);
    n.pg->Kill();
    n.fence.Disarm();  // the guard dies with the machine, and so does PostgreSQL
    n.powered = false;
    n.paused = false;
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
    if (!n.pg->running()) return false;
    n.pg->Kill();
  } else if (Active(f.kind, f.node) || !n.powered) {
    return false;  // isolate, etcd-cut, flaky, latency, lag: one of each per node
  }
  return true;
}

// The guard's side of an agent's death (agent/guard.h): armed means the node was primary, so it
// kills PostgreSQL at once and then revokes the lease, if etcd is reachable from the node.
void World::GuardOnAgentDeath(Node& n) {
  if (!opt_.fence || !n.fence.deadline()) return;
  int64_t lease = n.fence.lease();
  n.fence.Disarm();
  if (n.pg->running()) {
    n.pg->Kill();
    ++out_.fence_kills;
    Log(n.name(), "fencing guard: agent gone while primary, PostgreSQL killed");
  }
  if (lease == 0 || !CrossLink(n).ok()) return;
  bool had_leader = etcd_.Get(kLeaderKey).has_value();
  etcd_.LeaseRevoke(lease);
  Log(n.name(), fmt::format("fencing guard: lease {} revoked{}", lease,
                            had_leader && !etcd_.Get(kLeaderKey) ? ", leader key freed" : ""));
}

bool World::Inject(const Fault& f) {
  if (f.node >= 0) return InjectNodeFault(f);
  if (etcd_down_) return false;
  etcd_down_ = true;
  etcd_slow_ = f.slow;
  etcd_.SetFrozen(true);  // no lessor, no expiry
  return true;
}

void World::Heal(const Fault& f) {
  if (f.node < 0) {
    etcd_down_ = false;
    etcd_.SetFrozen(false);
    etcd_.ExtendAllLeases();  // the new etcd leader's lessor renews every lease (etcd.md §3)
    Log("etcd", "HEAL " + f.kind + ": back, every lease extended to its full TTL");
    return;
  }
  Node& n = *nodes_[f.node];
  if (f.kind == "power" && !n.powered) {
    n.powered = true;
    StartAgent(n);
  } else if ((f.kind == "kill" || f.kind == "stop") && n.powered && !n.agent) {
    StartAgent(n);
  } else if (f.kind == "pause" && n.paused) {
    n.paused = false;
    n.next_run = clock_.Now();
  }
  Log(n.name(), "HEAL " + f.kind);
}

void World::HealDue(bool all) {
  std::vector<Fault> keep;
  std::vector<Fault> due;
  for (const auto& f : faults_) (all || clock_.Now() >= f.heal_at ? due : keep).push_back(f);
  faults_ = std::move(keep);
  for (const auto& f : due) Heal(f);
}

}  // namespace pgha::sim
