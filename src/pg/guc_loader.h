#pragma once
// The installed PostgreSQL's parameter catalog, read from its binaries: `postgres --version` and
// `postgres --describe-config` need no server and no data directory.
#include <string>

#include "config/guc_catalog.h"
#include "core/result.h"

namespace pgha::pg {

Result<config::GucCatalog> LoadGucCatalog(const std::string& bin_dir);

}  // namespace pgha::pg
