// The operations behind POST/PUT/PATCH/DELETE: DCS writes for switchover, failover and /config,
// NodeOperations for the node-local ones. Codes and messages as Patroni's api.py.
#include "api/handlers.h"

#include <future>
#include <thread>

#include "dcs/codec.h"
#include "dcs/dcs.h"

namespace pgha::api {
namespace {

using nlohmann::json;

OpResponse Text(int status, std::string message) { return {status, std::move(message), false}; }
OpResponse Json(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace), true};
}
OpResponse DcsDown(const std::string& why) { return Text(503, "DCS unavailable: " + why); }

// 400 naming every invalid key, its value and what is allowed; nothing is written then.
std::optional<OpResponse> Refusal(const Status& valid) {
  if (valid.ok()) return std::nullopt;
  return Text(400, "invalid configuration, nothing changed: " + valid.message());
}

}  // namespace

OperationHandlers::OperationHandlers(OperationContext context) : context_(std::move(context)) {
  if (!context_.sleep) context_.sleep = [](auto d) { std::this_thread::sleep_for(d); };
  if (!context_.fetch_status) {
    context_.fetch_status = [cert = context_.handlers.client_cert](const ha::Member& m) {
      return FetchMemberStatus(m, cert);
    };
  }
}

std::optional<OpResponse> OperationHandlers::Handle(const std::string& method,
                                                    const std::string& path,
                                                    const std::string& body) {
  if (method == "POST" && path == "/switchover") return Switchover(body, "switchover");
  if (method == "POST" && path == "/failover") return Switchover(body, "failover");
  if (method == "DELETE" && path == "/switchover") return CancelSwitchover();
  if (method == "PATCH" && path == "/config") return PatchConfig(body);
  if (method == "PUT" && path == "/config") return PutConfig(body);
  if (method == "POST" && path == "/restart") return Restart(body);
  if (method == "DELETE" && path == "/restart") return CancelRestart();
  if (method == "POST" && path == "/reload") return Reload();
  if (method == "POST" && path == "/reinitialize") return Reinitialize(body);
  return std::nullopt;
}

Result<ha::ClusterView> OperationHandlers::Load() {
  const Handlers& h = context_.handlers;
  if (!h.dcs) return Err("no DCS connection");
  std::unique_lock<std::mutex> lock;
  if (h.dcs_mu) lock = std::unique_lock<std::mutex>(*h.dcs_mu);
  return h.dcs->Load();
}

Result<bool> OperationHandlers::WriteFailover(const std::string& value, int64_t mod_revision) {
  const Handlers& h = context_.handlers;
  std::unique_lock<std::mutex> lock;
  if (h.dcs_mu) lock = std::unique_lock<std::mutex>(*h.dcs_mu);
  return h.dcs->WriteFailover(value, mod_revision);
}

Result<bool> OperationHandlers::WriteConfig(const std::string& value, int64_t mod_revision) {
  const Handlers& h = context_.handlers;
  std::unique_lock<std::mutex> lock;
  if (h.dcs_mu) lock = std::unique_lock<std::mutex>(*h.dcs_mu);
  return h.dcs->WriteConfig(value, mod_revision);
}

const config::GucCatalog* OperationHandlers::Gucs() const { return context_.handlers.gucs.get(); }

void OperationHandlers::Wake() {
  if (context_.handlers.wake) context_.handlers.wake();
}

// Probes the targets in parallel; one without a limitation is enough (Patroni).
std::optional<OpResponse> OperationHandlers::CheckCandidates(const std::vector<ha::Member>& targets,
                                                             const FailoverBody& request) {
  std::vector<std::future<std::optional<json>>> probes;
  for (const ha::Member& m : targets) {
    probes.push_back(std::async(std::launch::async, context_.fetch_status, m));
  }
  std::string reasons;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::optional<std::string> why =
        FailoverLimitation(probes[i].get(), !request.candidate.empty());
    if (!why) return std::nullopt;
    reasons += (reasons.empty() ? "" : ", ") + targets[i].name + " " + *why;
  }
  const std::string prefix = request.action + " is not possible: ";
  if (!request.candidate.empty()) return Text(412, prefix + "candidate " + reasons);
  return Text(412, prefix + "no good candidates have been found (" + reasons + ")");
}

OpResponse OperationHandlers::PollOutcome(const std::string& old_leader,
                                          const FailoverBody& request, int loop_wait) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(2 * std::max(10, loop_wait));
  while (std::chrono::steady_clock::now() < deadline) {
    context_.sleep(context_.poll_interval);
    Result<ha::ClusterView> view = Load();
    if (!view.ok()) continue;  // transient: keep polling until the deadline
    if (auto done = FailoverOutcome(*view, old_leader, request.candidate, request.action)) {
      return *done;
    }
  }
  std::string title = request.action;
  title[0] = static_cast<char>(std::toupper(title[0]));
  return Text(503, title + " status unknown");
}

