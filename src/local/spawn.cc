#include "local/spawn.h"

#include <glob.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "local/http.h"
#include "local/render.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool HasInitdb() {
  glob_t g{};
  bool found = ::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0;
  ::globfree(&g);
  return found;
}

std::string AgentBinary() {
  const char* env = std::getenv("PGHA_BIN");
  if (env != nullptr && *env != '\0') return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "pgha").string();
}

SpawnSpec SpecFor(const LocalContext& ctx, const Binaries& bin, const Component& c) {
  const LocalLayout& l = ctx.layout;
  switch (c.kind) {
    case Kind::kEtcd: {
      std::vector<std::string> argv = {bin.etcd};
      for (auto& a : EtcdArgs(ctx.cluster, l, c.index)) argv.push_back(a);
      return {argv, l.EtcdOut(c.index), l.EtcdDir(c.index), std::nullopt};
    }
    case Kind::kAgent:
      return {
          {bin.pgha, l.NodeConfig(c.index)}, l.NodeLog(c.index), l.NodeDir(c.index), ctx.pg_user};
    case Kind::kHaproxy:
      break;
  }
  return {{bin.haproxy, "-db", "-f", l.HaproxyCfg()}, l.HaproxyLog(), l.dir, std::nullopt};
}

}  // namespace

Result<Binaries> FindBinaries() {
  Binaries b{FindExecutable("etcd"), FindExecutable("haproxy"), AgentBinary()};
  if (b.etcd.empty()) return Err("etcd not found in PATH (Debian package etcd-server)");
  if (b.haproxy.empty()) return Err("haproxy not found in PATH or /usr/sbin (package haproxy)");
  if (::access(b.pgha.c_str(), X_OK) != 0) {
    return Err("agent binary " + b.pgha + " not found or not executable (build target pgha, or " +
               "set PGHA_BIN)");
  }
  if (!HasInitdb()) {
    return Err("initdb not found under /usr/lib/postgresql/*/bin (install postgresql-15)");
  }
  return b;
}

Result<pid_t> StartComponent(const LocalContext& ctx, const Binaries& bin, const Component& c) {
  auto pid = SpawnDetached(SpecFor(ctx, bin, c));
  if (!pid.ok()) return Err(c.label + ": " + pid.message());
  Status st = WritePidFile(c.pid_file, *pid);
  if (!st.ok()) {
    ::kill(*pid, SIGKILL);
    return Err(c.label + ": " + st.message());
  }
  return pid;
}

void StopComponent(const LocalContext& ctx, const Component& c, std::chrono::milliseconds timeout) {
  auto pid = ctx.LivePid(c);
  if (!pid) return;
  StopProcess(*pid, c.id, timeout, SIGTERM);
}

namespace {

// Calls `probe` every `interval` until it returns true; an error when `alive` turns false or the
// deadline passes (`last` says what the probe saw last).
template <typename Probe>
Status PollUntil(const LocalContext& ctx, const Component& c, std::chrono::milliseconds timeout,
                 std::chrono::milliseconds interval, const std::string& what, Probe probe) {
  auto deadline = Clock::now() + timeout;
  std::string last = "no answer";
  while (true) {
    if (!ctx.LivePid(c)) return Err(c.label + " exited");
    if (probe(last)) return OkStatus();
    if (Clock::now() >= deadline) return Err(c.label + ": " + what + " in time: " + last);
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace

Status WaitEtcdServing(const LocalContext& ctx, int j, std::chrono::seconds timeout) {
  int port = EtcdPeerPort(ctx.cluster.spec, j);
  return PollUntil(ctx, ctx.Etcd(j), timeout, std::chrono::milliseconds(20),
                   "peer port did not serve", [&](std::string& last) {
                     auto reply = HttpRequest("GET", port, "/members", "", 1000);
                     if (!reply.ok()) last = reply.message();
                     return reply.ok() && reply->status == 200;
                   });
}

Status WaitEtcdHealthy(const LocalContext& ctx, std::chrono::seconds timeout) {
  for (int j = 1; j <= ctx.cluster.members(); ++j) {
    int port = EtcdClientPort(ctx.cluster.spec, j);
    PGHA_TRY(PollUntil(ctx, ctx.Etcd(j), timeout, std::chrono::milliseconds(50), "not healthy",
                       [&](std::string& last) {
                         auto reply = HttpRequest("GET", port, "/health", "", 1000);
                         if (!reply.ok()) {
                           last = reply.message();
                           return false;
                         }
                         auto body = nlohmann::json::parse(reply->body, nullptr, false);
                         last = reply->body;
                         return body.is_object() && body.value("health", "") == "true";
                       }));
  }
  return OkStatus();
}

Status WaitHaproxy(const LocalContext& ctx, std::chrono::seconds timeout) {
  int port = ctx.cluster.spec.ports.stats;
  return PollUntil(ctx, ctx.Haproxy(), timeout, std::chrono::milliseconds(50),
                   "stats page did not answer", [&](std::string& last) {
                     auto reply = HttpRequest("GET", port, "/", "", 1000);
                     if (!reply.ok()) last = reply.message();
                     return reply.ok() && reply->status == 200;
                   });
}

Status WaitAgentApi(const LocalContext& ctx, int i, std::chrono::seconds timeout) {
  int port = ApiPort(ctx.cluster.spec, i);
  return PollUntil(ctx, ctx.Agent(i), timeout, std::chrono::milliseconds(100),
                   "REST API did not answer", [&](std::string& last) {
                     auto reply = HttpRequest("GET", port, "/patroni", "", 1000);
                     if (!reply.ok()) last = reply.message();
                     return reply.ok();
                   });
}

int FindLeaderNode(const LocalContext& ctx) {
  for (int i = 1; i <= ctx.cluster.nodes(); ++i) {
    if (!ctx.LivePid(ctx.Agent(i))) continue;
    auto reply = HttpRequest("GET", ApiPort(ctx.cluster.spec, i), "/primary", "", 1000);
    if (reply.ok() && reply->status == 200) return i;
  }
  return 0;
}

}  // namespace pgha::ctl
