#pragma once
// Which cluster a pghactl command talks to: -c config file, -d etcd3://host:port + name,
// patronictl's own default file, or the local cluster started by `pghactl local up`.
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

// patronictl's own default file: $XDG_CONFIG_HOME/patroni/patronictl.yaml, else
// ~/.config/patroni/patronictl.yaml ("" without either variable). Used when neither -c,
// PATRONICTL_CONFIG_FILE nor --dir says otherwise and the file exists; else the local cluster.
std::string PatronictlConfigPath();
Result<Target> ResolveTarget(const TargetOptions& opt);
dcs::DcsOptions DcsOptionsFor(const config::Config& cfg);

}  // namespace pgha::ctl
