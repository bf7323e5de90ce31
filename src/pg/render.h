#pragma once
// Pure rendering of the files pgha owns in the data directory: postgresql.conf (which includes
// initdb's original as postgresql.base.conf), pg_hba.conf, and the recovery settings.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace pgha::pg {

// Where a replica streams from. Empty conninfo: in recovery with no upstream.
struct RecoveryTarget {
  std::string primary_conninfo;
  std::string primary_slot_name;
  // Archive recovery (recovery.signal: recover, then promote) instead of standby mode, as a
  // custom bootstrap with recovery_conf asks.
  bool archive_recovery = false;
  // More recovery settings in file order (restore_command, recovery_target_*); they replace
  // pgha's own of the same name.
  std::vector<std::pair<std::string, std::string>> settings;
};

// The value of a GUC from the config's JSON: strings as-is, bools as on/off, numbers as text.
std::string GucValue(const nlohmann::json& value);
std::string RenderPostgresqlConf(const nlohmann::json& parameters,
                                 const std::optional<RecoveryTarget>& recovery);
std::string RenderHba(const std::vector<std::string>& lines);
// A libpq connection string as `user`: host (left out when empty: libpq's default socket), port,
// user, password, then `extra` in order, then the role's own libpq options (sslmode, sslcert...).
std::string UserConninfo(const std::string& host, int port, const config::Credentials& user,
                         const std::vector<std::pair<std::string, std::string>>& extra);
// primary_conninfo for streaming from host:port as the replication user.
std::string PrimaryConninfo(const std::string& host, int port, const config::Credentials& user,
                            const std::string& application_name);
// Parses "postgres://host:port/db" into host and port.
bool ParseConnUrl(const std::string& url, std::string* host, int* port);

}  // namespace pgha::pg
