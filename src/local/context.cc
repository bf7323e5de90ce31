#include "local/context.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgha::ctl {

namespace fs = std::filesystem;

Component LocalContext::Etcd(int j) const {
  return {Kind::kEtcd,
          j,
          "etcd " + MemberName(j),
          layout.EtcdPid(j),
          Identity{layout.EtcdData(j), ""},
          layout.EtcdLog(j)};
}

Component LocalContext::Agent(int i) const {
  return {Kind::kAgent,
          i,
          "agent " + NodeName(i),
          layout.AgentPid(i),
          Identity{layout.NodeConfig(i), ""},
          layout.NodeLog(i)};
}

Component LocalContext::Haproxy() const {
  return {Kind::kHaproxy,     0, "haproxy", layout.HaproxyPid(), Identity{layout.HaproxyCfg(), ""},
          layout.HaproxyLog()};
}

std::vector<Component> LocalContext::All() const {
  std::vector<Component> all;
  for (int j = 1; j <= cluster.members(); ++j) all.push_back(Etcd(j));
  for (int i = 1; i <= cluster.nodes(); ++i) all.push_back(Agent(i));
  all.push_back(Haproxy());
  return all;
}

Identity LocalContext::Postmaster(int i) const { return Identity{"", layout.NodeData(i)}; }

std::optional<pid_t> LocalContext::LivePid(const Component& c) const {
  return LiveRecorded(c.pid_file, c.id);
}

std::optional<pid_t> LocalContext::LivePostmaster(int i) const {
  return LiveRecorded(layout.PostmasterPid(i), Postmaster(i));
}

std::string ResolveDir(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir.empty() ? DefaultLocalDir() : dir, ec);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Result<std::optional<RunAs>> AgentUser() {
  if (::geteuid() != 0) return std::optional<RunAs>();
  const char* env = std::getenv("PGHA_PG_USER");
  std::string name = env != nullptr && *env != '\0' ? env : "postgres";
  auto user = LookupUser(name);
  if (!user.ok()) {
    return Err(user.message() + ": PostgreSQL refuses to run as root, so the agents run as '" +
               name + "'; run scripts/setup.sh to create it (or set PGHA_PG_USER)");
  }
  if (user->uid == 0)
    return Err("PGHA_PG_USER must not be root: PostgreSQL refuses to run as root");
  return std::optional<RunAs>(*user);
}

Result<LocalContext> LoadContext(const LocalOptions& opt) {
  LocalContext ctx;
  ctx.layout.dir = ResolveDir(opt.dir);
  std::ifstream in(ctx.layout.ClusterJson());
  if (!in) {
    return Err("no local cluster in " + ctx.layout.dir + " (no cluster.json); create one with " +
               "`pghactl local up`");
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(ctx.layout.ClusterJson() + ": not valid JSON");
  auto cluster = ClusterFromJson(j);
  if (!cluster.ok()) return Err(ctx.layout.ClusterJson() + ": " + cluster.message());
  ctx.cluster = *cluster;
  // Only starting agents needs the user; down/status/kill work without it.
  if (auto user = AgentUser(); user.ok()) ctx.pg_user = *user;
  return ctx;
}

Status SaveCluster(const LocalContext& ctx) {
  std::string path = ctx.layout.ClusterJson(), tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Err("cannot write " + tmp);
    out << ClusterToJson(ctx.cluster).dump(2) << "\n";
    if (!out) return Err("cannot write " + tmp);
  }
  std::error_code ec;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);  // passwords inside
  fs::rename(tmp, path, ec);
  if (ec) return Err("cannot write " + path + ": " + ec.message());
  return OkStatus();
}

}  // namespace pgha::ctl
