#pragma once
// POST /failsafe between simulated agents: answered by the receiving member's REST logic
// (api::FailsafePost) over its last snapshot and its inbox. Unreachable as the peer probes are
// (dead or paused agent, partition, refused REST); an unanswered round costs the caller's
// timeout in simulated time, an answered one a little latency.
#include <functional>

#include "agent/failsafe.h"
#include "node/member_client.h"

namespace pgha::sim {

class FakeFailsafeCaller final : public agent::FailsafeCaller {
 public:
  // The answer `to` gives `from`'s request (status 0: no answer).
  using Post = std::function<node::MemberAnswer(const std::string& from, const std::string& to,
                                                const std::string& body)>;
  // Lets simulated time pass: the round's duration, `answered` when every member answered.
  using Elapse = std::function<void(bool answered)>;
  FakeFailsafeCaller(Post post, Elapse elapse)
      : post_(std::move(post)), elapse_(std::move(elapse)) {}

  std::vector<agent::FailsafeReply> Call(const std::map<std::string, std::string>& members,
                                         const std::string& me, const std::string& body) override {
    std::vector<agent::FailsafeReply> out;
    bool answered = true;
    for (const auto& [name, url] : members) {
      if (name == me) continue;
      node::MemberAnswer a = post_(me, name, body);
      answered = answered && a.status != 0;
      out.push_back(agent::ReadFailsafeAnswer(name, a));
    }
    elapse_(answered);
    return out;
  }

 private:
  Post post_;
  Elapse elapse_;
};

}  // namespace pgha::sim
