#pragma once
// The user's cluster.yaml (the values-file format of seed 000) parsed into a ClusterSpec. Pure:
// no I/O besides LoadClusterFile reading the file.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "local/internal_access.h"

namespace pgha::ctl {

struct LocalPorts {
  int write = 5432;        // HAProxy read-write (leader)
  int read = 5433;         // HAProxy read-only (replicas, round robin)
  int stats = 7000;        // HAProxy stats page
  int postgres = 5440;     // node i: postgres + i - 1
  int api = 8008;          // node i: api + i - 1
  int etcd_client = 2379;  // member j: etcd_client + 100 * (j - 1)
  int etcd_peer = 2380;    // member j: etcd_peer + 100 * (j - 1)
};

struct ClusterSpec {
  std::string name = "pgha";  // the cluster scope
  int replicas = 3;           // PostgreSQL nodes, 1..9
  std::string username = "app";
  std::string password;  // empty: generated at first `up`
  std::string database = "app";
  int etcd_replicas = 3;     // 1, 3 or 5
  double cpu = 0;            // 0: not given
  int64_t memory_bytes = 0;  // 0: not given
  // etcd.resources: limits of the etcd containers (`gen --compose`); elsewhere reported unused.
  double etcd_cpu = 0;
  int64_t etcd_memory_bytes = 0;
  LocalPorts ports;
  std::vector<std::string> init_sql;  // absolute paths
  InternalAccess access;              // internal_access (pg_hba and REST allowlist on hosts)
  InternalAccess etcd_access;         // etcd.internal_access: checked, not applied (no etcd auth)
  // Keys of the seed format that have no meaning on one machine (internal_access, etcd.resources…):
  // accepted and reported, never silently dropped.
  std::vector<std::string> ignored_keys;
};

// Parses cluster.yaml text. `base_dir` resolves relative init_sql paths. Unknown keys are errors
// naming the key; bad values are errors naming key and value.
Result<ClusterSpec> ParseClusterYaml(const std::string& text, const std::string& base_dir);
Result<ClusterSpec> LoadClusterFile(const std::string& path);

// "2Gi", "512Mi", "1G", "300M", "1.5Gi", "1048576" (bytes) → bytes.
Result<int64_t> ParseMemory(std::string_view text);
// "1", "2.5", "500m" → cores.
Result<double> ParseCpu(std::string_view text);

// PostgreSQL settings derived from resources, in PostgreSQL units, ordered by name. Settings that
// must be identical on every node (max_worker_processes) go to `dcs`; the rest to `local`.
struct ResourceParameters {
  std::vector<std::pair<std::string, std::string>> local;
  std::vector<std::pair<std::string, std::string>> dcs;
};
ResourceParameters ParametersForResources(double cpu, int64_t memory_bytes);
// Bytes → "512MB" / "640kB" (PostgreSQL memory units; rounds down to kB).
std::string PgMemory(int64_t bytes);

}  // namespace pgha::ctl
