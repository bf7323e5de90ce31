#include "pg/render.h"

#include <cctype>

#include "core/strings.h"
#include "core/url.h"
#include "pg/connection.h"

namespace pgha::pg {

std::string GucValue(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  if (value.is_null()) return "";
  return value.dump();
}

std::string RenderPostgresqlConf(const nlohmann::json& parameters,
                                 const std::optional<RecoveryTarget>& recovery) {
  std::string out =
      "# Written by pgha: changes here are overwritten. Set parameters in the pgha config\n"
      "# (postgresql.parameters) or cluster-wide with `pghactl edit-config`.\n"
      "include_if_exists 'postgresql.base.conf'\n";
  for (const auto& [name, value] : parameters.items()) {
    out += name + " = " + QuoteConfValue(GucValue(value)) + "\n";
  }
  if (recovery) {
    bool own_timeline = false;
    for (const auto& [name, value] : recovery->settings) {
      out += name + " = " + QuoteConfValue(value) + "\n";
      own_timeline = own_timeline || name == "recovery_target_timeline";
    }
    if (!own_timeline) out += "recovery_target_timeline = 'latest'\n";
    if (!recovery->primary_conninfo.empty()) {
      out += "primary_conninfo = " + QuoteConfValue(recovery->primary_conninfo) + "\n";
      if (!recovery->primary_slot_name.empty()) {
        out += "primary_slot_name = " + QuoteConfValue(recovery->primary_slot_name) + "\n";
      }
    }
  }
  return out;
}

std::string RenderHba(const std::vector<std::string>& lines) {
  std::string out = "# Written by pgha from postgresql.pg_hba / bootstrap.pg_hba.\n";
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string UserConninfo(const std::string& host, int port, const config::Credentials& user,
                         const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!host.empty()) params.emplace_back("host", host);
  params.insert(
      params.end(),
      {{"port", std::to_string(port)}, {"user", user.username}, {"password", user.password}});
  params.insert(params.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : user.options) params.emplace_back(k, v);
  return BuildConninfo(params);
}

std::string PrimaryConninfo(const std::string& host, int port, const config::Credentials& user,
                            const std::string& application_name) {
  return UserConninfo(host, port, user, {{"application_name", application_name}});
}

bool ParseConnUrl(const std::string& url, std::string* host, int* port) {
  std::optional<Url> u = ParseUrl(url);
  if (!u || !u->port) return false;
  *host = u->host;
  *port = *u->port;
  return true;
}

}  // namespace pgha::pg
