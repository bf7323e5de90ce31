#pragma once
// Failsafe mode, on the primary: asks every member of the last /failsafe read to confirm that it
// may go on without etcd (POST /failsafe, in parallel). ha::Decide asks for it
// (action::ConfirmFailsafe); the executor keeps the deadline a full round of acceptances gives.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "node/member_client.h"

namespace pgha::agent {

struct FailsafeReply {
  std::string name;
  bool accepted = false;
  std::optional<uint64_t> lsn;  // the member's received/replayed position (`lsn` header)
  std::string detail;           // what it answered, or why there was no answer
};

class FailsafeCaller {
 public:
  virtual ~FailsafeCaller() = default;
  // POSTs `body` to /failsafe of every member in `members` (name -> api_url) but `me`.
  virtual std::vector<FailsafeReply> Call(const std::map<std::string, std::string>& members,
                                          const std::string& me, const std::string& body) = 0;
};

// The request body, Patroni's fields (name, conn_url, api_url, slots) and pgha's `ttl`: how long
// the primary counts on the promise; a pgha member keeps it that long at least.
std::string FailsafeRequestBody(const std::string& name, const std::string& conn_url,
                                const std::string& api_url,
                                const std::map<std::string, uint64_t>& slots, int ttl);
// Accepted, as Patroni reads it: status 200 and the body "Accepted".
FailsafeReply ReadFailsafeAnswer(const std::string& name, const node::MemberAnswer& answer);

class HttpFailsafeCaller final : public FailsafeCaller {
 public:
  // Patroni gives each member 2 s.
  HttpFailsafeCaller(node::ClientCert cert, std::optional<config::Credentials> auth,
                     std::chrono::milliseconds timeout = std::chrono::seconds(2))
      : cert_(std::move(cert)), auth_(std::move(auth)), timeout_(timeout) {}
  std::vector<FailsafeReply> Call(const std::map<std::string, std::string>& members,
                                  const std::string& me, const std::string& body) override;

 private:
  node::ClientCert cert_;
  std::optional<config::Credentials> auth_;
  std::chrono::milliseconds timeout_;
};

}  // namespace pgha::agent
