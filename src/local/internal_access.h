#pragma once
// Seed 000's `internal_access` (who may reach PostgreSQL) and what it means off its platform:
// pg_hba sources and the REST API's allowlist. Pure.
#include <string>
#include <vector>

#include "core/result.h"

namespace YAML {
class Node;
}

namespace pgha::ctl {

struct InternalAccess {
  // "" (not given), "same-gvc" (the cluster's own network), "same-org" (the networks listed in
  // `networks`), "workload-list" (the addresses, networks or host names in `workloads`).
  std::string type;
  std::vector<std::string> workloads;  // same-gvc (in addition) and workload-list
  std::vector<std::string> networks;   // same-org: IPv4 CIDRs (pgha's key: the seed has none)
};

// Parses one `internal_access` mapping; `key` prefixes every error ("internal_access",
// "etcd.internal_access"). Unknown types, keys and malformed entries are errors naming them.
Result<InternalAccess> ParseInternalAccess(const std::string& key, const YAML::Node& node);

// "10.1.0.0/16": an IPv4 network in CIDR form.
bool ValidCidr(const std::string& text);

// pg_hba sources beyond the cluster's own hosts: "samenet" for same-gvc (every subnet the
// server's interfaces are on, as PostgreSQL computes it), CIDRs, host names; an address as /32.
std::vector<std::string> HbaSources(const InternalAccess& access);
// Addresses, CIDRs and host names the REST API's unsafe requests are accepted from, beyond
// the hosts and 127.0.0.1 (same-gvc adds only its workloads: samenet has no allowlist form).
std::vector<std::string> AllowlistSources(const InternalAccess& access);
// AllowlistSources without the host names: what an address filter (HAProxy's src) can hold.
std::vector<std::string> AddressSources(const InternalAccess& access);
// One line for the user: what the setting does where it is applied ("" when not given).
std::string DescribeAccess(const InternalAccess& access);

}  // namespace pgha::ctl
