// Opening the cluster a pghactl command targets, and the shared error/role helpers.
#include <cstdio>

#include "ctl/commands.h"

namespace pgha::ctl {

Result<ha::ClusterView> Cluster::Load() const {
  Result<ha::ClusterView> view = dcs->Load();
  if (!view.ok()) return Err("cannot read cluster " + name + " from etcd: " + view.message());
  return view;
}

Result<Cluster> OpenCluster(const TargetOptions& options) {
  Result<Target> target = ResolveTarget(options);
  if (!target.ok()) return target.error();
  Cluster c;
  c.target = std::move(target).value();
  c.name = c.target.config.scope;
  c.dcs = dcs::MakeEtcdDcs(DcsOptionsFor(c.target.config));
  c.rest = std::make_unique<RestClient>(c.target.config);
  return c;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return kExitFailed;
}

bool RoleMatches(const ha::ClusterView& view, const ha::Member& m, const std::string& role) {
  bool leader = view.leader == m.name;
  if (role.empty() || role == "any") return true;
  if (role == "leader" || role == "primary" || role == "master" || role == "standby-leader") {
    return leader;
  }
  return !leader;  // replica, standby
}

}  // namespace pgha::ctl
