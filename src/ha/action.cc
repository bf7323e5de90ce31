#include "ha/action.h"

#include <type_traits>

namespace pgha::ha {

const char* ActionName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kRaceInitialize:
      return "race_initialize";
    case ActionKind::kBootstrap:
      return "bootstrap";
    case ActionKind::kCloneFromLeader:
      return "clone_from_leader";
    case ActionKind::kStartPrimary:
      return "start_primary";
    case ActionKind::kStartReplica:
      return "start_replica";
    case ActionKind::kFollow:
      return "follow";
    case ActionKind::kAcquireLeader:
      return "acquire_leader";
    case ActionKind::kPromote:
      return "promote";
    case ActionKind::kCheckpoint:
      return "checkpoint";
    case ActionKind::kDemote:
      return "demote";
    case ActionKind::kReleaseLeader:
      return "release_leader";
    case ActionKind::kEnsureSlots:
      return "ensure_slots";
    case ActionKind::kRewind:
      return "rewind";
    case ActionKind::kSwitchover:
      return "switchover";
    case ActionKind::kClearFailover:
      return "clear_failover";
    case ActionKind::kSyncReplication:
      return "sync_replication";
    case ActionKind::kClearSync:
      return "clear_sync";
    case ActionKind::kHalt:
      return "halt";
  }
  return "?";
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
    return {a.names, list};
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
