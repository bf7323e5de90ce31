#include "ha/cold_start.h"

#include <algorithm>

#include "ha/race.h"
#include "ha/slots.h"
#include "ha/sync.h"

namespace pgha::ha {
namespace {

// A slot the last leader published in /status for a member that has no member key: a member
// whose key expired while every node was down (etcd stayed up past ttl) and whose agent has not
// written a new one yet. Nobody can probe it (its REST address went with its key), and it may
// hold the most WAL: the last leader publishes its own slot too. Found by the simulator's
// whole-cluster power loss (fault power-all, invariant h, seed 430).
std::string KeylessSlotHolder(const Observation& obs, const std::string& candidate) {
  for (const auto& entry : obs.cluster.slots) {
    const std::string& slot = entry.first;  // clang 14 lambdas cannot capture a binding
    if (slot == SlotName(candidate) || slot == SlotName(obs.me) || obs.settings.slots.count(slot)) {
      continue;
    }
    bool keyed = std::any_of(obs.cluster.members.begin(), obs.cluster.members.end(),
                             [&](const Member& m) { return SlotName(m.name) == slot; });
    if (keyed) continue;
    // In synchronous mode only the standbys /sync names race.
    if (SyncRestrictsRace(obs)) {
      const auto& names = obs.cluster.sync->sync_standby;
      if (std::none_of(names.begin(), names.end(),
                       [&](const std::string& n) { return SlotName(n) == slot; })) {
        continue;
      }
    }
    return slot;
  }
  return "";
}

// A reachable peer whose PostgreSQL does not run: its agent answers before its PostgreSQL has
// started, or while a start fails on the lock file a killed postmaster left (cluster.failover_test
// phase 6, a third time: the lagging node promoted past rows the stopped former primary had).
bool StoppedMayHoldMore(const Observation& obs, const PeerStatus& p, uint32_t timeline) {
  if (!p.tags.CanPromote()) return false;
  if (p.timeline != 0 && timeline != 0 && p.timeline < timeline) return false;
  return RacesUnderSync(obs, p.name);
}

}  // namespace

bool InColdStartWindow(const Observation& obs) {
  return !obs.leader_seen && obs.agent_started &&
         obs.now - *obs.agent_started < std::chrono::seconds(obs.settings.ttl);
}

std::string ColdStartProblem(const Observation& obs, const std::string& candidate,
                             uint32_t timeline) {
  if (!InColdStartWindow(obs)) return "";
  const std::string lacks = candidate == obs.me ? "I lack" : candidate + " lacks";
  if (std::string slot = KeylessSlotHolder(obs, candidate); !slot.empty()) {
    return "/status keeps slot " + slot +
           " for a member without a member key, and I started less than ttl ago: it may hold "
           "WAL " +
           lacks;
  }
  for (const auto& p : obs.peers) {
    if (p.name == candidate || p.name == obs.me) continue;
    // A member key is written once per renewal, not at every WAL write: it can show less than
    // its member has (cluster.failover_test phase 6 again: node2's key predated the last rows).
    if (!p.reachable && KeyMayHoldMore(obs, p.name, timeline)) {
      return p.name +
             " does not answer yet and I started less than ttl ago: its member key may predate "
             "WAL it has";
    }
    if (p.reachable && !p.running && !p.starting && StoppedMayHoldMore(obs, p, timeline)) {
      return p.name +
             "'s PostgreSQL is not running yet and I started less than ttl ago: its WAL position "
             "is not known";
    }
  }
  return "";
}

}  // namespace pgha::ha
