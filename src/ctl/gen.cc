#include "ctl/gen.h"

#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/strings.h"
#include "ctl/gen_render.h"
#include "ctl/internal_access.h"
#include "ctl/local_files.h"
#include "ctl/local_spec.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

int Refuse(const std::string& message) {
  std::fprintf(stderr, "Error: gen: %s\n", message.c_str());
  return 1;
}

// The passwords of an earlier run in the same directory, so that generating again does not
// change them under a running cluster.
Status KeepStoredSecrets(const std::string& path, LocalCluster* c, bool app_password_given) {
  std::ifstream in(path);
  if (!in) return OkStatus();
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(path + ": not valid JSON (remove it to generate new passwords)");
  auto stored = ClusterFromJson(j);
  if (!stored.ok()) return Err(path + ": " + stored.message());
  c->superuser = stored->superuser;
  c->replication = stored->replication;
  c->rewind = stored->rewind;
  if (!app_password_given) c->spec.password = stored->spec.password;
  return OkStatus();
}

}  // namespace

int Gen(const GenOptions& o) {
  if (o.values_file.empty()) return Refuse("-f VALUES_FILE is required");
  if (o.out_dir.empty()) return Refuse("--out DIR is required");
  auto spec = LoadClusterFile(o.values_file);
  if (!spec.ok()) return Refuse(spec.message());
  auto hosts = ParseGenHosts(o.hosts);
  if (!hosts.ok()) return Refuse(hosts.message());
  for (const auto& cidr : o.clients) {
    if (!ValidCidr(cidr))
      return Refuse("--clients: '" + cidr + "' is not an IPv4 CIDR (10.1.0.0/16)");
  }
  if (o.pgha_bin.empty() || o.pgha_bin[0] != '/') {
    return Refuse("--pgha-bin: '" + o.pgha_bin + "' must be an absolute path");
  }
  if (o.data_dir.empty() || o.data_dir[0] != '/') {
    return Refuse("--data-dir: '" + o.data_dir + "' must be an absolute path");
  }
  GenPlan plan;
  plan.cluster = ResolveCluster(*spec);
  plan.hosts = *hosts;
  plan.clients = o.clients;
  plan.pgha_bin = o.pgha_bin;
  plan.data_dir = o.data_dir;
  plan.pg_major = o.pg_major;
  if (auto st = CheckGenPlan(plan); !st.ok()) return Refuse(st.message());
  const fs::path out(o.out_dir);
  const std::string secrets = (out / "cluster.json").string();
  if (auto st = KeepStoredSecrets(secrets, &plan.cluster, !spec->password.empty()); !st.ok()) {
    return Refuse(st.message());
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Refuse("cannot create " + out.string() + ": " + ec.message());
  struct File {
    fs::path path;
    std::string content;
    mode_t mode;
  };
  std::vector<File> files = {
      {out / "cluster.json", ClusterToJson(plan.cluster).dump(2) + "\n", 0600},
      {out / "haproxy.cfg", GenHaproxyCfg(plan), 0644},
      {out / "init.sql", GenInitSql(plan), 0600}};
  for (size_t i = 0; i < plan.hosts.size(); ++i) {
    const fs::path dir = out / plan.hosts[i].name;
    fs::create_directories(dir, ec);
    if (ec) return Refuse("cannot create " + dir.string() + ": " + ec.message());
    files.push_back({dir / "pgha.yml", GenAgentYaml(plan, i), 0600});
    files.push_back({dir / "pgha.service", GenAgentUnit(plan), 0644});
    if (static_cast<int>(i) < plan.cluster.members()) {
      files.push_back({dir / "etcd.env", GenEtcdEnv(plan, i), 0644});
    }
  }
  for (const auto& f : files) {
    if (auto st = WriteFileAs(f.path.string(), f.content, f.mode, std::nullopt); !st.ok()) {
      return Refuse(st.message());
    }
  }
  std::printf("wrote %zu files for cluster %s into %s:\n", files.size(),
              plan.cluster.spec.name.c_str(), out.string().c_str());
  for (const auto& f : files) std::printf("  %s\n", f.path.string().c_str());
  std::printf(
      "per host: pgha.yml -> /etc/pgha/pgha.yml (owner postgres, 0600), pgha.service -> "
      "/etc/systemd/system/, etcd.env -> /etc/default/etcd (etcd hosts); haproxy.cfg -> the "
      "HAProxy host; init.sql: run once on the leader; cluster.json keeps the passwords for the "
      "next `gen`.\n");
  if (!spec->init_sql.empty()) {
    std::printf(
        "note: init_sql files are not run on hosts: run them on the leader after "
        "init.sql\n");
  }
  const LocalPorts defaults;
  const LocalPorts& p = spec->ports;
  if (p.postgres != defaults.postgres || p.api != defaults.api ||
      p.etcd_client != defaults.etcd_client || p.etcd_peer != defaults.etcd_peer) {
    std::printf(
        "note: ports.postgres/api/etcd_client/etcd_peer are for `local up`; on hosts "
        "PostgreSQL listens on 5432, the REST API on 8008, etcd on 2379/2380\n");
  }
  for (const auto& key : spec->ignored_keys)
    std::printf("note: %s is not used on hosts\n", key.c_str());
  if (!spec->access.type.empty()) {
    std::printf(
        "%s, besides the hosts and --clients; the REST API's unsafe requests only from "
        "the hosts, --clients%s\n",
        DescribeAccess(spec->access).c_str(),
        AllowlistSources(spec->access).empty() ? "" : " and those entries");
  }
  if (!spec->etcd_access.type.empty()) {
    std::printf(
        "note: etcd.internal_access is checked, not applied: etcd has no access control "
        "here; firewall its ports 2379/2380 to the hosts\n");
  }
  return 0;
}

}  // namespace pgha::ctl
