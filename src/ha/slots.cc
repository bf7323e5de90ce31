#include "ha/slots.h"

#include <algorithm>
#include <cctype>

#include "ha/decision.h"

namespace pgha::ha {

std::string SlotName(const std::string& member) {
  std::string out;
  for (char c : member) {
    auto u = static_cast<unsigned char>(c);
    out += (std::isalnum(u) || c == '_') ? static_cast<char>(std::tolower(u)) : '_';
  }
  return out;
}

bool ValidSlotName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

bool IsPrimaryServer(const LocalPg& pg) { return pg.running && !pg.in_recovery; }

}  // namespace

std::map<std::string, PlannedSlot> PlanSlots(const Observation& obs) {
  std::map<std::string, PlannedSlot> plan;
  if (!obs.settings.use_slots) return plan;
  const bool primary = IsPrimaryServer(obs.pg);
  const bool can_promote = obs.tags.CanPromote();
  const std::string mine = SlotName(obs.me);
  const ClusterView& c = obs.cluster;
  auto published = [&](const std::string& slot) -> std::optional<uint64_t> {
    auto it = c.slots.find(slot);
    if (it == c.slots.end()) return std::nullopt;
    return it->second;
  };
  for (const Member& m : c.members) {
    if (m.name == obs.me || m.tags.nostream) continue;
    const bool streams_from_me = m.tags.replicatefrom == obs.me;
    if (!can_promote && !streams_from_me) continue;
    PlannedSlot s;
    std::string name = SlotName(m.name);
    const bool cascades = !m.tags.replicatefrom.empty();
    const bool cascades_elsewhere =
        cascades && !streams_from_me && c.FindMember(m.tags.replicatefrom) != nullptr;
    if (primary) {
      // Advanced by its consumer, except a slot whose member streams from another member (it
      // sits idle here): it follows the position that member reports.
      if (cascades_elsewhere && m.xlog_location) s.lsn = *m.xlog_location;
    } else if (!streams_from_me) {
      // Follows what the leader publishes (for the leader's own slot: its WAL position), or the
      // member's own report when it cascades and is further on.
      uint64_t lsn = published(name).value_or(0);
      if (c.leader && m.name == *c.leader) lsn = std::max(lsn, c.optime.value_or(0));
      if (cascades && m.xlog_location) lsn = std::max(lsn, *m.xlog_location);
      if (lsn != 0) s.lsn = lsn;
    }
    plan[name] = s;
  }
  if (!can_promote) return plan;
  for (const auto& [name, kind] : obs.settings.slots) {
    if (name == mine || !ValidSlotName(name)) continue;
    if (kind.Logical()) {
      if (primary && plan.count(name) == 0) plan[name] = PlannedSlot{kind, std::nullopt, true};
      continue;
    }
    auto it = plan.find(name);
    if (it != plan.end()) {  // a member's slot named permanent: kept as permanent
      it->second.permanent = true;
      continue;
    }
    PlannedSlot s{kind, std::nullopt, true};
    if (!primary) s.lsn = published(name);
    plan[name] = s;
  }
  return plan;
}

std::vector<std::string> RetainedSlots(const Observation& obs) {
  std::vector<std::string> out;
  for (const Member& m : obs.cluster.members) {
    std::string name = SlotName(m.name);
    if (obs.settings.slots.count(name) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pgha::ha
