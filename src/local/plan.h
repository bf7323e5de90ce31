#pragma once
// The resolved local cluster: the spec plus generated passwords and the state `up` keeps between
// runs (cluster.json), and the port plan derived from it. Pure except RandomPassword.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "local/spec.h"

namespace pgha::ctl {

struct Role {
  std::string username;
  std::string password;
};

// {"username", "password"}, as authentication.* and cluster.json hold a role.
nlohmann::ordered_json RoleJson(const Role& r);

struct LocalCluster {
  ClusterSpec spec;                        // spec.password is always set here
  Role superuser;                          // postgres
  Role replication;                        // replicator
  Role rewind;                             // rewind_user
  std::vector<std::string> init_sql_done;  // absolute paths already run once

  int nodes() const { return spec.replicas; }
  int members() const { return spec.etcd_replicas; }
  Role app() const { return {spec.username, spec.password}; }
};

// Node i (1-based) and etcd member j (1-based).
std::string NodeName(int i);
std::string MemberName(int j);
int PostgresPort(const ClusterSpec& spec, int i);
int ApiPort(const ClusterSpec& spec, int i);
int EtcdClientPort(const ClusterSpec& spec, int j);
int EtcdPeerPort(const ClusterSpec& spec, int j);

struct PlannedPort {
  int port;
  std::string what;  // "haproxy write", "node2 postgres", "etcd m3 peer", …
};
// Every port the cluster listens on; error when two collide or one is out of 1..65535.
Result<std::vector<PlannedPort>> PlanPorts(const ClusterSpec& spec);

// First `up`: fills every missing password with a fresh random one.
LocalCluster ResolveCluster(const ClusterSpec& spec);
std::string RandomPassword();

nlohmann::ordered_json ClusterToJson(const LocalCluster& c);
Result<LocalCluster> ClusterFromJson(const nlohmann::json& j);

// Combines what is stored in cluster.json with a cluster file given again on a later `up`.
// Identity (name, node count, etcd members, ports) cannot change on an existing cluster; passwords
// of the stored cluster are kept; init_sql and resources follow the new file.
Result<LocalCluster> MergeStoredCluster(const LocalCluster& stored, const ClusterSpec& wanted);

// "node2" or "2" → 2; error listing the valid names.
Result<int> ParseNodeName(const std::string& text, int nodes);

}  // namespace pgha::ctl
