#pragma once
// `pghactl gen -f values.yaml --compose --out DIR`: the cluster of a seed-000 values file as one
// docker-compose project on the images of deploy/images. Every container has a fixed address
// on a network of its own (--subnet), so HAProxy's configuration, the etcd members' and the
// REST API's allowlist name addresses that never change. What the values file says lands here:
//   replicas, etcd.replicas        one service per node and per etcd member
//   resources, etcd.resources      cpus / mem_limit of the containers; PostgreSQL memory settings
//   postgres.*                     the application role and database (init service, run once)
//   internal_access                pg_hba sources (same-gvc: the project's network) and allowlist
// Pure renderers; gen.cc writes the files.
#include <string>
#include <vector>

#include "core/result.h"
#include "ctl/gen_render.h"

namespace pgha::ctl {

// Fills plan->hosts (node1.. at .11..) and plan->etcd_hosts (etcd1.. at .21..) inside `subnet`
// (IPv4 CIDR, /27 or larger). Errors name the subnet.
Status PlanComposeHosts(const std::string& subnet, GenPlan* plan);

// docker-compose.yml (the compose file format read by docker-compose 1.29 and `docker compose`).
std::string GenComposeYaml(const GenPlan& plan, const std::string& subnet);
// haproxy.cfg of the project: the nodes' fixed addresses; with internal_access, the write and
// read ports admit the project's network (same-gvc), plus the networks (same-org), or only the
// init service and the workloads' addresses (workload-list).
std::string GenComposeHaproxyCfg(const GenPlan& plan, const std::string& subnet);
// The sources those ports admit (empty: any).
std::vector<std::string> ComposeAdmits(const GenPlan& plan, const std::string& subnet);
// .env beside it: the generated passwords, which docker-compose.yml only refers to.
std::string GenComposeEnv(const GenPlan& plan);

}  // namespace pgha::ctl
