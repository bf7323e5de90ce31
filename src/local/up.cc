// `pghactl local up`: resolve the cluster, check ports and binaries, start etcd → agents →
// HAProxy, wait until a leader runs and every replica streams, then create the app role/database
// and run init_sql. On failure, everything this run started is stopped again.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "local/commands.h"
#include "local/files.h"
#include "local/http.h"
#include "local/readiness.h"
#include "local/spawn.h"
#include "local/sql.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

std::chrono::seconds ReadyTimeout() {
  const char* env = std::getenv("PGHA_LOCAL_TIMEOUT");
  int s = env != nullptr ? std::atoi(env) : 0;
  return seconds(s > 0 ? s : 60);
}

// The cluster file/--nodes wanted by this `up`, before looking at an existing cluster.json.
Result<ClusterSpec> WantedSpec(const LocalOptions& opt, const ClusterSpec& base) {
  ClusterSpec spec = base;
  if (!opt.cluster_file.empty()) {
    auto loaded = LoadClusterFile(opt.cluster_file);
    PGHA_TRY(loaded);
    spec = *loaded;
  }
  if (opt.nodes != 0) {
    if (opt.nodes < 1 || opt.nodes > 9) return Err("--nodes must be 1..9");
    spec.replicas = opt.nodes;
    PGHA_TRY(PlanPorts(spec));
  }
  return spec;
}

Result<LocalContext> ContextForUp(const LocalOptions& opt) {
  auto user = AgentUser();
  PGHA_TRY(user);
  std::string dir = ResolveDir(opt.dir);
  if (!fs::exists(dir + "/cluster.json")) {
    auto spec = WantedSpec(opt, ClusterSpec{});
    PGHA_TRY(spec);
    LocalContext ctx;
    ctx.layout.dir = dir;
    ctx.cluster = ResolveCluster(*spec);
    ctx.pg_user = *user;
    return ctx;
  }
  auto ctx = LoadContext(opt);
  PGHA_TRY(ctx);
  ctx->pg_user = *user;
  if (opt.cluster_file.empty() && opt.nodes == 0) return ctx;
  auto spec = WantedSpec(opt, ctx->cluster.spec);
  PGHA_TRY(spec);
  auto merged = MergeStoredCluster(ctx->cluster, *spec);
  if (!merged.ok()) return Err(dir + ": " + merged.message());
  ctx->cluster = *merged;
  return ctx;
}

std::vector<PlannedPort> PortsOf(const LocalContext& ctx, const Component& c) {
  const ClusterSpec& s = ctx.cluster.spec;
  std::string name = c.kind == Kind::kAgent ? NodeName(c.index) : MemberName(c.index);
  switch (c.kind) {
    case Kind::kEtcd:
      return {{EtcdClientPort(s, c.index), "etcd " + name + " client"},
              {EtcdPeerPort(s, c.index), "etcd " + name + " peer"}};
    case Kind::kAgent:
      return {{PostgresPort(s, c.index), name + " postgres"}, {ApiPort(s, c.index), name + " api"}};
    case Kind::kHaproxy:
      break;
  }
  return {{s.ports.write, "haproxy write"},
          {s.ports.read, "haproxy read"},
          {s.ports.stats, "haproxy stats"}};
}

// Every port of every component that is not running must be free; checked before starting any.
Status CheckPorts(const LocalContext& ctx) {
  std::string taken;
  for (const auto& c : ctx.All()) {
    if (ctx.LivePid(c)) continue;
    for (const auto& p : PortsOf(ctx, c)) {
      if (PortFree(p.port)) continue;
      std::string owner = PortOwner(p.port);
      taken += "\n  port " + std::to_string(p.port) + " (" + p.what + ") is in use" +
               (owner.empty() ? "" : " by " + owner);
    }
  }
  if (taken.empty()) return OkStatus();
  return Err("ports needed by the cluster are taken:" + taken +
             "\n(choose other ports in the cluster file's `ports:` section)");
}

