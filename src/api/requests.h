#pragma once
// Parsing and validation of the REST API's operation requests (docs/interfaces.md §3.3), as
// pure functions: bytes and a cluster view in, a typed request or a refusal (Patroni's status
// code and message) out. The handlers (handlers.cc) only add I/O around these.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/node_types.h"
#include "core/iso_time.h"
#include "ha/cluster.h"

namespace pgha::api {

// Either a value or the response that refuses the request.
template <class T>
struct Checked {
  std::optional<T> value;
  OpResponse refusal;
  bool ok() const { return value.has_value(); }
  static Checked Accept(T v) { return Checked{std::move(v), {}}; }
  static Checked Refuse(int status, std::string message) {
    return Checked{std::nullopt, OpResponse{status, std::move(message), false}};
  }
};

// The body must be a JSON object; empty bodies are {} when `optional`, else refused (400). As
// Patroni, a required body must also be a non-empty object.
Checked<nlohmann::json> ParseJsonObject(std::string_view body, bool optional);

// Patroni's parse_schedule: 400 without a zone, 422 in the past or unparseable.
Checked<SystemTime> ParseSchedule(const nlohmann::json& value, std::string_view action,
                                  SystemTime now);

// Settings of /config the handlers need (defaults when absent or malformed).
struct DynamicView {
  bool pause = false;
  bool synchronous_mode = false;
  int loop_wait = 10;
};
DynamicView ReadDynamic(const std::string& config_json);

// POST /switchover and /failover.
struct FailoverBody {
  std::string action;  // "switchover" | "failover"
  std::string leader, candidate;
  std::optional<SystemTime> scheduled_at;
};
// Field types, required fields and the schedule (only for a switchover from a named leader, not
// in pause). Unknown keys are ignored, as Patroni does.
Checked<FailoverBody> ParseFailoverBody(const nlohmann::json& body, std::string_view action,
                                        const DynamicView& dynamic, SystemTime now);
// The static part of is_failover_possible: leader matches, candidate exists, is not the leader,
// may be promoted, is in /sync for a switchover in synchronous mode. On success returns the
// members whose /patroni must be probed (one of them has to be healthy). Refusals are 412 (400
// for a switchover to the leader itself).
Checked<std::vector<ha::Member>> FailoverTargets(const FailoverBody& request,
                                                 const ha::ClusterView& view,
                                                 const DynamicView& dynamic);
// Why a member (its GET /patroni answer, nullopt when unreachable) cannot be promoted, or nullopt.
// `named` adds the checks for an explicitly chosen candidate: running and a replica.
std::optional<std::string> FailoverLimitation(const std::optional<nlohmann::json>& status,
                                              bool named);
// One poll of the DCS after writing /failover: nullopt while still waiting.
std::optional<OpResponse> FailoverOutcome(const ha::ClusterView& view,
                                          const std::string& old_leader,
                                          const std::string& candidate, std::string_view action);

// POST /restart. `paused` refuses a schedule (500, as Patroni).
Checked<RestartRequest> ParseRestart(const nlohmann::json& body, bool paused, SystemTime now);
// "9.5.3", "10.1", "15.4" -> 90503, 100001, 150004; nullopt and a Patroni message otherwise.
Checked<int> ParsePostgresVersion(const nlohmann::json& value);
// Patroni's parse_bool: true/false, 1/0, "on"/"off", "yes"/"no" (any case); nullopt otherwise.
std::optional<bool> ParseBool(const nlohmann::json& value);

struct ReinitRequest {
  bool force = false;
  bool from_leader = false;
};
Checked<ReinitRequest> ParseReinit(const nlohmann::json& body);

// A JSON merge patch as Patroni's PATCH /config applies it (patch_config): objects merge
// recursively into objects, null deletes, anything else replaces; unlike RFC 7386, a value for a
// key the target does not hold as an object goes in as given, nulls inside it included. Returns
// true when `target` changed.
bool MergePatch(nlohmann::json& target, const nlohmann::json& patch);

}  // namespace pgha::api
