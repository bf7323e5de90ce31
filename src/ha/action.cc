#include "ha/action.h"

#include <iterator>
#include <type_traits>

namespace pgha::ha {

// In ActionKind's order, as scenario files name them.
constexpr const char* kActionNames[] = {
    "race_initialize",  "bootstrap",        "clone_from_leader",
    "start_primary",    "start_replica",    "follow",
    "acquire_leader",   "promote",          "checkpoint",
    "demote",           "release_leader",   "ensure_slots",
    "rewind",           "switchover",       "clear_failover",
    "sync_replication", "clear_sync",       "write_failsafe",
    "clear_failsafe",   "confirm_failsafe", "halt",
};
static_assert(std::size(kActionNames) == kActionKinds, "a name for every action kind");

const char* ActionName(ActionKind kind) {
  auto i = static_cast<size_t>(kind);
  return i < kActionKinds ? kActionNames[i] : "?";
}

const char* DemoteModeName(DemoteMode mode) {
  switch (mode) {
    case DemoteMode::kOffline:
      return "offline";
    case DemoteMode::kImmediate:
      return "immediate";
    case DemoteMode::kImmediateNolock:
      return "immediate-nolock";
    case DemoteMode::kRewind:
      return "rewind";
  }
  return "?";
}

namespace {

// The text of one action's fields: the member it names, then a detail in parentheses.
struct ActionText {
  std::string member, detail;
  ActionText operator()(const action::CloneFromLeader& a) const { return {a.source, a.then}; }
  ActionText operator()(const action::StartReplica& a) const { return {a.upstream, ""}; }
  ActionText operator()(const action::Follow& a) const { return {a.upstream, ""}; }
  ActionText operator()(const action::Demote& a) const {
    return {a.leader, DemoteModeName(a.mode)};
  }
  ActionText operator()(const action::Rewind& a) const {
    return {a.source, a.reclone ? "reclone" : ""};
  }
  ActionText operator()(const action::Switchover& a) const { return {a.candidate, ""}; }
  ActionText operator()(const action::SyncReplication& a) const {
    std::string list;
    for (const auto& n : a.standbys) list += (list.empty() ? "" : ",") + n;
    if (a.quorum > 0)
      list += (list.empty() ? "" : " ") + std::string("quorum ") + std::to_string(a.quorum);
    return {a.names, list};
  }
  ActionText operator()(const action::WriteFailsafe& a) const {
    std::string list;
    for (const auto& [name, url] : a.members) list += (list.empty() ? "" : ",") + name + "=" + url;
    return {"", list};
  }
  ActionText operator()(const action::Halt& a) const { return {a.message, ""}; }
  template <class Fieldless>
  ActionText operator()(const Fieldless&) const {
    static_assert(std::is_empty_v<Fieldless>, "an action with fields needs its own text");
    return {};
  }
};

}  // namespace

std::string Describe(const Action& action) {
  std::string out = ActionName(KindOf(action));
  ActionText text = std::visit(ActionText{}, action);
  if (!text.member.empty()) out += " " + text.member;
  if (!text.detail.empty()) out += " (" + text.detail + ")";
  return out;
}

}  // namespace pgha::ha
