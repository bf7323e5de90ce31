#pragma once
// Fencing: a promise that PostgreSQL stops accepting writes by a deadline unless the agent
// extends it. The agent arms it with (lease valid until - margin) while it is primary, so a hung
// or killed agent can never leave a writable primary behind an expired leader lease.
#include "core/clock.h"

namespace pgha::agent {

class Fence {
 public:
  virtual ~Fence() = default;
  // PostgreSQL must stop accepting writes at `deadline` (monotonic) unless re-armed before it.
  virtual void Arm(MonoTime deadline) = 0;
  // No deadline: this node is not a primary (or the cluster is paused).
  virtual void Disarm() = 0;
};

// For tests and for nodes that have no PostgreSQL to fence.
class NoFence final : public Fence {
 public:
  void Arm(MonoTime) override {}
  void Disarm() override {}
};

}  // namespace pgha::agent
