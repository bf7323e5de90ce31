#pragma once
// Reading an agent's GET /cluster answer (Patroni's format) to decide whether `up` is done. Pure.
#include <nlohmann/json.hpp>
#include <string>

namespace pgha::ctl {

struct Readiness {
  bool ready = false;   // one leader running, every other node streaming
  std::string summary;  // "node1 leader/running, node2 replica/streaming, node3 -"
};

// `cluster` is {"members":[{"name","role","state",…}]}; `nodes` names node1..nodeN.
Readiness EvaluateCluster(const nlohmann::json& cluster, int nodes);

}  // namespace pgha::ctl
