#pragma once
// Fencing: a promise that PostgreSQL stops accepting writes by a deadline unless the agent
// extends it. The agent arms it with (lease valid until - margin) while it is primary, so a hung
// or killed agent can never leave a writable primary behind an expired leader lease.
#include <cstdint>

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
};

// For tests and for nodes that have no PostgreSQL to fence.
class NoFence final : public Fence {
 public:
  void Arm(MonoTime, int64_t) override {}
  void Disarm() override {}
};

}  // namespace pgha::agent
