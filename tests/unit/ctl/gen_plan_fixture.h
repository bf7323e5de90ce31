#pragma once
// The three-host plan the `pghactl gen` tests render (hosts db1-db3, one client network).
#include "ctl/gen_render.h"

namespace pgha::ctl::testing {

inline GenPlan ThreeHostPlan(const ClusterSpec& spec) {
  GenPlan p;
  p.cluster.spec = spec;
  p.cluster.superuser = {"postgres", "supw"};
  p.cluster.replication = {"replicator", "replpw"};
  p.cluster.rewind = {"rewind_user", "rwpw"};
  p.hosts = {{"db1", "10.0.0.1"}, {"db2", "10.0.0.2"}, {"db3", "10.0.0.3"}};
  p.clients = {"10.9.0.0/16"};
  return p;
}

}  // namespace pgha::ctl::testing
