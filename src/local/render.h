#pragma once
// Pure renderers: each node's pgha.yml (Patroni format), haproxy.cfg and etcd's command line.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "local/layout.h"
#include "local/plan.h"

namespace pgha::ctl {

// Block-style YAML for a JSON tree. Strings that YAML would read as anything but the same string
// (on, yes, 10, 1e3, null, "a: b", …) are double-quoted; key order is kept.
std::string ToYaml(const nlohmann::ordered_json& value);

// The agent's configuration for node i (1-based), as a tree and as pgha.yml text.
nlohmann::ordered_json AgentConfig(const LocalCluster& c, const LocalLayout& layout, int i);
std::string RenderAgentYaml(const LocalCluster& c, const LocalLayout& layout, int i);

std::string RenderHaproxyCfg(const LocalCluster& c);

// HAProxy in front of `servers`: write port to the member whose REST API answers OPTIONS /primary
// with 200, read port round robin over /replica, stats page; binds on `bind_address`.
struct HaproxyServer {
  std::string name, address;
  int pg_port = 0, api_port = 0;
};
// `admit`: when not empty, the write and read ports refuse connections from any other source
// (addresses and CIDRs): behind HAProxy, PostgreSQL's pg_hba sees only HAProxy's address.
std::string RenderHaproxy(const std::string& header, const std::string& bind_address,
                          const LocalPorts& ports, const std::vector<HaproxyServer>& servers,
                          const std::vector<std::string>& admit = {});

// bootstrap.dcs of every generated configuration (pgha's timing defaults are left out on purpose).
nlohmann::ordered_json BootstrapDcs(const LocalCluster& c);

// etcd's arguments for member j (1-based), without the binary.
std::vector<std::string> EtcdArgs(const LocalCluster& c, const LocalLayout& layout, int j);

}  // namespace pgha::ctl
