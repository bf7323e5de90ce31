// `pghactl local down` and `destroy`.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "local/commands.h"
#include "local/spawn.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

std::vector<Component> OfKind(const std::vector<Component>& all, Kind kind) {
  std::vector<Component> out;
  for (const auto& c : all) {
    if (c.kind == kind) out.push_back(c);
  }
  return out;
}

// SIGTERM all at once, then wait for each against one shared deadline; SIGKILL the stragglers.
void StopTogether(const LocalContext& ctx, const std::vector<Component>& comps,
                  std::chrono::seconds timeout) {
  std::vector<std::pair<Component, pid_t>> live;
  for (const auto& c : comps) {
    if (auto pid = ctx.LivePid(c)) {
      SignalIfMatches(*pid, c.id, SIGTERM);
      live.emplace_back(c, *pid);
    }
  }
  auto deadline = Clock::now() + timeout;
  for (const auto& [c, pid] : live) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (WaitForExit(pid, std::max(left, std::chrono::milliseconds(0)))) {
      std::cout << "  stopped " << c.label << "\n";
      continue;
    }
    std::cout << "  " << c.label << " did not stop in " << timeout.count() << " s: SIGKILL\n";
    SignalIfMatches(pid, c.id, SIGKILL);
    WaitForExit(pid, seconds(5));
  }
}

void StopAgents(const LocalContext& ctx, const std::vector<Component>& agents) {
  int leader = FindLeaderNode(ctx);
  std::vector<Component> first, rest;
  for (const auto& a : agents) (a.index == leader ? first : rest).push_back(a);
  if (!first.empty()) std::cout << "  stopping the leader " << NodeName(leader) << " first\n";
  StopTogether(ctx, first, seconds(30));
  StopTogether(ctx, rest, seconds(30));
  // A postmaster its agent left behind: fast shutdown, then SIGKILL.
  for (const auto& a : agents) {
    auto pm = ctx.LivePostmaster(a.index);
    if (!pm) continue;
    std::cout << "  stopping leftover postmaster of " << NodeName(a.index) << " (pid " << *pm
              << ")\n";
    StopProcess(*pm, ctx.Postmaster(a.index), seconds(10), SIGINT);
  }
}

void RemovePidFiles(const std::vector<Component>& comps, const LocalContext& ctx) {
  for (const auto& c : comps) {
    std::error_code ec;
    if (!ctx.LivePid(c)) fs::remove(c.pid_file, ec);
  }
}

bool Confirm(const std::string& dir) {
  if (!::isatty(0)) return false;
  std::cout << "Delete the local cluster in " << dir
            << " with all its data? Type 'yes': " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

}  // namespace

void StopComponents(const LocalContext& ctx, const std::vector<Component>& components) {
  StopTogether(ctx, OfKind(components, Kind::kHaproxy), seconds(5));
  StopAgents(ctx, OfKind(components, Kind::kAgent));
  StopTogether(ctx, OfKind(components, Kind::kEtcd), seconds(10));
  RemovePidFiles(components, ctx);
}

int LocalDown(const LocalOptions& opt) {
  auto ctx = LoadContext(opt);
  if (SaidError(ctx)) return 1;
  std::cout << "stopping cluster " << ctx->cluster.spec.name << " in " << ctx->layout.dir << "\n";
  StopComponents(*ctx, ctx->All());
  int left = 0;
  for (const auto& c : ctx->All()) left += ctx->LivePid(c) ? 1 : 0;
  for (int i = 1; i <= ctx->cluster.nodes(); ++i) left += ctx->LivePostmaster(i) ? 1 : 0;
  if (left > 0) {
    std::cerr << "error: " << left << " process(es) still running; see `pghactl local status`\n";
    return 1;
  }
  std::cout << "cluster stopped; data kept in " << ctx->layout.dir << " (`pghactl local up` "
            << "restarts it)\n";
  return 0;
}

int LocalDestroy(const LocalOptions& opt) {
  std::string dir = ResolveDir(opt.dir);
  auto ctx = LoadContext(opt);
  if (!ctx.ok()) {
    std::cerr << "error: " << ctx.message() << "; refusing to delete " << dir << "\n";
    return 1;
  }
  if (!opt.force && !::isatty(0)) {
    std::cerr << "error: destroy deletes " << dir << " with all data; stdin is not a terminal, "
              << "so pass --force to confirm\n";
    return 1;
  }
  if (!opt.force && !Confirm(dir)) {
    std::cerr << "aborted\n";
    return 1;
  }
  if (LocalDown(opt) != 0) {
    std::cerr << "error: not deleting " << dir << " while processes still run\n";
    return 1;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) {
    std::cerr << "error: cannot remove " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::cout << "removed " << dir << "\n";
  return 0;
}

}  // namespace pgha::ctl
