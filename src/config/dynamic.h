#pragma once
// Dynamic (DCS /config) settings: one validator shared by the local file and the REST API
// (strict: every problem is an error) and by the agent reading /config (lenient: an invalid
// value is ignored with a warning naming it, and the previous value stays; nothing is clamped).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "ha/settings.h"

namespace pgha::config::internal {

// Top-level keys of the dynamic configuration that Patroni also allows in the local file.
bool IsDynamicKey(const std::string& key);

// Applies the known keys of `layer` onto *settings. `prefix` is prepended to key paths in
// messages ("bootstrap.dcs."). strict: every invalid value is an error (joined with "; ");
// otherwise it is skipped with a warning, and the key takes its value in `fallback` when given
// (the agent's previous settings), else keeps what *settings held.
Status ApplyDynamicLayer(const nlohmann::json& layer, const std::string& prefix, bool strict,
                         ha::Settings* settings, std::vector<std::string>* warnings,
                         const ha::Settings* fallback = nullptr);

// The same, returning each problem ("<prefix><key>: <reason>") on its own.
std::vector<std::string> CheckDynamicLayer(const nlohmann::json& layer, const std::string& prefix,
                                           bool strict, ha::Settings* settings,
                                           std::vector<std::string>* warnings,
                                           const ha::Settings* fallback);
// "a; b; c" as one error; OK when empty.
Status JoinProblems(const std::vector<std::string>& problems);

// Empty unless ttl is below its absolute minimum 5; then the reason, naming ttl.
std::string TimingProblem(const ha::Settings& settings);
// Patroni's rule (its config.py): when loop_wait + 2 x retry_timeout exceeds ttl, loop_wait is
// lowered to ttl - 2 x retry_timeout, or, when even loop_wait 1 does not fit, loop_wait becomes
// 1 and retry_timeout (ttl - 1) / 2. Returns the warning naming both changes ("" if none).
std::string AdjustTiming(ha::Settings* settings);

}  // namespace pgha::config::internal
