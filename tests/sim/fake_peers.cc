#include "sim/fake_peers.h"

#include "api/health.h"

namespace pgha::sim {

std::vector<ha::PeerStatus> FakePeerProber::Probe(const std::vector<ha::Member>& members,
                                                  const std::string& me) {
  std::vector<ha::PeerStatus> out;
  for (const auto& m : members) {
    if (m.name == me || m.api_url.empty()) continue;
    auto snapshot = lookup_(me, m.name);
    if (!snapshot) {
      ha::PeerStatus unreachable;
      unreachable.name = m.name;
      out.push_back(unreachable);
      continue;
    }
    out.push_back(agent::ParsePeerStatus(m.name, api::StatusJson(*snapshot).dump()));
  }
  return out;
}

}  // namespace pgha::sim
