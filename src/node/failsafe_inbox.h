#pragma once
// Failsafe mode, on a member that does not lead: the REST API records each POST /failsafe it
// accepts from the primary here, and the HA loop reads the latest (ha::Observation::
// failsafe_leader): having accepted, this member promised not to race for the leader key until
// ttl after the request (docs/safety.md, "Failsafe mode").
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"

namespace pgha::node {

struct FailsafeLeader {
  std::string name, api_url, conn_url;
  MonoTime received{};
  int ttl = 0;  // seconds: the larger of the primary's and this member's ttl
  MonoTime Until() const { return received + std::chrono::seconds(ttl); }
};

class FailsafeInbox {
 public:
  explicit FailsafeInbox(const Clock& clock) : clock_(clock) {}
  // Records the request now; `ttl` is how long the promise lasts.
  void Accept(std::string name, std::string api_url, std::string conn_url, int ttl) {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = FailsafeLeader{std::move(name), std::move(api_url), std::move(conn_url), clock_.Now(),
                             std::max(ttl, 0)};
  }
  std::optional<FailsafeLeader> Latest() const {
    std::lock_guard<std::mutex> lock(mu_);
    return latest_;
  }
  // The latest request while its promise still holds.
  std::optional<FailsafeLeader> Active() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (latest_ && clock_.Now() < latest_->Until()) return latest_;
    return std::nullopt;
  }

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  std::optional<FailsafeLeader> latest_;
};

}  // namespace pgha::node
