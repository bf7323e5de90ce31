#pragma once
// Operations the REST API hands to the agent (issue 4). Cluster-wide ones (switchover, failover,
// config, pause) are DCS writes done by the REST handlers themselves; node-local ones (restart,
// reload, reinitialize) are queued to the HA loop, which runs them and answers.
#include <chrono>
#include <optional>
#include <string>

namespace pgha::node {

struct OpResponse {
  int status = 200;
  std::string body;  // JSON text when json, else plain text
  bool json = false;
};

// POST /restart filters (docs/interfaces.md §3.3).
struct RestartRequest {
  std::optional<std::string> role;              // primary|leader|replica|standby|any
  std::optional<std::string> postgres_version;  // restart only if the server is older
  std::optional<bool> restart_pending;          // only if pending_restart
  std::optional<std::string> schedule;          // ISO 8601; empty = now
  std::optional<int> timeout;                   // seconds
};

class NodeOperations {
 public:
  virtual ~NodeOperations() = default;
  // Each call blocks until the HA loop has acted (or refused), bounded by `deadline`.
  virtual OpResponse Restart(const RestartRequest& request,
                             std::chrono::steady_clock::time_point deadline) = 0;
  virtual OpResponse CancelRestart() = 0;
  virtual OpResponse Reload() = 0;
  virtual OpResponse Reinitialize(bool force, bool from_leader,
                                  std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace pgha::node
