// Failsafe mode in the agent: /failsafe writes, the primary's confirmation rounds and the
// confirmations this member gave (ha/failsafe.cc decides; docs/safety.md, "Failsafe mode").
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "dcs/codec.h"

namespace pgha::agent {

void Agent::ObserveFailsafe(ha::Observation* obs) {
  if (obs->dcs_ok) {
    failsafe_members_ = obs->cluster.failsafe;
    // etcd answers again: the lease decides, as before etcd went (a primary that lost its key
    // meanwhile keeps the fence's last deadline until it takes the key back or steps down).
    if (failsafe_valid_until_) spdlog::info("etcd is reachable again: failsafe mode ends");
    failsafe_valid_until_.reset();
    failsafe_confirmed_ = false;
    failsafe_refused_ = false;
  }
  obs->failsafe_valid_until = FailsafeUntil();
  obs->failsafe_refused = failsafe_refused_;
  obs->failsafe_leader.reset();
  if (failsafe_inbox_) {
    if (auto leader = failsafe_inbox_->Active()) {
      obs->failsafe_leader = ha::Observation::FailsafeLeader{leader->name, leader->Until()};
    }
  }
}

std::optional<MonoTime> Agent::FailsafeUntil() const {
  return failsafe_confirmed_ ? failsafe_valid_until_ : std::nullopt;
}

Status Agent::WriteFailsafe(const std::optional<std::map<std::string, std::string>>& members) {
  // The members this primary counts on without etcd are those a racer may find in /failsafe:
  // what it last read there and what it is writing now, which may land even if the call fails
  // (a member only this write lists could race unconfirmed: sim seed 1829).
  if (members) failsafe_members_.insert(members->begin(), members->end());
  auto written =
      dcs_.WriteFailsafe(members ? std::optional(dcs::EncodeFailsafe(*members)) : std::nullopt);
  if (!written.ok()) return written.error();
  if (!*written) return Err("the leader key no longer holds my name");
  if (members) {
    failsafe_members_ = *members;
    spdlog::info("/failsafe now lists {} member(s)", members->size());
  } else {
    spdlog::info("failsafe_mode is off: /failsafe deleted");
  }
  return OkStatus();
}

Status Agent::ConfirmFailsafe(const ha::Observation& obs) {
  const bool was_active =
      failsafe_confirmed_ && failsafe_valid_until_ && obs.now < *failsafe_valid_until_;
  // A round that fails ends failsafe mode at once (the loop demotes), but the promises of the
  // last full round still hold, and so does the fence's deadline.
  auto give_up = [&](const std::string& why) -> Status {
    failsafe_confirmed_ = false;
    failsafe_refused_ = true;
    return Err(why);
  };
  if (!failsafe_caller_) return give_up("this agent has no client for the members' REST APIs");
  if (failsafe_members_.count(cfg_.name) == 0) {
    return give_up("the last /failsafe read does not list " + cfg_.name);
  }
  std::map<std::string, uint64_t> slots;
  for (const auto& slot : slots_seen_) {
    if (auto at = slot.Position()) slots[slot.name] = *at;
  }
  const MonoTime sent = clock_.Now();
  auto replies = failsafe_caller_->Call(
      failsafe_members_, cfg_.name,
      FailsafeRequestBody(cfg_.name, MyConnUrl(), MyApiUrl(), slots, settings_.ttl));
  std::string refused;
  for (const auto& r : replies) {
    if (!r.accepted) refused += (refused.empty() ? "" : ", ") + r.name + " (" + r.detail + ")";
  }
  if (!refused.empty()) return give_up("not confirmed by " + refused);
  // A round counts only if it ended while the deadline it extends still held: each member then
  // accepted while it was bound by its last promise, or while our key still existed, so none of
  // them can have taken the key in between (docs/safety.md, "Failsafe mode").
  if (auto until = WriteDeadline(); !until || clock_.Now() >= *until - ha::kFenceMargin) {
    return give_up("the confirmations came after this primary's write deadline");
  }
  failsafe_valid_until_ = sent + std::chrono::seconds(settings_.ttl);
  failsafe_confirmed_ = true;
  failsafe_refused_ = false;
  if (!was_active) {
    spdlog::warn("failsafe mode is active: every member in /failsafe confirmed this primary");
  }
  ArmFence();
  return OkStatus();
}

}  // namespace pgha::agent
