#include "local/readiness.h"

#include <map>

#include "local/plan.h"

namespace pgha::ctl {
namespace {

struct MemberView {
  std::string role, state;
};

std::string Str(const nlohmann::json& m, const char* key) {
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, MemberView> Members(const nlohmann::json& cluster) {
  std::map<std::string, MemberView> out;
  if (!cluster.is_object() || !cluster.contains("members") || !cluster["members"].is_array()) {
    return out;
  }
  for (const auto& m : cluster["members"]) {
    if (m.is_object()) out[Str(m, "name")] = {Str(m, "role"), Str(m, "state")};
  }
  return out;
}

bool IsLeader(const MemberView& m) {
  return (m.role == "leader" || m.role == "primary") && m.state == "running";
}

bool IsStreamingReplica(const MemberView& m) {
  return (m.role == "replica" || m.role == "sync_standby" || m.role == "quorum_standby") &&
         m.state == "streaming";
}

}  // namespace

Readiness EvaluateCluster(const nlohmann::json& cluster, int nodes) {
  auto members = Members(cluster);
  Readiness r;
  int leaders = 0, streaming = 0;
  for (int i = 1; i <= nodes; ++i) {
    auto it = members.find(NodeName(i));
    r.summary += (i > 1 ? ", " : "") + NodeName(i) + " ";
    if (it == members.end()) {
      r.summary += "-";
      continue;
    }
    r.summary += (it->second.role.empty() ? "?" : it->second.role) + "/" +
                 (it->second.state.empty() ? "?" : it->second.state);
    leaders += IsLeader(it->second) ? 1 : 0;
    streaming += IsStreamingReplica(it->second) ? 1 : 0;
  }
  r.ready = leaders == 1 && streaming == nodes - 1;
  return r;
}

}  // namespace pgha::ctl
