#pragma once
// Time as an injected dependency: the decision code never reads a clock itself.
#include <time.h>

#include <chrono>
#include <thread>

namespace pgha {

// A moment on the agent's clock. The real clock is CLOCK_BOOTTIME, which keeps counting while
// the machine is suspended: a lease deadline must pass during a suspend as it does in etcd
// (CLOCK_MONOTONIC stops, and a primary resumed after its lease expired elsewhere would write).
// The type is steady_clock's time_point for arithmetic only: pass a MonoTime to anything that
// waits on steady_clock through Clock::ToSteady.
using MonoTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  // Wall-clock seconds since the epoch (for timestamps shown to people only).
  virtual double WallSeconds() const = 0;
  // The same moment on std::chrono::steady_clock, for condition variables and timeouts.
  virtual std::chrono::steady_clock::time_point ToSteady(MonoTime t) const { return t; }
  // Waits `d` on this clock: the real one sleeps, the simulator's moves its time forward (and
  // lets its world react) so a polling loop sees the time it waits for pass.
  virtual void SleepFor(Millis d) = 0;
};

// CLOCK_BOOTTIME as a MonoTime (also what pgha-fence-guard compares its deadline against).
inline MonoTime BootTimeNow() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return MonoTime(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

class RealClock final : public Clock {
 public:
  MonoTime Now() const override { return BootTimeNow(); }
  std::chrono::steady_clock::time_point ToSteady(MonoTime t) const override {
    return std::chrono::steady_clock::now() + (t - BootTimeNow());
  }
  double WallSeconds() const override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepFor(Millis d) override { std::this_thread::sleep_for(d); }
};

}  // namespace pgha
