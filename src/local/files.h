#pragma once
// Creating the directory tree and files of a local cluster with the right owners and modes.
#include <sys/types.h>

#include <optional>
#include <string>

#include "core/result.h"
#include "local/context.h"

namespace pgha::ctl {

// Writes `content` atomically with `mode`, owned by `owner` when given.
Status WriteFileAs(const std::string& path, const std::string& content, mode_t mode,
                   const std::optional<RunAs>& owner);
// Creates the tree under ctx.layout.dir and writes cluster.json, every pgha.yml, haproxy.cfg.
Status PrepareLocalDir(const LocalContext& ctx);
// Error naming the first directory on `path`'s way from / that `user` cannot traverse.
Status CheckTraversable(const std::string& path, const RunAs& user);

}  // namespace pgha::ctl
