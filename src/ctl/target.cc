#include "ctl/target.h"

#include <cstdlib>
#include <filesystem>

#include "core/strings.h"
#include "dcs/config_options.h"
#include "local/local.h"

namespace pgha::ctl {

namespace {

Result<config::Config> FromDcsUrl(const std::string& url, const std::string& cluster) {
  std::string rest = url;
  for (const char* scheme : {"etcd3://", "etcd://"}) {
    if (StartsWith(rest, scheme)) rest = rest.substr(std::string(scheme).size());
  }
  if (rest.find("://") != std::string::npos) {
    return Err("--dcs-url " + url + ": only etcd3://host:port is supported");
  }
  config::Config c;
  for (const auto& hp : Split(rest, ',')) {
    std::string host;
    int port = 0;
    if (!SplitHostPort(Trim(hp), &host, &port)) {
      return Err("--dcs-url " + url + ": expected etcd3://host:port, got \"" + hp + "\"");
    }
    c.etcd.hosts.push_back(Trim(hp));
  }
  if (cluster.empty()) return Err("--dcs-url needs the cluster name as an argument");
  c.scope = cluster;
  return c;
}

}  // namespace

std::string PatronictlConfigPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/patroni/patronictl.yaml";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0')
    return std::string(home) + "/.config/patroni/patronictl.yaml";
  return "";
}

Result<Target> ResolveTarget(const TargetOptions& opt) {
  Target t;
  if (!opt.dcs_url.empty()) {
    auto c = FromDcsUrl(opt.dcs_url, opt.cluster);
    if (!c.ok()) return c.error();
    t.config = std::move(c).value();
    t.config.ctl.insecure = t.config.ctl.insecure || opt.insecure;
    return t;
  }
  std::string path = opt.config_file;
  // As patronictl: without -c (or PATRONICTL_CONFIG_FILE), its own file when there is one,
  // unless a local cluster's directory is named.
  if (path.empty() && opt.local_dir.empty()) {
    std::string own = PatronictlConfigPath();
    if (!own.empty() && std::filesystem::exists(own)) path = own;
  }
  if (path.empty()) {
    std::string dir = opt.local_dir.empty() ? DefaultLocalDir() : opt.local_dir;
    path = dir + "/node1/pgha.yml";
    if (!std::filesystem::exists(path)) {
      return Err(
          "no cluster given: use -c CONFIG, -d etcd3://host:port CLUSTER, or start a local "
          "cluster with `pghactl local up` (looked for " +
          path + ")");
    }
  }
  auto c = config::LoadCtlConfigFile(path, config::ProcessEnvironment());
  if (!c.ok()) return Err(path + ": " + c.message());
  t.config = std::move(c).value();
  t.config.ctl.insecure = t.config.ctl.insecure || opt.insecure;
  if (t.config.scope.empty()) {
    // As patronictl: a file with only the DCS and ctl sections, the cluster named on the line.
    if (opt.cluster.empty()) {
      return Err(path + ": scope is not set: give the cluster name as an argument");
    }
    t.config.scope = opt.cluster;
  }
  if (!opt.cluster.empty() && opt.cluster != t.config.scope) {
    return Err("cluster \"" + opt.cluster + "\" is not the configured scope \"" + t.config.scope +
               "\"");
  }
  return t;
}

dcs::DcsOptions DcsOptionsFor(const config::Config& cfg) {
  dcs::DcsOptions o = dcs::DcsOptionsFor(cfg, /*watch=*/false);
  if (o.name.empty()) o.name = "pghactl";
  return o;
}

}  // namespace pgha::ctl
