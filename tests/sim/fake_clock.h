#pragma once
// Simulated monotonic time: advanced only by the simulator (or by a simulated slow call).
#include <functional>

#include "core/clock.h"

namespace pgha::sim {

class FakeClock final : public Clock {
 public:
  MonoTime Now() const override { return now_; }
  // Wall time only labels things for people; derive it from the simulated time.
  double WallSeconds() const override { return 1.7e9 + Seconds(); }

  // Seconds since the simulation started (for traces).
  double Seconds() const { return std::chrono::duration<double>(now_ - kStart).count(); }

  // Moves time forward and lets the world react (leases expire, fencing guards fire).
  void Advance(Millis d) {
    now_ += d;
    if (on_advance_) on_advance_();
  }
  void OnAdvance(std::function<void()> hook) { on_advance_ = std::move(hook); }
  void SleepFor(Millis d) override { Advance(d); }

 private:
  static constexpr MonoTime kStart = MonoTime{} + std::chrono::hours(1000);
  MonoTime now_ = kStart;
  std::function<void()> on_advance_;
};

}  // namespace pgha::sim
