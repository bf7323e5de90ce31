#pragma once
// The REST API (docs/interfaces.md §3): health checks, /patroni, /cluster, /history, /config.
// Served by cpp-httplib's thread pool from the HA loop's latest Snapshot.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/node_types.h"
#include "config/config.h"
#include "core/result.h"
#include "ha/cluster.h"
#include "node/failsafe_inbox.h"

namespace pgha::dcs {
class Dcs;
}

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

// What the unsafe operations need (issue 4). `dcs` is used under `dcs_mu` (it is the same
// connection the ClusterLoader reads through); `wake` nudges the HA loop after a DCS write;
// `node` runs restart/reload/reinitialize (null: those answer 503 "not available");
// `client_cert` is presented when probing a switchover candidate's REST API; `gucs` checks
// postgresql.parameters written through PATCH/PUT /config (null: names and shapes only).
// Without `dcs` every operation answers 503.
struct Handlers {
  dcs::Dcs* dcs = nullptr;
  std::mutex* dcs_mu = nullptr;
  NodeOperations* node = nullptr;
  std::function<void()> wake;
  ClientCert client_cert;
  std::shared_ptr<const config::GucCatalog> gucs;
  // GET /patroni: replaces the snapshot's WAL positions with PostgreSQL's own at this moment.
  // Peers compare them in the leader race; the last loop's may predate the final WAL the old
  // primary sent (Patroni's /patroni queries PostgreSQL on every request too). False: they could
  // not be read, the answer says its positions are the loop's (Snapshot::positions_stale).
  std::function<bool(Snapshot*)> live_positions;
  // POST /failsafe records the confirmations this member gives here (null: 503).
  node::FailsafeInbox* failsafe = nullptr;
};

std::unique_ptr<RestServer> MakeRestServer(const config::RestApi& options, SnapshotSource snapshot,
                                           ClusterLoader loader, Handlers handlers = {});

}  // namespace pgha::api
