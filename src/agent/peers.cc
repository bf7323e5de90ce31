#include "agent/peers.h"

#include <future>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "dcs/codec.h"
#include "pg/render.h"

namespace pgha::agent {
namespace {

ha::PeerStatus ProbeOne(const ha::Member& m, std::chrono::milliseconds connect,
                        std::chrono::milliseconds timeout, const node::ClientCert& cert) {
  auto body = node::GetMemberStatus(m, cert, connect, timeout);
  if (!body) {
    ha::PeerStatus s;
    s.name = m.name;
    return s;
  }
  return ParsePeerStatus(m.name, *body);
}

}  // namespace

ha::PeerStatus ParsePeerStatus(const std::string& name, const std::string& body) {
  ha::PeerStatus s;
  s.name = name;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return s;
  s.reachable = true;
  std::string role = j.value("role", "");
  s.role = role == "master" ? "primary" : role;
  s.running = j.value("state", "") == "running";
  s.starting = j.value("state", "") == "starting";
  s.positions_stale = j.value("pgha_positions_stale", false);
  if (j.contains("timeline") && j["timeline"].is_number())
    s.timeline = j["timeline"].get<uint32_t>();
  const auto& x = j.contains("xlog") ? j["xlog"] : j.value("wal", nlohmann::json::object());
  if (x.is_object()) {
    auto num = [&](const char* k) -> uint64_t {
      return x.contains(k) && x[k].is_number() ? x[k].get<uint64_t>() : 0;
    };
    s.wal_position =
        std::max({num("location"), num("received_location"), num("replayed_location")});
  }
  // The member key's decoder: a configured failover_priority '2' is a string in the JSON.
  if (j.contains("tags") && j["tags"].is_object()) s.tags = dcs::DecodeTags(j["tags"]);
  return s;
}

std::vector<ha::PeerStatus> HttpPeerProber::Probe(const std::vector<ha::Member>& members,
                                                  const std::string& me,
                                                  const ha::Member* former_leader) {
  std::vector<std::future<ha::PeerStatus>> futures;
  for (const auto& m : members) {
    if (m.name == me || m.api_url.empty()) continue;
    futures.push_back(std::async(std::launch::async, ProbeOne, m, timeout_, timeout_, cert_));
  }
  if (former_leader && former_leader->name != me && !former_leader->api_url.empty()) {
    futures.push_back(std::async(std::launch::async, ProbeOne, *former_leader,
                                 std::min(timeout_, kFormerLeaderConnect), timeout_, cert_));
  }
  std::vector<ha::PeerStatus> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

}  // namespace pgha::agent
