#pragma once
// Parameters PostgreSQL renamed between majors, converted for the running major as Patroni does,
// so that one configuration serves every major pgha supports (13–17, and the older names a
// Patroni file may still carry):
//   wal_keep_segments (≤ 12, a count of 16 MB segments)  <->  wal_keep_size (13+, a size)
// Converting takes the larger of both when both are given. Pure.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"

namespace pgha::config {

// The name `name` stands for on `major` (wal_keep_segments -> wal_keep_size on 13+, the reverse
// below 13); nullopt when it is not a renamed parameter there (or major is 0: not known).
std::optional<std::string> RenamedParameter(const std::string& name, int major);

// `parameters` with every renamed entry converted for `major`. An entry whose value cannot be
// converted is an error naming it and the value ("wal_keep_segments: \"lots\" is not a whole
// number of segments"); nothing is half converted.
Result<nlohmann::json> ConvertRenamedParameters(const nlohmann::json& parameters, int major);

}  // namespace pgha::config
