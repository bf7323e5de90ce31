#pragma once
// Peer probes answered from the other agents' REST snapshots, rendered and parsed exactly as
// GET /patroni is (api::StatusJson -> agent::ParsePeerStatus). Unreachable when the peer's
// agent is dead or paused, or a partition lies between the two nodes.
#include <functional>

#include "agent/peers.h"
#include "node/snapshot.h"

namespace pgha::sim {

class FakePeerProber final : public agent::PeerProber {
 public:
  // Returns the snapshot `name` would serve to `from`, or nullptr when it cannot be reached.
  using Lookup = std::function<std::shared_ptr<const node::Snapshot>(const std::string& from,
                                                                     const std::string& name)>;
  // `ignore_former_leader`: control --no-former-leader-probe (the race probes only member keys).
  FakePeerProber(Lookup lookup, bool ignore_former_leader)
      : lookup_(std::move(lookup)), ignore_former_leader_(ignore_former_leader) {}

  std::vector<ha::PeerStatus> Probe(const std::vector<ha::Member>& members, const std::string& me,
                                    const ha::Member* former_leader) override;

 private:
  ha::PeerStatus ProbeOne(const std::string& me, const std::string& name);

  Lookup lookup_;
  bool ignore_former_leader_;
};

}  // namespace pgha::sim
