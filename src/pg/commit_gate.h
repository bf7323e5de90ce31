#pragma once
// The commit gate: a replication client of the local server, run by the agent, that confirms the
// WAL it receives only while the fencing deadline has not passed (docs/safety.md, "The commit
// gate"). Named in synchronous_standby_names when nothing else is, it makes every commit wait for
// a process that reads the clock after the commit's WAL was written. A primary whose host was
// frozen (a VM pause, the cgroup freezer) past its deadline therefore acknowledges nothing when
// it thaws, whichever of its processes the kernel happens to run first; the fencing guard kills
// PostgreSQL as soon as it runs.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"

namespace pgha::pg {

// The gate's application_name, and synchronous_standby_names naming it alone.
inline constexpr const char* kCommitGateName = "pgha_commit_gate";
std::string CommitGateStandbyNames();

// pg_hba lines that let the gate (the replication user, over the unix socket or loopback) in,
// put before `lines`. Unchanged when `lines` is empty (pgha then leaves pg_hba.conf alone) or the
// replication user has no password (the gate then needs a line the operator wrote).
std::vector<std::string> WithCommitGateHba(const config::Postgresql& pg,
                                           std::vector<std::string> lines);

// Where the agent's own connections to its server go: the first unix_socket_directories entry
// with use_unix_socket ("" = libpq's default), else the first listen address.
std::string LocalHost(const config::Postgresql& pg);

// A warning when the gate and `replicas` standbys need more WAL senders than `max_wal_senders`
// allows (one replica would be refused), else "".
std::string WalSenderShortage(int max_wal_senders, int replicas);

class CommitGate {
 public:
  // Streams from the server `pg` describes as its replication user; starts a thread.
  CommitGate(const config::Postgresql& pg, const Clock& clock);
  ~CommitGate();  // stops and joins the thread
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  // WAL is confirmed only before `deadline`; nullopt: always (not a primary, or paused).
  void SetDeadline(std::optional<MonoTime> deadline);
  // The gate has streamed at least once: naming it cannot make commits wait for a client that
  // never comes (a pg_hba that turns it away).
  bool Connected() const { return ever_connected_; }

 private:
  void Run();
  // One connection: streams until it breaks or stop_ is set. Returns why it ended.
  std::string Stream();
  bool Allowed() const;

  const std::string conninfo_;
  const Clock& clock_;
  static constexpr int64_t kNoDeadline = INT64_MIN;
  std::atomic<int64_t> deadline_ns_{kNoDeadline};
  std::atomic<bool> ever_connected_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pgha::pg
