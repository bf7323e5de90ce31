#pragma once
// Dynamic (DCS /config) settings: one validator shared by the local file (strict: errors) and
// the DCS (lenient: invalid values are skipped with a warning, the cluster keeps running).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "ha/settings.h"

namespace pgha::config::internal {

// Top-level keys of the dynamic configuration that Patroni also allows in the local file.
bool IsDynamicKey(const std::string& key);

// Applies the known keys of `layer` onto *settings. `prefix` is prepended to key paths in
// messages ("bootstrap.dcs."). strict: the first invalid value is returned as an error;
// otherwise it is skipped (below-minimum values are raised to the minimum) with a warning.
Status ApplyDynamicLayer(const nlohmann::json& layer, const std::string& prefix, bool strict,
                         ha::Settings* settings, std::vector<std::string>* warnings);

// Patroni's rule (reference/patroni.md §1.3): loop_wait + 2*retry_timeout must fit in ttl;
// shrinks loop_wait, then retry_timeout, and warns.
void AdjustTimeouts(ha::Settings* settings, std::vector<std::string>* warnings);

}  // namespace pgha::config::internal
