#pragma once
// Node-local operator requests (restart, reload, reinitialize): the REST threads post them here
// and wait; the HA loop — the only thread that acts on PostgreSQL — drains and answers them.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>

#include "node/operations.h"

namespace pgha::agent {

struct OperationRequest {
  enum class Kind { kRestart, kCancelRestart, kReload, kReinitialize };
  Kind kind = Kind::kReload;
  node::RestartRequest restart;
  bool force = false;
  bool from_leader = false;
  std::promise<node::OpResponse> done;
};

class OperationQueue final : public node::NodeOperations {
 public:
  explicit OperationQueue(std::function<void()> wake) : wake_(std::move(wake)) {}
  node::OpResponse Restart(const node::RestartRequest& request,
                           std::chrono::steady_clock::time_point deadline) override;
  node::OpResponse CancelRestart() override;
  node::OpResponse Reload() override;
  node::OpResponse Reinitialize(bool force, bool from_leader,
                                std::chrono::steady_clock::time_point deadline) override;
  // HA loop side.
  std::deque<std::unique_ptr<OperationRequest>> Drain();

 private:
  node::OpResponse Post(std::unique_ptr<OperationRequest> request,
                        std::chrono::steady_clock::time_point deadline);
  std::function<void()> wake_;
  std::mutex mu_;
  std::deque<std::unique_ptr<OperationRequest>> pending_;
};

}  // namespace pgha::agent
