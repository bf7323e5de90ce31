#pragma once
// Typed reading of loosely typed JSON values (from YAML or the DCS): Patroni accepts "30" for 30
// and "on" for true, so do we. Errors are the reason only; callers prefix the key path.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace pgha::config::internal {

// `value` as shown in messages: strings quoted ("abc"), others as JSON (3, true, [..]).
std::string Shown(const nlohmann::json& value);

Result<int64_t> JsonInt(const nlohmann::json& value);  // "expected an integer, got ..."
Result<bool> JsonBool(const nlohmann::json& value);    // "expected a boolean, got ..."
// Parses on/off/true/false/yes/no/1/0 (any case); nullopt-like false return when not a boolean.
bool ParseBoolText(const std::string& text, bool* out);
bool ParseIntText(const std::string& text, int64_t* out);

// Deep merge: objects merge key by key, anything else in `top` replaces `base`.
void MergeJson(nlohmann::json* base, const nlohmann::json& top);

}  // namespace pgha::config::internal
