#include "agent/operations.h"

#include <utility>

namespace pgha::agent {

using Clock = std::chrono::steady_clock;

node::OpResponse OperationQueue::Post(std::unique_ptr<OperationRequest> request,
                                      Clock::time_point deadline) {
  auto future = request->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(request));
  }
  if (wake_) wake_();
  if (future.wait_until(deadline) != std::future_status::ready) {
    return {503, "timed out waiting for the agent to act; it may still do so", false};
  }
  return future.get();
}

node::OpResponse OperationQueue::Restart(const node::RestartRequest& request,
                                         Clock::time_point deadline) {
  auto r = std::make_unique<OperationRequest>();
  r->kind = OperationRequest::Kind::kRestart;
  r->restart = request;
  return Post(std::move(r), deadline);
}

node::OpResponse OperationQueue::CancelRestart() {
  auto r = std::make_unique<OperationRequest>();
  r->kind = OperationRequest::Kind::kCancelRestart;
  return Post(std::move(r), Clock::now() + std::chrono::seconds(10));
}

node::OpResponse OperationQueue::Reload() {
  auto r = std::make_unique<OperationRequest>();
  r->kind = OperationRequest::Kind::kReload;
  return Post(std::move(r), Clock::now() + std::chrono::seconds(10));
}

node::OpResponse OperationQueue::Reinitialize(bool force, bool from_leader,
                                              Clock::time_point deadline) {
  auto r = std::make_unique<OperationRequest>();
  r->kind = OperationRequest::Kind::kReinitialize;
  r->force = force;
  r->from_leader = from_leader;
  return Post(std::move(r), deadline);
}

std::deque<std::unique_ptr<OperationRequest>> OperationQueue::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(pending_, {});
}

}  // namespace pgha::agent
