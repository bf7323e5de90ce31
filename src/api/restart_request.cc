// POST /restart and /reinitialize bodies (Patroni's do_POST_restart filter loop).
#include <cctype>

#include "api/requests.h"
#include "core/strings.h"

namespace pgha::api {
namespace {

using nlohmann::json;

// Patroni's parse_int(value, 's'): an integer, or a string with an optional unit.
std::optional<int64_t> Seconds(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return std::nullopt;
  std::string text = Trim(value.get_ref<const std::string&>());
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  int64_t n = std::stoll(text.substr(0, digits));
  std::string unit = Trim(text.substr(digits));
  if (unit.empty() || unit == "s") return n;
  if (unit == "ms") return n / 1000;
  if (unit == "min") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return std::nullopt;
}

bool ValidRole(const std::string& role) {
  for (const char* r : {"master", "primary", "leader", "replica", "standby", "any"}) {
    if (role == r) return true;
  }
  return false;
}

}  // namespace

Checked<int> ParsePostgresVersion(const json& value) {
  using R = Checked<int>;
  if (!value.is_string()) return R::Refuse(400, "Invalid PostgreSQL version: " + value.dump());
  const std::string& text = value.get_ref<const std::string&>();
  std::vector<int> parts;
  for (const std::string& p : Split(text, '.')) {
    if (p.empty() || p.size() > 4) return R::Refuse(400, "Invalid PostgreSQL version: " + text);
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return R::Refuse(400, "Invalid PostgreSQL version: " + text);
      }
    }
    parts.push_back(std::stoi(p));
  }
  if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 2 && parts[0] < 10)) {
    return R::Refuse(400, "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: " + text);
  }
  if (parts.size() == 2) return R::Accept(parts[0] * 10000 + parts[1]);
  return R::Accept(parts[0] * 10000 + parts[1] * 100 + parts[2]);
}

Checked<RestartRequest> ParseRestart(const json& body, bool paused, SystemTime now) {
  using R = Checked<RestartRequest>;
  if (paused && body.contains("schedule")) {
    return R::Refuse(500, "Can't schedule restart in the paused state");
  }
  RestartRequest out;
  for (const auto& [key, value] : body.items()) {
    if (key == "schedule") {
      Checked<SystemTime> at = ParseSchedule(value, "restart", now);
      if (!at.ok()) return R{std::nullopt, at.refusal};
      out.schedule = FormatIsoTime(*at.value);
    } else if (key == "role") {
      if (!value.is_string() || !ValidRole(value.get<std::string>())) {
        return R::Refuse(400, "PostgreSQL role should be either primary or replica");
      }
      std::string role = value.get<std::string>();
      out.role = role == "master" ? "primary" : role;
    } else if (key == "postgres_version") {
      Checked<int> v = ParsePostgresVersion(value);
      if (!v.ok()) return R{std::nullopt, v.refusal};
      out.postgres_version = value.get<std::string>();
    } else if (key == "timeout") {
      std::optional<int64_t> t = Seconds(value);
      if (!t || *t <= 0 || *t > int64_t{86400} * 7) {
        return R::Refuse(400, "Timeout should be a positive number of seconds");
      }
      out.timeout = static_cast<int>(*t);
    } else if (key == "restart_pending") {
      std::optional<bool> b = ParseBool(value);
      if (!b) return R::Refuse(400, "restart_pending should be a boolean");
      out.restart_pending = *b;
    } else {
      return R::Refuse(400, "Unknown filter for the scheduled restart: " + key);
    }
  }
  return R::Accept(std::move(out));
}

Checked<ReinitRequest> ParseReinit(const json& body) {
  using R = Checked<ReinitRequest>;
  ReinitRequest out;
  for (const char* key : {"force", "from_leader"}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    std::optional<bool> b = ParseBool(*it);
    if (!b) return R::Refuse(400, std::string("Bad request: ") + key + " should be a boolean");
    (std::string(key) == "force" ? out.force : out.from_leader) = *b;
  }
  return R::Accept(out);
}

}  // namespace pgha::api
