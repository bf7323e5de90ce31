// GatedFence hands the deadline to the commit gate before the inner fence, frees the gate after
// disarming, and lets the agent name the gate only once the gate has streamed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/fence.h"

namespace pgha::agent {
namespace {

struct Log {
  std::vector<std::string> calls;
};

struct FakeGate {
  Log* log;
  bool connected = false;
  void SetDeadline(std::optional<MonoTime> d) {
    log->calls.push_back(d ? "gate until" : "gate open");
  }
  bool Connected() const { return connected; }
};

struct RecordingFence final : Fence {
  Log* log;
  explicit RecordingFence(Log* l) : log(l) {}
  void Arm(MonoTime, int64_t) override { log->calls.push_back("arm"); }
  void Disarm() override { log->calls.push_back("disarm"); }
};

TEST(GatedFence, GateFollowsTheDeadline) {
  Log log;
  RecordingFence inner(&log);
  FakeGate gate{&log};
  GatedFence<FakeGate> fence(inner, gate);
  EXPECT_FALSE(fence.GatesCommits());
  gate.connected = true;
  EXPECT_TRUE(fence.GatesCommits());
  fence.Arm(MonoTime{} + std::chrono::seconds(5), 7);
  fence.Disarm();
  EXPECT_EQ(log.calls, (std::vector<std::string>{"gate until", "arm", "disarm", "gate open"}));
  EXPECT_FALSE(NoFence().GatesCommits());
}

}  // namespace
}  // namespace pgha::agent
