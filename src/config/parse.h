#pragma once
// Internal entry points shared by ParseConfig and LoadConfigFile.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace pgha::config::internal {

// Applies the environment to an already parsed tree and validates it; `warnings` are kept.
// `ctl_only`: pghactl's -c file, where name, restapi.listen and the postgresql section may be
// absent (LoadCtlConfigFile).
Result<Config> ParseTree(YAML::Node root, const Env& env, std::vector<std::string> warnings,
                         bool ctl_only = false);

// PGHA_CONFIGURATION / PATRONI_CONFIGURATION when set and not blank; *var names it.
const std::string* ConfigurationFromEnv(const Env& env, std::string* var);

}  // namespace pgha::config::internal
