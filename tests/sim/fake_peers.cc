#include "sim/fake_peers.h"

#include "api/health.h"

namespace pgha::sim {

ha::PeerStatus FakePeerProber::ProbeOne(const std::string& me, const std::string& name) {
  auto snapshot = lookup_(me, name);
  if (!snapshot) {
    ha::PeerStatus unreachable;
    unreachable.name = name;
    return unreachable;
  }
  return agent::ParsePeerStatus(name, api::StatusJson(*snapshot).dump());
}

std::vector<ha::PeerStatus> FakePeerProber::Probe(const std::vector<ha::Member>& members,
                                                  const std::string& me,
                                                  const ha::Member* former_leader) {
  std::vector<ha::PeerStatus> out;
  for (const auto& m : members) {
    if (m.name == me || m.api_url.empty()) continue;
    out.push_back(ProbeOne(me, m.name));
  }
  if (former_leader && !ignore_former_leader_ && former_leader->name != me) {
    out.push_back(ProbeOne(me, former_leader->name));
  }
  return out;
}

}  // namespace pgha::sim
