#pragma once
// Node-local operator requests (restart, reload, reinitialize): the REST threads post them here
// and wait; the HA loop — the only thread that acts on PostgreSQL — drains and answers them.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>

#include "api/operations.h"

namespace pgha::agent {

struct OperationRequest {
  enum class Kind { kRestart, kCancelRestart, kReload, kReinitialize };
  Kind kind = Kind::kReload;
  api::RestartRequest restart;
  bool force = false;
  bool from_leader = false;
  std::promise<api::OpResponse> done;
};

class OperationQueue final : public api::NodeOperations {
 public:
  explicit OperationQueue(std::function<void()> wake) : wake_(std::move(wake)) {}
  api::OpResponse Restart(const api::RestartRequest& request,
                          std::chrono::steady_clock::time_point deadline) override;
  api::OpResponse CancelRestart() override;
  api::OpResponse Reload() override;
  api::OpResponse Reinitialize(bool force, bool from_leader,
                               std::chrono::steady_clock::time_point deadline) override;
  // HA loop side.
  std::deque<std::unique_ptr<OperationRequest>> Drain();

 private:
  api::OpResponse Post(std::unique_ptr<OperationRequest> request,
                       std::chrono::steady_clock::time_point deadline);
  std::function<void()> wake_;
  std::mutex mu_;
  std::deque<std::unique_ptr<OperationRequest>> pending_;
};

}  // namespace pgha::agent
