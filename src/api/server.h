#pragma once
// The REST API (reference/patroni.md §4): health checks, /patroni, /cluster, /history, /config.
// Served by cpp-httplib's thread pool from the HA loop's latest Snapshot.
#include <functional>
#include <memory>
#include <string>

#include "api/snapshot.h"
#include "config/config.h"
#include "core/result.h"
#include "ha/cluster.h"

namespace pgha::api {

// Reads the DCS on demand (for /cluster, /history, /config: Patroni reads fresh).
using ClusterLoader = std::function<Result<ha::ClusterView>()>;
using SnapshotSource = std::function<std::shared_ptr<const Snapshot>()>;

class RestServer {
 public:
  virtual ~RestServer() = default;
  // Binds restapi.listen; fails with a clear message when the port is taken.
  virtual Status Start() = 0;
  virtual void Stop() = 0;
};

std::unique_ptr<RestServer> MakeRestServer(const config::RestApi& options, SnapshotSource snapshot,
                                           ClusterLoader loader);

}  // namespace pgha::api
