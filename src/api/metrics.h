#pragma once
// GET /metrics: Prometheus text exposition of the Snapshot, with Patroni's metric names
// (docs/interfaces.md §3.3) and labels {scope, name}.
#include <string>

#include "api/node_types.h"

namespace pgha::api {

std::string MetricsText(const Snapshot& s);
// Patroni's numeric code of a PostgreSQL state string ("running" -> 5), -1 when it has none.
int PostgresStateCode(const std::string& state);
// "4.1.4" -> "040104" (Patroni's patroni_version value: each part padded to two digits).
std::string PaddedVersion(const std::string& version);

}  // namespace pgha::api
