#pragma once
// Asks the other members for their GET /patroni during a leader race (in parallel, short timeout).
#include <chrono>
#include <utility>
#include <vector>

#include "api/server.h"
#include "ha/cluster.h"
#include "ha/decision.h"

namespace pgha::agent {

class PeerProber {
 public:
  virtual ~PeerProber() = default;
  virtual std::vector<ha::PeerStatus> Probe(const std::vector<ha::Member>& members,
                                            const std::string& me) = 0;
};

class HttpPeerProber final : public PeerProber {
 public:
  // `cert` is presented to peers' REST APIs (api::MemberClientCert; empty: none).
  explicit HttpPeerProber(std::chrono::milliseconds timeout, api::ClientCert cert = {})
      : timeout_(timeout), cert_(std::move(cert)) {}
  std::vector<ha::PeerStatus> Probe(const std::vector<ha::Member>& members,
                                    const std::string& me) override;

 private:
  std::chrono::milliseconds timeout_;
  api::ClientCert cert_;
};

// Parses a /patroni body into a PeerStatus (exposed for tests).
ha::PeerStatus ParsePeerStatus(const std::string& name, const std::string& body);

}  // namespace pgha::agent
