// GET /patroni of a peer for the switchover candidate check (Patroni's fetch_node_status).
#include "api/handlers.h"

namespace pgha::api {

std::optional<nlohmann::json> FetchMemberStatus(const ha::Member& member, const ClientCert& cert) {
  auto body = node::GetMemberStatus(member, cert, std::chrono::seconds(2), std::chrono::seconds(2));
  if (!body) return std::nullopt;
  nlohmann::json status = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (status.is_discarded()) return std::nullopt;
  return status;
}

}  // namespace pgha::api
