#pragma once
// Fencing: a promise that PostgreSQL stops accepting writes by a deadline unless the agent
// extends it. The agent arms it with (lease valid until - margin) while it is primary, so a hung
// or killed agent can never leave a writable primary behind an expired leader lease.
#include <cstdint>
#include <optional>

#include "core/clock.h"

namespace pgha::agent {

class Fence {
 public:
  virtual ~Fence() = default;
  // PostgreSQL must stop accepting writes at `deadline` (monotonic) unless re-armed before it.
  // `lease`: the etcd lease the leader key is bound to; if the agent dies while armed, the guard
  // fences at once and then revokes it (agent/guard.h). 0: none to revoke.
  virtual void Arm(MonoTime deadline, int64_t lease) = 0;
  // No deadline: this node is not a primary (or the cluster is paused).
  virtual void Disarm() = 0;
  // False when the fence can no longer keep its promise (its process died and cannot be
  // restarted): a primary must then step down.
  virtual bool Healthy() { return true; }
  // A commit gate follows the deadline and streams from this node's PostgreSQL: the agent may
  // name it in synchronous_standby_names (pg/commit_gate.h).
  virtual bool GatesCommits() const { return false; }
};

// A fence whose deadline also holds back the commit gate: at the deadline the gate stops
// confirming WAL (no commit is acknowledged after it, even by a host that was frozen) and the
// inner fence stops PostgreSQL.
template <class Gate>
class GatedFence final : public Fence {
 public:
  GatedFence(Fence& inner, Gate& gate) : inner_(inner), gate_(gate) {}
  void Arm(MonoTime deadline, int64_t lease) override {
    gate_.SetDeadline(deadline);
    inner_.Arm(deadline, lease);
  }
  void Disarm() override {
    inner_.Disarm();
    gate_.SetDeadline(std::nullopt);
  }
  bool Healthy() override { return inner_.Healthy(); }
  bool GatesCommits() const override { return gate_.Connected(); }

 private:
  Fence& inner_;
  Gate& gate_;
};

// For tests and for nodes that have no PostgreSQL to fence.
class NoFence final : public Fence {
 public:
  void Arm(MonoTime, int64_t) override {}
  void Disarm() override {}
};

}  // namespace pgha::agent
