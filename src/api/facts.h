#pragma once
// Facts derived from a Snapshot that several API bodies share (health codes, /patroni, /metrics).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/node_types.h"
#include "ha/cluster.h"

namespace pgha::api {

// Listed in the DCS `/sync` key, in plain synchronous mode or with synchronous_mode: quorum.
bool IsSyncStandby(const Snapshot& s);
bool IsQuorumStandby(const Snapshot& s);
// Role shown in /patroni: "primary", "replica" or "uninitialized", from PostgreSQL itself.
std::string StatusRole(const Snapshot& s);
// Replication lag in bytes as /replica?lag= and /readiness measure it:
// max(status.optime, received) minus replayed (or received when `by_receive`).
uint64_t LagBytes(const Snapshot& s, bool by_receive = false);
// Tags as a JSON object (each Tags::raw value parsed back; unparsable text kept as a string).
nlohmann::json TagsJson(const ha::Tags& tags);
// A tag's value as compared with a `tag_<name>=` query: strings unquoted, other JSON verbatim.
std::string TagQueryText(const std::string& raw_json);

}  // namespace pgha::api
