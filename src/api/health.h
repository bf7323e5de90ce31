#pragma once
// Pure functions behind the REST API: which status code a health path answers, and the JSON
// bodies. No I/O, so every branch is unit-tested.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "api/node_types.h"
#include "ha/cluster.h"

namespace pgha::api {

using Query = std::multimap<std::string, std::string>;

// True if `path` (without query) is one of the health-check paths.
bool IsHealthPath(const std::string& path);
// 200 or 503 for a health path (docs/interfaces.md §3.1). `now` is the monotonic time.
int HealthStatus(const std::string& path, const Query& query, const Snapshot& s, MonoTime now);
// GET /patroni and the health paths' body (§4.2).
nlohmann::json StatusJson(const Snapshot& s);
// GET /cluster body (§4.3).
nlohmann::json ClusterJson(const ha::ClusterView& view, const std::string& scope);
// GET /history body.
nlohmann::json HistoryJson(const ha::ClusterView& view);

}  // namespace pgha::api
