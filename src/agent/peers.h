#pragma once
// Asks the other members for their GET /patroni during a leader race (in parallel, short timeout).
#include <chrono>
#include <utility>
#include <vector>

#include "ha/cluster.h"
#include "ha/decision.h"
#include "node/member_client.h"

namespace pgha::agent {

// `former_leader`: the last leader this agent saw, when its member key is gone too. A leader key
// normally leaves etcd only by its holder's release or revoke, or by expiry, but etcd 3.4 before
// 3.4.28 can revoke every lease when a stale raft leader comes back (etcd issues 12528, 15247):
// the key then vanishes while its holder is a live, writable primary. Probing it lets a running
// primary veto the race (ha::IsHealthiest) and take its key back (docs/safety.md, section 9).
// Its connection is given only kFormerLeaderConnect: a host that died answers nothing, and
// the race must not wait long for it.
class PeerProber {
 public:
  virtual ~PeerProber() = default;
  virtual std::vector<ha::PeerStatus> Probe(const std::vector<ha::Member>& members,
                                            const std::string& me,
                                            const ha::Member* former_leader) = 0;
};

inline constexpr std::chrono::milliseconds kFormerLeaderConnect{200};

class HttpPeerProber final : public PeerProber {
 public:
  // `cert` is presented to peers' REST APIs (node::MemberClientCert; empty: none).
  explicit HttpPeerProber(std::chrono::milliseconds timeout, node::ClientCert cert = {})
      : timeout_(timeout), cert_(std::move(cert)) {}
  std::vector<ha::PeerStatus> Probe(const std::vector<ha::Member>& members, const std::string& me,
                                    const ha::Member* former_leader) override;

 private:
  std::chrono::milliseconds timeout_;
  node::ClientCert cert_;
};

// Parses a /patroni body into a PeerStatus (exposed for tests).
ha::PeerStatus ParsePeerStatus(const std::string& name, const std::string& body);

}  // namespace pgha::agent
