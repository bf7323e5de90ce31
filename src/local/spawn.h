#pragma once
// Starting, probing and stopping the components of a local cluster.
#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"
#include "local/context.h"

namespace pgha::ctl {

struct Binaries {
  std::string etcd, haproxy, pgha;
};
// Finds etcd, haproxy, the agent (PGHA_BIN, else next to this executable) and checks initdb under
// /usr/lib/postgresql/*/bin; the error names what is missing.
Result<Binaries> FindBinaries();

// Spawns the component detached and records its PID.
Result<pid_t> StartComponent(const LocalContext& ctx, const Binaries& bin, const Component& c);
// SIGTERM the recorded live process, SIGKILL after `timeout`. No-op when not running.
void StopComponent(const LocalContext& ctx, const Component& c, std::chrono::milliseconds timeout);

// Polls GET /members on member j's peer port: the member has passed its bootstrap checks and
// serves its peers (the client port only serves once a quorum is up). A new member asks every peer
// whether it is already part of the cluster and waits up to 1 s for each one that accepts the
// connection but is itself still starting, so starting the members one after another, each once the
// previous one serves, saves ~2 s on a new cluster.
Status WaitEtcdServing(const LocalContext& ctx, int j, std::chrono::seconds timeout);
// Polls GET /health on every etcd member until all report healthy.
Status WaitEtcdHealthy(const LocalContext& ctx, std::chrono::seconds timeout);
// Polls HAProxy's stats page.
Status WaitHaproxy(const LocalContext& ctx, std::chrono::seconds timeout);
// Polls the agent's REST API until it answers at all; error when the agent died.
Status WaitAgentApi(const LocalContext& ctx, int i, std::chrono::seconds timeout);

// Node index of the agent answering 200 on GET /primary, or 0.
int FindLeaderNode(const LocalContext& ctx);

}  // namespace pgha::ctl
