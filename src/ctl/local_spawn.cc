#include "ctl/local_spawn.h"

#include <glob.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "ctl/local_http.h"
#include "ctl/local_render.h"

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

Status WaitEtcdHealthy(const LocalContext& ctx, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (int j = 1; j <= ctx.cluster.members(); ++j) {
    std::string last = "no answer";
    while (true) {
      Component c = ctx.Etcd(j);
      if (!ctx.LivePid(c)) return Err(c.label + " exited");
      auto reply = HttpRequest("GET", EtcdClientPort(ctx.cluster.spec, j), "/health", "", 1000);
      if (reply.ok()) {
        auto body = nlohmann::json::parse(reply->body, nullptr, false);
        if (body.is_object() && body.value("health", "") == "true") break;
        last = reply->body;
      } else {
        last = reply.message();
      }
      if (Clock::now() >= deadline) return Err(c.label + " not healthy in time: " + last);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  return OkStatus();
}

Status WaitHaproxy(const LocalContext& ctx, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (!ctx.LivePid(ctx.Haproxy())) return Err("haproxy exited");
    auto reply = HttpRequest("GET", ctx.cluster.spec.ports.stats, "/", "", 1000);
    if (reply.ok() && reply->status == 200) return OkStatus();
    if (Clock::now() >= deadline) return Err("haproxy stats page did not answer in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status WaitAgentApi(const LocalContext& ctx, int i, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  Component c = ctx.Agent(i);
  while (true) {
    if (!ctx.LivePid(c)) return Err(c.label + " exited");
    if (HttpRequest("GET", ApiPort(ctx.cluster.spec, i), "/patroni", "", 1000).ok()) {
      return OkStatus();
    }
    if (Clock::now() >= deadline) return Err(c.label + ": REST API did not answer in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
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
