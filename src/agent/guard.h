#pragma once
// The fencing guard: a tiny process beside each agent that stops PostgreSQL from accepting writes
// when the agent fails to extend its deadline — also when the agent is killed (-9) or frozen
// (SIGSTOP), which no code inside the agent can handle. No kernel watchdog needed.
//
// Protocol on the guard's stdin (a pipe from the agent), one line per message:
//   "arm <CLOCK_MONOTONIC ns>"  fence at that moment unless re-armed or disarmed before
//   "disarm"                    no deadline
//   "exit"                      the agent is shutting down cleanly: exit without fencing
// EOF (the agent died) keeps the last deadline: the guard fences when it passes, then exits.
#include <sys/types.h>

#include <memory>
#include <string>

#include "agent/fence.h"
#include "core/result.h"

namespace pgha::agent {

// Entry point of `pgha-fence-guard DATA_DIR` (reads stdin). Returns the exit code.
int RunGuard(const std::string& data_dir);

// Kills the postmaster of data_dir and every process it started (SIGKILL): after this returns,
// nothing of that PostgreSQL can commit. Returns false when no postmaster was running.
bool FencePostgres(const std::string& data_dir);

// The agent's side: starts the guard process and sends it deadlines.
class GuardFence final : public Fence {
 public:
  // exe: path of the pgha binary (usually /proc/self/exe).
  static Result<std::unique_ptr<GuardFence>> Start(const std::string& exe,
                                                   const std::string& data_dir);
  ~GuardFence() override;  // sends "exit" (clean shutdown) and reaps the guard
  void Arm(MonoTime deadline) override;
  void Disarm() override;
  // Before shutdown in pause mode or after a clean stop: tell the guard not to fence.
  void Release();

 private:
  GuardFence(int fd, pid_t pid, std::string data_dir) : fd_(fd), pid_(pid), data_dir_(data_dir) {}
  void Send(const std::string& line);
  void RetireOldGuard();

  int fd_;
  pid_t pid_;
  std::string data_dir_;
  pid_t old_guard_ = 0;  // guard of a previous agent instance, retired on the first decision
  std::string last_sent_;
};

}  // namespace pgha::agent