OpResponse OperationHandlers::Switchover(const std::string& body, const std::string& action) {
  Checked<json> parsed = ParseJsonObject(body, /*optional=*/false);
  if (!parsed.ok()) return parsed.refusal;
  Result<ha::ClusterView> view = Load();
  if (!view.ok()) return DcsDown(view.message());
  DynamicView dynamic = ReadDynamic(view->config_json);
  Checked<FailoverBody> request = ParseFailoverBody(*parsed.value, action, dynamic, context_.now());
  if (!request.ok()) return request.refusal;
  if (!request.value->scheduled_at) {
    Checked<std::vector<ha::Member>> targets = FailoverTargets(*request.value, *view, dynamic);
    if (!targets.ok()) return targets.refusal;
    if (auto refused = CheckCandidates(*targets.value, *request.value)) return *refused;
  }
  ha::FailoverRequest value{request.value->leader, request.value->candidate, ""};
  if (request.value->scheduled_at) value.scheduled_at = FormatIsoTime(*request.value->scheduled_at);
  Result<bool> written = WriteFailover(dcs::EncodeFailover(value), view->failover_mod_revision);
  if (!written.ok() || !*written) {
    std::string why = written.ok() ? "/failover changed concurrently" : written.message();
    return Text(503, "failed to write " + action + " key into DCS: " + why);
  }
  Wake();
  std::string title = action;
  title[0] = static_cast<char>(std::toupper(title[0]));
  if (request.value->scheduled_at) return Text(202, title + " scheduled");
  return PollOutcome(view->leader.value_or(""), *request.value, dynamic.loop_wait);
}

OpResponse OperationHandlers::CancelSwitchover() {
  Result<ha::ClusterView> view = Load();
  if (!view.ok()) return DcsDown(view.message());
  if (!view->failover || view->failover->scheduled_at.empty()) {
    return Text(404, "no switchover is scheduled");
  }
  Result<bool> written = WriteFailover("{}", view->failover_mod_revision);
  if (!written.ok()) return DcsDown(written.message());
  if (!*written) return Text(409, "the scheduled switchover changed concurrently");
  Wake();
  return Text(200, "scheduled switchover deleted");
}

OpResponse OperationHandlers::PatchConfig(const std::string& body) {
  Checked<json> patch = ParseJsonObject(body, /*optional=*/false);
  if (!patch.ok()) return patch.refusal;
  Result<ha::ClusterView> view = Load();
  if (!view.ok()) return DcsDown(view.message());
  if (view->config_json.empty() || view->config_mod_revision == 0) {
    return Text(503, "no /config in the DCS to patch");
  }
  json config = json::parse(view->config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) config = json::object();
  const json before = config;
  if (MergePatch(config, *patch.value)) {
    // Only what this change breaks is refused: a value already broken in etcd (written there
    // directly) must not block an unrelated change such as pause.
    if (auto refused = Refusal(config::ValidateDynamicChange(before, config, Gucs(), nullptr))) {
      return *refused;
    }
    Result<bool> written = WriteConfig(config.dump(), view->config_mod_revision);
    if (!written.ok()) return DcsDown(written.message());
    if (!*written) return Text(409, "Conflict: /config was changed concurrently, retry");
  }
  Wake();
  return Json(200, config);
}

OpResponse OperationHandlers::PutConfig(const std::string& body) {
  Checked<json> config = ParseJsonObject(body, /*optional=*/false);
  if (!config.ok()) return config.refusal;
  Result<ha::ClusterView> view = Load();
  if (!view.ok()) return DcsDown(view.message());
  json current = json::parse(view->config_json, nullptr, /*allow_exceptions=*/false);
  if (current != *config.value) {
    if (auto refused = Refusal(config::ValidateDynamicConfig(*config.value, Gucs(), "", nullptr))) {
      return *refused;
    }
    Result<bool> written = WriteConfig(config.value->dump(), -1);
    if (!written.ok() || !*written) {
      return Text(502,
                  "failed to write /config: " + (written.ok() ? "refused" : written.message()));
    }
  }
  Wake();
  return Json(200, *config.value);
}

OpResponse OperationHandlers::Restart(const std::string& body) {
  Checked<json> parsed = ParseJsonObject(body, /*optional=*/true);
  if (!parsed.ok()) return parsed.refusal;
  Result<ha::ClusterView> view = Load();
  bool paused = view.ok() && ReadDynamic(view->config_json).pause;
  Checked<RestartRequest> request = ParseRestart(*parsed.value, paused, context_.now());
  if (!request.ok()) return request.refusal;
  if (!context_.handlers.node) return Text(503, "restart is not available on this node");
  int seconds = request.value->timeout.value_or(60) + 30;
  return context_.handlers.node->Restart(
      *request.value, std::chrono::steady_clock::now() + std::chrono::seconds(seconds));
}

OpResponse OperationHandlers::CancelRestart() {
  if (!context_.handlers.node) return Text(503, "restart is not available on this node");
  return context_.handlers.node->CancelRestart();
}

OpResponse OperationHandlers::Reload() {
  if (!context_.handlers.node) return Text(503, "reload is not available on this node");
  return context_.handlers.node->Reload();
}

OpResponse OperationHandlers::Reinitialize(const std::string& body) {
  Checked<json> parsed = ParseJsonObject(body, /*optional=*/true);
  if (!parsed.ok()) return parsed.refusal;
  Checked<ReinitRequest> request = ParseReinit(*parsed.value);
  if (!request.ok()) return request.refusal;
  if (!context_.handlers.node) return Text(503, "reinitialize is not available on this node");
  return context_.handlers.node->Reinitialize(
      request.value->force, request.value->from_leader,
      std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

}  // namespace pgha::api
