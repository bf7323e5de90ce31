#pragma once
// Environment overrides: Patroni's PATRONI_* variables (docs/interfaces.md §4.3), each also
// spelled PGHA_*; the PGHA_ spelling wins when both are set.
#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.h"
#include "config/reader.h"

namespace pgha::config::internal {

// The value of PGHA_<suffix>, else PATRONI_<suffix>, else nullptr; *var names the one used.
const std::string* LookupEnv(const Env& env, const std::string& suffix, std::string* var);

// Writes every override into the YAML tree (env always beats the file) and records in
// ctx->origins which variable set which key path, so errors name the variable.
Status ApplyEnvironment(const Env& env, const YAML::Node& root, ParseContext* ctx);

}  // namespace pgha::config::internal
