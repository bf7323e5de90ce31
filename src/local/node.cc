// `pghactl local kill|stop|start NODE`: fault injection and restarts of a single agent.
#include <signal.h>

#include <iostream>

#include "local/commands.h"
#include "local/files.h"
#include "local/process.h"
#include "local/spawn.h"

namespace pgha::ctl {
namespace {

using std::chrono::seconds;

// NODE of the cluster: its index, its agent and the agent's pid while it runs.
struct NodeTarget {
  LocalContext ctx;
  int i = 0;
  Component agent;
  std::optional<pid_t> agent_pid;
};

// Loads the cluster and resolves NODE; prints the error and returns nullopt on failure.
std::optional<NodeTarget> Target(const LocalOptions& opt) {
  auto ctx = LoadContext(opt);
  if (SaidError(ctx)) return std::nullopt;
  if (opt.node.empty()) {
    std::cerr << "error: which node? e.g. node2\n";
    return std::nullopt;
  }
  auto i = ParseNodeName(opt.node, ctx->cluster.nodes());
  if (SaidError(i)) return std::nullopt;
  NodeTarget t{std::move(ctx).value(), *i, {}, std::nullopt};
  t.agent = t.ctx.Agent(t.i);
  t.agent_pid = t.ctx.LivePid(t.agent);
  return t;
}

}  // namespace

int LocalKill(const LocalOptions& opt) {
  auto t = Target(opt);
  if (!t) return 1;
  const auto& [ctx, i, agent, agent_pid] = *t;
  auto pm = ctx.LivePostmaster(i);
  // Power loss: agent, postmaster and the postmaster's children all at once.
  std::vector<pid_t> backends = pm ? ChildrenOf(*pm) : std::vector<pid_t>{};
  if (agent_pid) SignalIfMatches(*agent_pid, agent.id, SIGKILL);
  if (pm) SignalIfMatches(*pm, ctx.Postmaster(i), SIGKILL);
  for (pid_t b : backends) ::kill(b, SIGKILL);
  if (agent_pid) WaitForExit(*agent_pid, seconds(5));
  if (pm) WaitForExit(*pm, seconds(5));
  std::cout << "killed " << NodeName(i) << ": agent "
            << (agent_pid ? "pid " + std::to_string(*agent_pid) : std::string("not running"))
            << ", postmaster " << (pm ? "pid " + std::to_string(*pm) : std::string("not running"))
            << "\n";
  return 0;
}

int LocalStopNode(const LocalOptions& opt) {
  auto t = Target(opt);
  if (!t) return 1;
  const auto& [ctx, i, agent, pid] = *t;
  if (!pid) {
    std::cout << NodeName(i) << ": agent is not running\n";
    return 0;
  }
  bool clean = SignalIfMatches(*pid, agent.id, SIGTERM) && WaitForExit(*pid, seconds(30));
  if (!clean) {
    std::cerr << NodeName(i) << ": agent did not stop in 30 s; SIGKILL\n";
    SignalIfMatches(*pid, agent.id, SIGKILL);
    WaitForExit(*pid, seconds(5));
  }
  std::cout << "stopped " << NodeName(i) << " (agent pid " << *pid << ")\n";
  return clean ? 0 : 1;
}

int LocalStartNode(const LocalOptions& opt) {
  auto t = Target(opt);
  if (!t) return 1;
  auto& [ctx, i, agent, running] = *t;
  auto user = AgentUser();
  auto bin = FindBinaries();
  if (!user.ok() || !bin.ok()) {
    std::cerr << "error: " << (!user.ok() ? user.message() : bin.message()) << "\n";
    return 1;
  }
  ctx.pg_user = *user;
  if (running) {
    std::cout << NodeName(i) << " is already running (agent pid " << *running << ")\n";
    return 0;
  }
  for (int port : {PostgresPort(ctx.cluster.spec, i), ApiPort(ctx.cluster.spec, i)}) {
    if (PortFree(port)) continue;
    std::string owner = PortOwner(port);
    std::cerr << "error: port " << port << " of " << NodeName(i) << " is in use"
              << (owner.empty() ? "" : " by " + owner) << "\n";
    return 1;
  }
  auto pid = StartComponent(ctx, *bin, agent);
  Status st = pid.ok() ? WaitAgentApi(ctx, i, seconds(30)) : Status(pid.error());
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << "\n--- last lines of " << agent.log << ":\n"
              << TailFile(agent.log, 15);
    if (pid.ok()) StopProcess(*pid, agent.id, seconds(10), SIGTERM);
    return 1;
  }
  std::cout << "started " << NodeName(i) << " (agent pid " << *pid << ")\n";
  return 0;
}

}  // namespace pgha::ctl
