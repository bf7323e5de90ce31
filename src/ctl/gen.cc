#include "ctl/gen.h"

#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/strings.h"
#include "ctl/gen_compose.h"
#include "ctl/gen_render.h"
#include "local/files.h"
#include "local/internal_access.h"
#include "local/spec.h"

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

namespace {

struct File {
  fs::path path;
  std::string content;
  mode_t mode;
};

// Host-only options given with --compose are refused, never ignored.
Status CheckComposeOptions(const GenOptions& o) {
  const GenOptions defaults;
  if (!o.hosts.empty()) {
    return Err("--hosts and --compose: choose one (a compose project names its containers)");
  }
  if (!o.clients.empty()) {
    return Err(
        "--clients is for hosts; in a compose project clients come through HAProxy "
        "(internal_access in the values file says from where)");
  }
  if (o.pgha_bin != defaults.pgha_bin) return Err("--pgha-bin is for hosts, not --compose");
  if (o.data_dir != defaults.data_dir) return Err("--data-dir is for hosts, not --compose");
  return OkStatus();
}

void HostFiles(const GenPlan& plan, const fs::path& out, std::vector<File>* files) {
  files->push_back({out / "haproxy.cfg", GenHaproxyCfg(plan), 0644});
  for (size_t i = 0; i < plan.hosts.size(); ++i) {
    const fs::path dir = out / plan.hosts[i].name;
    files->push_back({dir / "pgha.yml", GenAgentYaml(plan, i), 0600});
    files->push_back({dir / "pgha.service", GenAgentUnit(plan), 0644});
    if (static_cast<int>(i) < plan.cluster.members()) {
      files->push_back({dir / "etcd.env", GenEtcdEnv(plan, i), 0644});
    }
  }
}

void ComposeFiles(const GenPlan& plan, const std::string& subnet, const fs::path& out,
                  std::vector<File>* files) {
  files->push_back({out / "docker-compose.yml", GenComposeYaml(plan, subnet), 0644});
  files->push_back({out / ".env", GenComposeEnv(plan), 0600});
  files->push_back({out / "haproxy.cfg", GenComposeHaproxyCfg(plan, subnet), 0644});
  for (size_t j = 0; j < plan.etcd_hosts.size(); ++j) {
    files->push_back({out / plan.etcd_hosts[j].name / "etcd.env", GenEtcdEnv(plan, j), 0644});
  }
}

void PrintNotes(const GenOptions& o, const GenPlan& plan) {
  const ClusterSpec& spec = plan.cluster.spec;
  if (o.compose) {
    std::printf(
        "start it: cd %s && docker-compose up -d (images: deploy/images/build.sh); .env holds "
        "the generated passwords; the init service runs init.sql once the cluster is up.\n",
        o.out_dir.c_str());
  } else {
    std::printf(
        "per host: pgha.yml -> /etc/pgha/pgha.yml (owner postgres, 0600), pgha.service -> "
        "/etc/systemd/system/, etcd.env -> /etc/default/etcd (etcd hosts); haproxy.cfg -> the "
        "HAProxy host; init.sql: run once on the leader; cluster.json keeps the passwords for "
        "the next `gen`.\n");
  }
  if (!spec.init_sql.empty()) {
    std::printf("note: init_sql files are not run here: run them on the leader after init.sql\n");
  }
  const LocalPorts defaults;
  const LocalPorts& p = spec.ports;
  if (p.postgres != defaults.postgres || p.api != defaults.api ||
      p.etcd_client != defaults.etcd_client || p.etcd_peer != defaults.etcd_peer) {
    std::printf(
        "note: ports.postgres/api/etcd_client/etcd_peer are for `local up`; here PostgreSQL "
        "listens on 5432, the REST API on 8008, etcd on 2379/2380\n");
  }
  for (const auto& key : spec.ignored_keys) {
    if (o.compose && key == "etcd.resources") continue;  // the etcd containers' limits
    std::printf("note: %s is not used on hosts\n", key.c_str());
  }
  if (!spec.access.type.empty() && o.compose) {
    std::printf(
        "internal_access %s: HAProxy's write and read ports admit only %s; the REST API's "
        "unsafe requests come only from the project's network%s\n",
        spec.access.type.c_str(), Join(ComposeAdmits(plan, o.subnet), ", ").c_str(),
        AllowlistSources(spec.access).empty() ? "" : " and the listed entries");
  } else if (!spec.access.type.empty()) {
    std::printf(
        "%s, besides the hosts and --clients; the REST API's unsafe requests only from "
        "the hosts, --clients%s\n",
        DescribeAccess(spec.access).c_str(),
        AllowlistSources(spec.access).empty() ? "" : " and those entries");
    if (spec.access.type == "same-gvc") {
      std::printf(
          "note: HAProxy does not filter same-gvc clients (the hosts' networks are not known "
          "here); pg_hba does, for direct connections\n");
    }
  }
  if (!spec.etcd_access.type.empty()) {
    std::printf(
        "note: etcd.internal_access is checked, not applied: etcd has no access control "
        "here; firewall its ports 2379/2380\n");
  }
}

}  // namespace

int Gen(const GenOptions& o) {
  if (o.values_file.empty()) return Refuse("-f VALUES_FILE is required");
  if (o.out_dir.empty()) return Refuse("--out DIR is required");
  auto spec = LoadClusterFile(o.values_file);
  if (!spec.ok()) return Refuse(spec.message());
  GenPlan plan;
  plan.cluster = ResolveCluster(*spec);
  plan.pg_major = o.pg_major;
  if (o.compose) {
    if (auto st = CheckComposeOptions(o); !st.ok()) return Refuse(st.message());
    if (auto st = PlanComposeHosts(o.subnet, &plan); !st.ok()) return Refuse(st.message());
  } else {
    if (o.hosts.empty()) return Refuse("--hosts NAME=ADDRESS,... (or --compose) is required");
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
    plan.hosts = *hosts;
    plan.clients = o.clients;
    plan.pgha_bin = o.pgha_bin;
    plan.data_dir = o.data_dir;
  }
  if (auto st = CheckGenPlan(plan); !st.ok()) return Refuse(st.message());
  const fs::path out(o.out_dir);
  const std::string secrets = (out / "cluster.json").string();
  if (auto st = KeepStoredSecrets(secrets, &plan.cluster, !spec->password.empty()); !st.ok()) {
    return Refuse(st.message());
  }
  std::vector<File> files = {
      {out / "cluster.json", ClusterToJson(plan.cluster).dump(2) + "\n", 0600},
      {out / "init.sql", GenInitSql(plan), 0600}};
  if (o.compose) {
    ComposeFiles(plan, o.subnet, out, &files);
  } else {
    HostFiles(plan, out, &files);
  }
  for (const auto& f : files) {
    std::error_code ec;
    fs::create_directories(f.path.parent_path(), ec);
    if (ec) return Refuse("cannot create " + f.path.parent_path().string() + ": " + ec.message());
  }
  for (const auto& f : files) {
    if (auto st = WriteFileAs(f.path.string(), f.content, f.mode, std::nullopt); !st.ok()) {
      return Refuse(st.message());
    }
  }
  std::printf("wrote %zu files for cluster %s into %s:\n", files.size(),
              plan.cluster.spec.name.c_str(), out.string().c_str());
  for (const auto& f : files) std::printf("  %s\n", f.path.string().c_str());
  PrintNotes(o, plan);
  return 0;
}

}  // namespace pgha::ctl
