#pragma once
// The REST API's operations (docs/interfaces.md §3.3): switchover, failover, /config writes,
// and the node-local restart/reload/reinitialize handed to NodeOperations. Transport-free: the
// server passes method, path and body and sends back the OpResponse, so tests drive these with
// an in-memory Dcs and no sockets.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/node_types.h"
#include "api/requests.h"
#include "api/server.h"
#include "ha/cluster.h"

namespace pgha::api {

struct OperationContext {
  Handlers handlers;
  // GET /patroni of a member (its api_url); nullopt when unreachable or not JSON.
  std::function<std::optional<nlohmann::json>(const ha::Member&)> fetch_status;
  std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); };
  std::function<void(std::chrono::milliseconds)> sleep;
  std::chrono::milliseconds poll_interval{200};
};

class OperationHandlers {
 public:
  explicit OperationHandlers(OperationContext context);
  // nullopt when (method, path) is not an operation (the server answers 501 then).
  std::optional<OpResponse> Handle(const std::string& method, const std::string& path,
                                   const std::string& body);

  OpResponse Switchover(const std::string& body, const std::string& action);
  OpResponse CancelSwitchover();
  OpResponse PatchConfig(const std::string& body);
  OpResponse PutConfig(const std::string& body);
  OpResponse Restart(const std::string& body);
  OpResponse CancelRestart();
  OpResponse Reload();
  OpResponse Reinitialize(const std::string& body);

 private:
  Result<ha::ClusterView> Load();
  Result<bool> WriteFailover(const std::string& value, int64_t mod_revision);
  Result<bool> WriteConfig(const std::string& value, int64_t mod_revision);
  std::optional<OpResponse> CheckCandidates(const std::vector<ha::Member>& targets,
                                            const FailoverBody& request);
  OpResponse PollOutcome(const std::string& old_leader, const FailoverBody& request, int loop_wait);
  void Wake();
  const config::GucCatalog* Gucs() const;

  OperationContext context_;
};

// GET <api_url> with a 2 s timeout (cpp-httplib), presenting `cert`'s client certificate when
// set (a peer may require one) and verifying the peer as `cert` says (node::MemberClientCert).
std::optional<nlohmann::json> FetchMemberStatus(const ha::Member& member,
                                                const ClientCert& cert = {});

}  // namespace pgha::api
