#pragma once
// PostgreSQL parameters: which GUCs must be identical on every member.
#include <string>

namespace pgha::config::internal {

// GUCs a replica needs at least equal to the primary's; Patroni lets only the DCS set them.
bool IsClusterWideGuc(const std::string& name);

}  // namespace pgha::config::internal