class UpRun {
 public:
  UpRun(LocalContext ctx, Binaries bin) : ctx_(std::move(ctx)), bin_(std::move(bin)) {}

  int Run() {
    Status st = Steps();
    if (st.ok()) {
      PrintSummary(ctx_, std::cout);
      return 0;
    }
    std::cerr << "error: " << st.message() << "\n";
    for (const auto& log : failed_logs_) {
      std::string tail = TailFile(log, 15);
      if (!tail.empty()) std::cerr << "--- last lines of " << log << ":\n" << tail;
    }
    Rollback();
    return 1;
  }

 private:
  Status Steps() {
    PGHA_TRY(Check(CheckPorts(ctx_), {}));
    PGHA_TRY(Check(PrepareLocalDir(ctx_), {}));
    PGHA_TRY(ValidateHaproxy());
    PGHA_TRY(StartAll(Kind::kEtcd));
    PGHA_TRY(Check(WaitEtcdHealthy(ctx_, seconds(30)), LogsOf(Kind::kEtcd)));
    PGHA_TRY(StartAll(Kind::kAgent));
    PGHA_TRY(StartAll(Kind::kHaproxy));
    PGHA_TRY(Check(WaitHaproxy(ctx_, seconds(10)), {ctx_.layout.HaproxyLog()}));
    PGHA_TRY(WaitClusterReady());
    PGHA_TRY(Check(EnsureAppRoleAndDatabase(ctx_.cluster, seconds(30)), {}));
    return RunInitSql();
  }

  // Remembers which logs explain a failure.
  Status Check(Status st, std::vector<std::string> logs) {
    if (!st.ok()) failed_logs_ = std::move(logs);
    return st;
  }

  std::vector<std::string> LogsOf(Kind kind) const {
    std::vector<std::string> logs;
    for (const auto& c : ctx_.All()) {
      if (c.kind == kind) logs.push_back(c.log);
    }
    return logs;
  }

  Status ValidateHaproxy() {
    auto res = RunCapture({bin_.haproxy, "-c", "-f", ctx_.layout.HaproxyCfg()});
    PGHA_TRY(res);
    if (res->exit_code == 0) return OkStatus();
    return Err("haproxy rejects " + ctx_.layout.HaproxyCfg() + ":\n" + res->output);
  }

  Status StartAll(Kind kind) {
    for (const auto& c : ctx_.All()) {
      if (c.kind != kind) continue;
      if (auto pid = ctx_.LivePid(c)) {
        std::cout << "  " << c.label << " already running (pid " << *pid << ")\n";
        continue;
      }
      auto pid = StartComponent(ctx_, bin_, c);
      if (!pid.ok()) return Check(pid.error(), {c.log});
      started_.push_back(c);
      std::cout << "  started " << c.label << " (pid " << *pid << ")\n";
      if (kind == Kind::kEtcd)
        PGHA_TRY(Check(WaitEtcdServing(ctx_, c.index, seconds(30)), {c.log}));
    }
    return OkStatus();
  }

