#pragma once
// `pghactl gen`: the files that run a cluster on real hosts under systemd, from the seed's values
// file and a host list. Pure renderers; gen.cc reads the inputs and writes the files.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "local/plan.h"

namespace pgha::ctl {

struct GenHost {
  std::string name;     // the member name (host name)
  std::string address;  // IPv4 address the other hosts and HAProxy reach it at
};

struct GenPlan {
  LocalCluster cluster;  // spec (values.yaml) with every password resolved
  std::vector<GenHost> hosts;
  // Where the etcd members run: empty, the first spec.etcd_replicas hosts (`gen --hosts`);
  // otherwise hosts of their own (`gen --compose`: one container per member).
  std::vector<GenHost> etcd_hosts;
  std::vector<std::string> clients;  // CIDRs allowed to connect to PostgreSQL (pg_hba)
  std::string pgha_bin = "/usr/local/bin/pgha";
  std::string config_path = "/etc/pgha/pgha.yml";
  std::string data_dir = "/var/lib/pgha/data";
  int pg_major = 15;
};

// "h1=10.0.0.1,h2=10.0.0.2": names are member names (letters, digits, '-', '_', '.'), addresses
// dotted IPv4; duplicates of either are errors naming them.
Result<std::vector<GenHost>> ParseGenHosts(const std::string& text);

// The hosts the etcd members run on, in member order.
std::vector<GenHost> EtcdMembers(const GenPlan& plan);

// Sources HAProxy's write and read ports admit (empty: any). Behind HAProxy, pg_hba sees only
// HAProxy, so internal_access is enforced there too; same-gvc cannot be (the hosts' networks
// are not known here) and host names in workloads are left to pg_hba.
std::vector<std::string> HaproxyAdmits(const GenPlan& plan);

// Every host is a PostgreSQL node (spec.replicas must equal the host count); the first
// spec.etcd_replicas hosts run an etcd member. Errors name the mismatch.
Status CheckGenPlan(const GenPlan& plan);

// Host i (0-based): its pgha.yml tree and text.
nlohmann::ordered_json GenAgentConfig(const GenPlan& plan, size_t i);
std::string GenAgentYaml(const GenPlan& plan, size_t i);
// /etc/default/etcd for member i (0-based; Debian's etcd-server unit reads it).
std::string GenEtcdEnv(const GenPlan& plan, size_t i);
// pgha.service: Type=notify (READY=1 once the REST API serves), ExecReload sends SIGHUP,
// KillMode=process (stopping the agent stops PostgreSQL cleanly; systemd must not kill it first).
std::string GenAgentUnit(const GenPlan& plan);
// One haproxy.cfg for the whole cluster (runs on its own host, or on any with free ports).
std::string GenHaproxyCfg(const GenPlan& plan);
// The application role and database, run once on the leader after the first start.
std::string GenInitSql(const GenPlan& plan);

}  // namespace pgha::ctl
