#pragma once
// The fencing guard as the agent sees it: Arm/Disarm record a deadline. The simulator plays the
// guard process: when simulated time reaches an armed deadline, it kills that node's PostgreSQL
// (World::EnforceFences), whether or not the agent is still alive to re-arm it.
#include <optional>

#include "agent/fence.h"

namespace pgha::sim {

class FakeFence final : public agent::Fence {
 public:
  void Arm(MonoTime deadline) override { deadline_ = deadline; }
  void Disarm() override { deadline_.reset(); }
  const std::optional<MonoTime>& deadline() const { return deadline_; }

 private:
  std::optional<MonoTime> deadline_;
};

}  // namespace pgha::sim
