// Failsafe mode (Patroni's failsafe_mode): a primary that loses etcd keeps running while every
// member listed in /failsafe confirms it, and a member that confirmed does not race for the key
// meanwhile. docs/safety.md ("Failsafe mode") gives the argument.
#include <chrono>

#include "ha/decision.h"

namespace pgha::ha {

bool FailsafeHolds(const Observation& obs) {
  return obs.settings.failsafe_mode && obs.failsafe_valid_until &&
         obs.now + kDemoteMargin < *obs.failsafe_valid_until;
}

std::string FailsafePromiseBlock(const Observation& obs) {
  // A promise given is kept whatever failsafe_mode says now: the primary that asked for it may
  // be writing on the strength of it.
  if (obs.failsafe_leader && obs.failsafe_leader->name != obs.me &&
      obs.now < obs.failsafe_leader->until) {
    // No countdown in the text: a reason that changes every loop is logged every loop.
    return obs.failsafe_leader->name +
           " runs as primary in failsafe mode and I confirmed it less than ttl ago";
  }
  if (!obs.settings.failsafe_mode || obs.cluster.failsafe.empty()) return "";
  bool others = obs.cluster.failsafe.size() > (obs.cluster.failsafe.count(obs.me) ? 1u : 0u);
  if (others && obs.agent_started &&
      obs.now - *obs.agent_started < std::chrono::seconds(obs.settings.ttl)) {
    // A confirmation this member gave before its agent restarted is forgotten, not void.
    return "failsafe_mode is on and this agent started less than ttl ago: a failsafe "
           "confirmation it gave before may still hold";
  }
  return "";
}

std::string FailsafeRaceBlock(const Observation& obs) {
  if (std::string block = FailsafePromiseBlock(obs); !block.empty()) return block;
  if (obs.settings.failsafe_mode && !obs.cluster.failsafe.empty() &&
      obs.cluster.failsafe.count(obs.me) == 0) {
    // As Patroni: the primary counted only the members listed; it may be writing on their word.
    return "failsafe_mode is on and /failsafe does not list me";
  }
  return "";
}

std::map<std::string, std::string> FailsafeTopology(const Observation& obs) {
  std::map<std::string, std::string> out;
  for (const auto& m : obs.cluster.members) {
    if (!m.api_url.empty()) out[m.name] = m.api_url;
  }
  if (out.count(obs.me) == 0) return {};
  return out;
}

}  // namespace pgha::ha
