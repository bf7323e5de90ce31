#include "api/failsafe.h"

#include <nlohmann/json.hpp>

#include "dcs/codec.h"

namespace pgha::api {

using nlohmann::json;

FailsafeAnswer FailsafeGet(const Snapshot& s) {
  if (s.failsafe_members.empty()) return {502, "failsafe_mode is not enabled\n", false, ""};
  return {200, dcs::EncodeFailsafe(s.failsafe_members), true, ""};
}

FailsafeAnswer FailsafePost(const Snapshot& s, const std::string& body,
                            node::FailsafeInbox* inbox) {
  if (!s.settings.failsafe_mode) return {502, "failsafe_mode is not enabled\n", false, ""};
  if (inbox == nullptr) return {503, "failsafe confirmations are not available\n", false, ""};
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return {400, "the body must be a JSON object with name, api_url and conn_url\n", false, ""};
  }
  auto text = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* name = text("name");
  if (name == nullptr || name->empty()) return {400, "name: expected a member name\n", false, ""};
  int ttl = s.settings.ttl;
  if (auto it = j.find("ttl"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 86400) {
      return {400, "ttl: expected whole seconds from 0 to 86400\n", false, ""};
    }
    ttl = std::max(ttl, it->get<int>());
  }
  if (s.pg.running && !s.pg.in_recovery) return {500, "Running as a leader", false, ""};
  const std::string* api_url = text("api_url");
  const std::string* conn_url = text("conn_url");
  inbox->Accept(*name, api_url ? *api_url : "", conn_url ? *conn_url : "", ttl);
  std::string lsn = s.pg.running ? std::to_string(s.pg.WalPosition()) : "";
  return {200, "Accepted", false, lsn};
}

}  // namespace pgha::api
