#include "agent/failsafe.h"

#include <charconv>
#include <future>
#include <nlohmann/json.hpp>

namespace pgha::agent {

std::string FailsafeRequestBody(const std::string& name, const std::string& conn_url,
                                const std::string& api_url,
                                const std::map<std::string, uint64_t>& slots, int ttl) {
  nlohmann::json body = {
      {"name", name}, {"conn_url", conn_url}, {"api_url", api_url}, {"slots", slots}, {"ttl", ttl}};
  return body.dump();
}

FailsafeReply ReadFailsafeAnswer(const std::string& name, const node::MemberAnswer& answer) {
  FailsafeReply r;
  r.name = name;
  if (answer.status == 0) {
    r.detail = "no answer";
    return r;
  }
  r.accepted = answer.status == 200 && answer.body == "Accepted";
  r.detail = std::to_string(answer.status) + " " + answer.body.substr(0, 200);
  uint64_t lsn = 0;
  const std::string& h = answer.lsn;
  auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), lsn);
  if (!h.empty() && ec == std::errc() && end == h.data() + h.size()) r.lsn = lsn;
  return r;
}

std::vector<FailsafeReply> HttpFailsafeCaller::Call(
    const std::map<std::string, std::string>& members, const std::string& me,
    const std::string& body) {
  std::vector<std::future<FailsafeReply>> futures;
  for (const auto& member : members) {
    if (member.first == me) continue;
    // Copies, not structured bindings: clang 14 (the sanitizer build) cannot capture those.
    futures.push_back(
        std::async(std::launch::async, [this, name = member.first, url = member.second, &body] {
          return ReadFailsafeAnswer(
              name, node::PostMember(url, "/failsafe", body, cert_, auth_, timeout_));
        }));
  }
  std::vector<FailsafeReply> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

}  // namespace pgha::agent
