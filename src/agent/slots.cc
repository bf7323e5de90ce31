// Agent::EnsureSlots: makes PostgreSQL's replication slots match ha::PlanSlots.
#include "ha/slots.h"

#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "core/lsn.h"

namespace pgha::agent {
namespace {

bool SameKind(const pg::SlotInfo& have, const ha::PermanentSlot& want) {
  if (have.logical != want.Logical()) return false;
  return !have.logical || (have.database == want.database && have.plugin == want.plugin);
}

}  // namespace

// Logs a slot's failure once until it changes or the slot recovers: the check runs every loop.
void Agent::SlotProblem(const std::string& slot, const std::string& problem) {
  auto& last = slot_problems_[slot];
  if (last != problem) spdlog::error("replication slot {}: {}", slot, problem);
  last = problem;
}

// Runs on every loop of a member with slots to keep (ha/slots.h says which): missing slots are
// created, idle ones advanced to the position the plan gives, and slots no longer wanted dropped:
// a permanent slot once it leaves /config `slots`, a member's slot once its member has been gone
// longer than member_slots_ttl. Only slots this agent planned are ever dropped, never one it
// knows nothing of, so a removed node cannot fill the disk with retained WAL and an operator's
// own slot is left alone.
Status Agent::EnsureSlots(const ha::Observation& obs) {
  const auto plan = ha::PlanSlots(obs);
  auto listed = pg::ReplicationSlots(pg_);
  if (!listed.ok()) return listed.error();
  std::map<std::string, pg::SlotInfo> have;
  for (auto& s : *listed) have[s.name] = s;
  slots_seen_ = *listed;
  std::vector<std::string> drop;
  for (const auto& [name, slot] : plan) {
    slot_member_seen_[name] = obs.now;
    if (slot.permanent) permanent_slots_kept_.insert(name);
  }
  const auto keep_for = std::chrono::seconds(settings_.member_slots_ttl);
  for (auto it = slot_member_seen_.begin(); it != slot_member_seen_.end();) {
    const bool removed_permanent =
        permanent_slots_kept_.count(it->first) != 0 && plan.count(it->first) == 0;
    if (plan.count(it->first) == 0 && (removed_permanent || obs.now - it->second > keep_for)) {
      drop.push_back(it->first);
      permanent_slots_kept_.erase(it->first);
      it = slot_member_seen_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, slot] : plan) {
    auto found = have.find(name);
    if (found != have.end() && !SameKind(found->second, slot.kind)) {
      if (!slot.permanent || found->second.active) {
        SlotProblem(name, "exists with another type, database or plugin than planned; kept");
        continue;
      }
      if (auto st = pg::DropInactiveSlot(pg_, name); !st.ok()) {
        SlotProblem(name, "dropping it to re-create it as configured: " + st.message());
        continue;
      }
      spdlog::info("dropped replication slot {}: its type, database or plugin changed", name);
      have.erase(found);
      found = have.end();
    }
    if (found == have.end()) {
      Status st = OkStatus();
      if (slot.kind.Logical()) {
        auto conn = ConnectToMember(obs, cfg_.name, slot.kind.database);
        st = conn ? pg::CreateLogicalSlot(*conn, name, slot.kind.plugin)
                  : Err("cannot connect to database " + slot.kind.database);
      } else {
        st = pg::CreatePhysicalSlot(pg_, name);
      }
      if (!st.ok()) {
        SlotProblem(name, "creating it: " + st.message());
        continue;
      }
      spdlog::info("created {} replication slot {}", slot.kind.Logical() ? "logical" : "physical",
                   name);
      slot_problems_.erase(name);
      continue;
    }
    const pg::SlotInfo& s = found->second;
    if (!slot.lsn || s.logical || s.active || s.Position().value_or(0) >= *slot.lsn) continue;
    if (auto st = pg::AdvanceSlot(pg_, name, *slot.lsn); !st.ok()) {
      SlotProblem(name, "advancing it to " + Lsn{*slot.lsn}.ToString() + ": " + st.message());
    } else {
      slot_problems_.erase(name);
    }
  }
  for (const auto& name : drop) {
    slot_problems_.erase(name);
    if (have.count(name) == 0) continue;
    auto st = pg::DropInactiveSlot(pg_, name);
    if (!st.ok()) return Err("dropping slot " + name + ": " + st.message());
    spdlog::info(
        "dropped replication slot {}: no longer a permanent slot, or its member has been "
        "gone longer than member_slots_ttl ({} s)",
        name, settings_.member_slots_ttl);
  }
  return OkStatus();
}

}  // namespace pgha::agent
