#pragma once
// Which cluster a pghactl command talks to: -c config file, -d etcd3://host:port + name, or the
// local cluster started by `pghactl local up`.
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "dcs/dcs.h"

namespace pgha::ctl {

struct TargetOptions {
  std::string config_file;  // -c
  std::string dcs_url;      // -d etcd3://host:port[,host:port]
  std::string cluster;      // positional cluster name (scope)
  std::string local_dir;    // --dir of a local cluster
  bool insecure = false;    // -k: do not verify REST API certificates
};

struct Target {
  config::Config config;  // scope, namespace, etcd endpoints, ctl credentials
};

Result<Target> ResolveTarget(const TargetOptions& opt);
dcs::DcsOptions DcsOptionsFor(const config::Config& cfg);

}  // namespace pgha::ctl
