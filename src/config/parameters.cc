#include "config/parameters.h"

#include "config/config.h"
#include "config/guc_catalog.h"
#include "config/guc_versions.h"
#include "config/values.h"

namespace pgha::config {
namespace internal {

bool IsClusterWideGuc(const std::string& name) {
  static const char* const kNames[] = {"max_connections",
                                       "max_locks_per_transaction",
                                       "max_worker_processes",
                                       "max_prepared_transactions",
                                       "wal_level",
                                       "track_commit_timestamp",
                                       "max_wal_senders",
                                       "max_replication_slots",
                                       "wal_keep_segments",
                                       "wal_keep_size",
                                       "wal_log_hints"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

namespace {

nlohmann::json ParametersOf(const nlohmann::json& dynamic) {
  if (!dynamic.is_object() || !dynamic.contains("postgresql")) return nlohmann::json::object();
  const nlohmann::json& pg = dynamic["postgresql"];
  if (!pg.is_object() || !pg.contains("parameters") || !pg["parameters"].is_object()) {
    return nlohmann::json::object();
  }
  return pg["parameters"];
}

}  // namespace
}  // namespace internal

// DCS parameters (or, before the DCS has a /config, the local dynamic ones), then the local
// postgresql.parameters on top except cluster-wide GUCs; a cluster-wide GUC the DCS lacks falls
// back to the local dynamic value (bootstrap.dcs).
std::optional<int64_t> IntParameter(const nlohmann::json& parameters, const std::string& name) {
  if (!parameters.is_object() || !parameters.contains(name)) return std::nullopt;
  auto value = internal::JsonInt(parameters[name]);
  if (!value.ok()) return std::nullopt;
  return *value;
}

nlohmann::json EffectiveParameters(const Config& local, const nlohmann::json& dcs_config) {
  bool have_dcs = dcs_config.is_object() && !dcs_config.empty();
  nlohmann::json local_dynamic = internal::ParametersOf(local.local_dynamic);
  nlohmann::json out = have_dcs ? internal::ParametersOf(dcs_config) : local_dynamic;
  for (const auto& [name, value] : local_dynamic.items()) {
    if (internal::IsClusterWideGuc(name) && !out.contains(name)) out[name] = value;
  }
  if (local.postgresql.parameters.is_object()) {
    for (const auto& [name, value] : local.postgresql.parameters.items()) {
      if (!internal::IsClusterWideGuc(name)) out[name] = value;
    }
  }
  const GucCatalog* gucs = local.postgresql.gucs.get();
  nlohmann::json valid = ValidParameters(out, gucs, "", nullptr);
  // Renamed parameters (wal_keep_segments on 13+...) are written under the running major's name.
  auto converted = ConvertRenamedParameters(valid, gucs ? gucs->major() : 0);
  return converted.ok() ? *converted : valid;
}

std::vector<std::string> EffectiveHba(const Config& local, const nlohmann::json& dcs_config) {
  if (!local.postgresql.pg_hba.empty()) return local.postgresql.pg_hba;
  bool have_dcs = dcs_config.is_object() && !dcs_config.empty();
  const nlohmann::json& dynamic = have_dcs ? dcs_config : local.local_dynamic;
  if (dynamic.is_object() && dynamic.contains("postgresql") && dynamic["postgresql"].is_object()) {
    const nlohmann::json& pg = dynamic["postgresql"];
    if (auto it = pg.find("pg_hba"); it != pg.end() && it->is_array() && !it->empty()) {
      std::vector<std::string> lines;
      for (const auto& line : *it) {
        if (!line.is_string()) return local.bootstrap.pg_hba;  // refused by ValidateDynamicConfig
        lines.push_back(line.get<std::string>());
      }
      return lines;
    }
  }
  return local.bootstrap.pg_hba;
}

std::vector<std::string> LocalParameterProblems(const Config& local) {
  std::vector<std::string> problems;
  const GucCatalog* gucs = local.postgresql.gucs.get();
  CheckParameters(local.postgresql.parameters, gucs, "postgresql.parameters.", &problems);
  nlohmann::json dcs = internal::ParametersOf(local.bootstrap.dcs);
  CheckParameters(dcs, gucs, "bootstrap.dcs.postgresql.parameters.", &problems);
  return problems;
}

}  // namespace pgha::config
