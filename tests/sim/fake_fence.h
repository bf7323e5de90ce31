#pragma once
// The fencing guard as the agent sees it: Arm/Disarm record a deadline. The simulator plays the
// guard process: when simulated time reaches an armed deadline, it kills that node's PostgreSQL
// (World::EnforceFences), whether or not the agent is still alive to re-arm it. When the agent
// dies while the guard is armed, the guard kills PostgreSQL at once and revokes the lease
// (World::GuardOnAgentDeath), as agent/guard.h describes.
#include <optional>
#include <utility>

#include "agent/fence.h"

namespace pgha::sim {

class FakeFence final : public agent::Fence {
 public:
  void Arm(MonoTime deadline, int64_t lease) override {
    if (defer_) {  // the control --late-fence: the guard hears of it only at the loop's end
      pending_ = {deadline, lease};
      return;
    }
    deadline_ = deadline;
    lease_ = lease;
  }
  void Disarm() override {
    deadline_.reset();
    pending_.reset();
  }
  void set_defer(bool defer) { defer_ = defer; }
  void Flush() {  // the end of an agent's loop
    if (!pending_) return;
    deadline_ = pending_->first;
    lease_ = pending_->second;
    pending_.reset();
  }
  const std::optional<MonoTime>& deadline() const { return deadline_; }
  int64_t lease() const { return lease_; }  // the lease to revoke after fencing (0: none)

 private:
  std::optional<MonoTime> deadline_;
  int64_t lease_ = 0;
  bool defer_ = false;
  std::optional<std::pair<MonoTime, int64_t>> pending_;
};

}  // namespace pgha::sim
