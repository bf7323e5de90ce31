#pragma once
// How a member reaches the other members' REST APIs: the leader race's probes (agent/peers.h)
// and the switchover candidate check (api/handlers.h) both GET a peer's /patroni through here.
#include <chrono>
#include <optional>
#include <string>

#include "config/config.h"
#include "ha/cluster.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace pgha::node {

// The client certificate, so that a peer with restapi.verify_client: required answers: as
// Patroni, ctl.certfile / ctl.keyfile, else restapi.certfile / restapi.keyfile; the key defaults
// to the certificate file (a PEM holding both); empty: none. The peer's server certificate is
// verified (chain and host) against ctl.cacert, else restapi.cafile, unless ctl.insecure is
// set; with neither CA file there is nothing to verify against and it is not.
struct ClientCert {
  std::string certfile, keyfile;
  std::string cafile;
  bool verify = false;
};
ClientCert MemberClientCert(const config::Config& config);
// Applies `cert`'s server-certificate verification to a client talking to a member.
void UseMemberTls(httplib::Client* client, const ClientCert& cert);

// The body of a 200 answer to GET on the member's api_url (its path, else /patroni), presenting
// `cert`; empty when the URL has no scheme, the member does not answer within the timeouts, or
// answers anything but 200.
std::optional<std::string> GetMemberStatus(const ha::Member& member, const ClientCert& cert,
                                           std::chrono::milliseconds connect_timeout,
                                           std::chrono::milliseconds read_timeout);

// Basic auth for requests to members, as Patroni: ctl.authentication, else restapi's.
std::optional<config::Credentials> MemberAuth(const config::Config& config);

// One answer of a member's REST API; status 0 when it did not answer at all.
struct MemberAnswer {
  int status = 0;
  std::string body;
  std::string lsn;  // the `lsn` header (POST /failsafe), "" when absent
};
// POST `json_body` to `path` at the host of `api_url`, within `timeout` for connecting and again
// for the answer.
MemberAnswer PostMember(const std::string& api_url, const std::string& path,
                        const std::string& json_body, const ClientCert& cert,
                        const std::optional<config::Credentials>& auth,
                        std::chrono::milliseconds timeout);

}  // namespace pgha::node
