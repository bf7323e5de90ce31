#pragma once
// Which replication slots a member keeps, as Patroni 4 keeps them (a pure function of the
// observation). The executor (Agent::EnsureSlots) makes PostgreSQL match the plan.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ha/settings.h"

namespace pgha::ha {

struct Observation;

// Patroni's slot name for a member: lower case, every character other than a letter, a digit or
// '_' replaced by '_'.
std::string SlotName(const std::string& member);
// A permanent slot's name is valid when it is made only of lower-case letters, digits and '_'
// (PostgreSQL's rule, which Patroni checks before creating one), at most 63 characters.
bool ValidSlotName(const std::string& name);

struct PlannedSlot {
  PermanentSlot kind;           // physical (no plugin) or logical
  std::optional<uint64_t> lsn;  // where to advance it (replicas; inactive slots on a primary)
  bool permanent = false;       // from /config `slots` (as opposed to a member's slot)
  bool operator==(const PlannedSlot&) const = default;
};

// The slots this member must have now, by name:
// - use_slots off: none.
// - A member's slot for every other member that streams (no nostream). A member that may not be
//   promoted keeps only the slots of members that stream from it (replicatefrom); the others
//   keep them all, so the slots are there when they become the leader (Patroni 4 with
//   member_slots_ttl > 0). On a replica each advances to the position the leader publishes in
//   /status (for the leader's own slot: the leader's WAL position); a member that cascades
//   reports its own position, which is used when it is further on.
// - Permanent slots from /config, on every member that may be promoted: physical ones
//   everywhere, logical ones on the primary only (PostgreSQL 15 cannot decode on a standby;
//   pgha does not copy logical slot files to replicas). None named for this member itself.
std::map<std::string, PlannedSlot> PlanSlots(const Observation& obs);

// Names in /status retain_slots: the slots of current members that are not permanent slots.
std::vector<std::string> RetainedSlots(const Observation& obs);

}  // namespace pgha::ha
