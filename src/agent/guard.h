#pragma once
// The fencing guard: a tiny process beside each agent that stops PostgreSQL from accepting writes
// when the agent fails to extend its deadline — also when the agent is killed (-9) or frozen
// (SIGSTOP), which no code inside the agent can handle. No kernel watchdog needed.
//
// Protocol on the guard's stdin (a pipe from the agent), one line per message:
//   "arm <CLOCK_BOOTTIME ns> [<lease>]"   fence at that moment unless re-armed or disarmed
//                                         before; <lease> is the agent's etcd lease (decimal)
//   "disarm"                              no deadline
//   "exit"                                the agent is shutting down cleanly: exit, no fencing
// EOF while armed (the agent died while its PostgreSQL was primary): the guard kills PostgreSQL
// at once, waits until every one of its processes is gone, then revokes <lease> through etcd's
// plain-HTTP endpoints given on its command line — or, when etcd needs TLS or authentication,
// by running `<pgha> --revoke-lease <lease> <config>` (which has the agent's etcd client) — so
// the leader key leaves etcd by its holder's own revoke and the replicas race without waiting
// for the lease to expire (docs/safety.md).
// EOF while disarmed: exit.
#include <sys/types.h>

#include <memory>
#include <string>

#include "agent/fence.h"
#include "core/result.h"

namespace pgha::agent {

// Entry point of `pgha-fence-guard DATA_DIR [HOST:PORT,... [PGHA CONFIG]]` (reads stdin): the
// etcd endpoints that speak plain HTTP without authentication, and the pgha binary and
// configuration file that revoke the lease otherwise (neither: the lease expires). Returns the
// exit code.
int RunGuard(const std::string& data_dir, const std::string& etcd_endpoints,
             const std::string& revoker = "", const std::string& revoker_config = "");

// Kills the postmaster of data_dir and every process it started (SIGKILL): after this returns,
// nothing of that PostgreSQL can commit. Returns false when no postmaster was running.
bool FencePostgres(const std::string& data_dir);

// The agent's side: starts the guard process and sends it deadlines.
class GuardFence final : public Fence {
 public:
  // exe: path of the pgha binary (usually /proc/self/exe).
  // etcd_endpoints: "host:port,..." the guard may revoke the lease at; revoke_config: when they
  // are "" (TLS or authentication), the configuration file `<exe> --revoke-lease` revokes with
  // ("" = the lease expires).
  static Result<std::unique_ptr<GuardFence>> Start(const std::string& exe,
                                                   const std::string& data_dir,
                                                   const std::string& etcd_endpoints = "",
                                                   const std::string& revoke_config = "");
  ~GuardFence() override;  // sends "exit" (clean shutdown) and reaps the guard
  void Arm(MonoTime deadline, int64_t lease) override;
  void Disarm() override;
  // False when the guard process is gone and a new one could not be started.
  bool Healthy() override;
  // Before shutdown in pause mode or after a clean stop: tell the guard not to fence.
  void Release();

 private:
  GuardFence(std::string exe, std::string data_dir, std::string endpoints, std::string revoker,
             std::string revoke_config)
      : exe_(std::move(exe)),
        data_dir_(std::move(data_dir)),
        endpoints_(std::move(endpoints)),
        revoker_(std::move(revoker)),
        revoke_config_(std::move(revoke_config)) {}
  Status Spawn();
  void Send(const std::string& line);
  void RetireOldGuard();

  std::string exe_;
  std::string data_dir_;
  std::string endpoints_;
  std::string revoker_;  // the pgha binary
  std::string revoke_config_;
  int fd_ = -1;
  pid_t pid_ = 0;
  bool broken_ = false;  // a write to the guard failed or it exited
  pid_t old_guard_ = 0;  // guard of a previous agent instance, retired on the first decision
  std::string last_sent_;
};

}  // namespace pgha::agent
