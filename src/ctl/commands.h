#pragma once
// pghactl's patronictl-compatible commands. Each returns the exit code: 0 done, 1 the operation
// failed or was refused (the message is printed as "Error: ..."), 2 a usage error.
#include <memory>
#include <string>
#include <vector>

#include "ctl/rest_client.h"
#include "ctl/target.h"
#include "dcs/dcs.h"

namespace pgha::ctl {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The cluster a command works on: its config, a DCS connection and a REST client.
struct Cluster {
  Target target;
  std::string name;  // scope
  std::unique_ptr<dcs::Dcs> dcs;
  std::unique_ptr<RestClient> rest;
  Result<ha::ClusterView> Load() const;
};
Result<Cluster> OpenCluster(const TargetOptions& options);
// Prints "Error: <message>" and returns kExitFailed.
int Fail(const std::string& message);

struct FailoverOptions {
  std::string leader, candidate, scheduled;
  bool force = false;
};
int Switchover(const Cluster& c, const FailoverOptions& o);
int Failover(const Cluster& c, const FailoverOptions& o);

struct MemberOptions {
  std::vector<std::string> members;
  std::string role = "any";
  bool force = false;
  // restart
  bool any = false, pending = false;
  std::string scheduled, pg_version, timeout;
  // reinit
  bool from_leader = false, wait = false;
};
int Restart(const Cluster& c, const MemberOptions& o);
int Reload(const Cluster& c, const MemberOptions& o);
int Reinit(const Cluster& c, const MemberOptions& o);
int Flush(const Cluster& c, const MemberOptions& o, const std::string& target);
int Version(const Cluster* c, const std::vector<std::string>& members);

int TogglePause(const Cluster& c, bool pause, bool wait);
int ShowConfig(const Cluster& c);
struct EditOptions {
  std::vector<std::string> set, pg;
  std::string apply, replace;
  bool force = false, quiet = false;
};
int EditConfig(const Cluster& c, const EditOptions& o);

int Topology(const Cluster& c);
int History(const Cluster& c, const std::string& format);
int Dsn(const Cluster& c, const std::string& role, const std::string& member);
// `query`: SQL on a member (default: the leader) as the configured superuser, or -U's user.
struct QueryOptions {
  std::string member, role, command, file, username, dbname;
  std::string format = "tsv", delimiter = "\t";
  bool password = false;  // ask for one
};
int Query(const Cluster& c, const QueryOptions& o);
int Remove(const Cluster& c, const std::string& cluster_name);

// Members matching patronictl's --role: leader|primary|master, replica|standby, standby-leader,
// any. Empty role = any.
bool RoleMatches(const ha::ClusterView& view, const ha::Member& m, const std::string& role);

}  // namespace pgha::ctl
