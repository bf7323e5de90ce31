#pragma once
// pghactl's calls to a member's REST API (api_url from its member key): Basic auth from the
// config's ctl.authentication (else restapi.authentication), TLS per the ctl section; the client
// certificate is ctl.certfile, else restapi.certfile (node::MemberClientCert, as patronictl).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "ha/cluster.h"
#include "node/member_client.h"

namespace pgha::ctl {

struct RestReply {
  int status = 0;
  std::string body;
};

class RestClient {
 public:
  explicit RestClient(const config::Config& config);
  // METHOD <base of api_url>/<endpoint> with a JSON body (none when nullopt). Transport errors
  // (refused, timeout, TLS) are errors; any HTTP status is a reply.
  Result<RestReply> Call(const ha::Member& member, const std::string& method,
                         const std::string& endpoint, const std::optional<nlohmann::json>& body,
                         std::chrono::seconds timeout = std::chrono::seconds(60)) const;

 private:
  std::optional<config::Credentials> auth_;
  config::Ctl tls_;
  node::ClientCert cert_;
};

// "http://h:8008/patroni" -> "http://h:8008"; empty when not a URL.
std::string ApiBase(const std::string& api_url);

}  // namespace pgha::ctl
