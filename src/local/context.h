#pragma once
// What every `pghactl local` verb works on: the directory layout, the stored cluster, the OS user
// agents run as, and the processes (components) the cluster consists of.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "local/layout.h"
#include "local/local.h"
#include "local/plan.h"
#include "local/process.h"

namespace pgha::ctl {

enum class Kind { kEtcd, kAgent, kHaproxy };

// One process of the cluster that pghactl starts and records.
struct Component {
  Kind kind;
  int index = 0;      // member j / node i; 0 for haproxy
  std::string label;  // "etcd m1", "agent node2", "haproxy"
  std::string pid_file;
  Identity id;
  std::string log;
};

struct LocalContext {
  LocalLayout layout;
  LocalCluster cluster;
  std::optional<RunAs> pg_user;  // set when running as root

  Component Etcd(int j) const;
  Component Agent(int i) const;
  Component Haproxy() const;
  std::vector<Component> All() const;  // etcd members, agents, haproxy
  Identity Postmaster(int i) const;
  std::optional<pid_t> LivePid(const Component& c) const;
  std::optional<pid_t> LivePostmaster(int i) const;
};

// The directory, made absolute (DefaultLocalDir() when empty).
std::string ResolveDir(const std::string& dir);
// The OS user the agents run as: nullopt when not root; error when it does not exist.
Result<std::optional<RunAs>> AgentUser();
// Loads cluster.json of an existing local cluster.
Result<LocalContext> LoadContext(const LocalOptions& opt);
Status SaveCluster(const LocalContext& ctx);

}  // namespace pgha::ctl