  Status WaitClusterReady() {
    auto timeout = ReadyTimeout();
    auto start = Clock::now();
    std::string last;
    std::cout << "waiting for a leader and streaming replicas (up to " << timeout.count()
              << " s)\n";
    while (true) {
      for (const auto& c : started_) {
        if (c.kind == Kind::kAgent && !ctx_.LivePid(c)) {
          return Check(Err(c.label + " exited"), {c.log});
        }
      }
      Readiness r = ReadCluster();
      if (r.ready) return OkStatus();
      auto elapsed = std::chrono::duration_cast<seconds>(Clock::now() - start);
      if (r.summary != last) {
        std::cout << "  [" << elapsed.count() << " s] " << r.summary << "\n" << std::flush;
        last = r.summary;
      }
      if (elapsed >= timeout) {
        return Check(
            Err("cluster not ready after " + std::to_string(timeout.count()) + " s: " + r.summary),
            LogsOf(Kind::kAgent));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  // GET /cluster from the first agent that answers.
  Readiness ReadCluster() const {
    for (int i = 1; i <= ctx_.cluster.nodes(); ++i) {
      auto reply = HttpRequest("GET", ApiPort(ctx_.cluster.spec, i), "/cluster", "", 1000);
      if (!reply.ok() || reply->status != 200) continue;
      auto body = nlohmann::json::parse(reply->body, nullptr, false);
      if (!body.is_discarded()) return EvaluateCluster(body, ctx_.cluster.nodes());
    }
    return Readiness{false, "no agent answers GET /cluster yet"};
  }

  Status RunInitSql() {
    LocalCluster& c = ctx_.cluster;
    for (const auto& file : c.spec.init_sql) {
      if (std::find(c.init_sql_done.begin(), c.init_sql_done.end(), file) !=
          c.init_sql_done.end()) {
        continue;
      }
      PGHA_TRY(RunSqlFile(c, file));
      c.init_sql_done.push_back(file);
      PGHA_TRY(SaveCluster(ctx_));
      std::cout << "  ran " << file << "\n";
    }
    return OkStatus();
  }

  void Rollback() {
    if (started_.empty()) return;
    std::cerr << "stopping what this `up` started\n";
    StopComponents(ctx_, started_);
  }

  LocalContext ctx_;
  Binaries bin_;
  std::vector<Component> started_;
  std::vector<std::string> failed_logs_;
};

bool AllRunning(const LocalContext& ctx) {
  for (const auto& c : ctx.All()) {
    if (!ctx.LivePid(c)) return false;
  }
  return true;
}

}  // namespace

int LocalUp(const LocalOptions& opt) {
  auto ctx = ContextForUp(opt);
  if (SaidError(ctx)) return 1;
  for (const auto& key : ctx->cluster.spec.ignored_keys) {
    std::cout << "note: " << key << " has no meaning for a local cluster; ignored\n";
  }
  for (const auto* a : {&ctx->cluster.spec.access, &ctx->cluster.spec.etcd_access}) {
    if (!a->type.empty()) {
      std::cout << "note: internal_access " << a->type
                << " is checked, not applied: a local cluster listens on 127.0.0.1 only (pghactl "
                   "gen applies it on hosts)\n";
    }
  }
  if (fs::exists(ctx->layout.ClusterJson()) && AllRunning(*ctx)) {
    std::cout << "cluster " << ctx->cluster.spec.name << " is already running in "
              << ctx->layout.dir << "\n";
    PrintSummary(*ctx, std::cout);
    return 0;
  }
  auto bin = FindBinaries();
  Status usable = bin.ok() ? OkStatus() : Status(bin.error());
  if (bin.ok() && ctx->pg_user) usable = CheckTraversable(bin->pgha, *ctx->pg_user);
  if (SaidError(usable)) return 1;
  std::cout << "starting cluster " << ctx->cluster.spec.name << " in " << ctx->layout.dir << " ("
            << ctx->cluster.nodes() << " nodes, " << ctx->cluster.members() << " etcd members)\n";
  return UpRun(std::move(ctx).value(), std::move(bin).value()).Run();
}

}  // namespace pgha::ctl

namespace pgha::ctl {

void PrintSummary(const LocalContext& ctx, std::ostream& out) {
  const LocalCluster& c = ctx.cluster;
  const LocalPorts& p = c.spec.ports;
  out << "cluster " << c.spec.name << " is up (" << c.nodes() << " nodes, " << c.members()
      << " etcd members; " << ctx.layout.dir << ")\n"
      << "  read-write: " << ConnectionUrl(p.write, c.app(), c.spec.database) << "\n"
      << "  read-only:  " << ConnectionUrl(p.read, c.app(), c.spec.database) << "\n"
      << "  stats:      http://127.0.0.1:" << p.stats << "/\n"
      << "  superuser:  postgres (password in " << ctx.layout.ClusterJson() << ")\n"
      << "  members:    pghactl --dir " << ctx.layout.dir << " list\n";
}

}  // namespace pgha::ctl
