#pragma once
// What ha::Decide asks the agent to do: one type per kind, each with only its own fields. The
// executor (agent/executor.cc) runs them in order; Describe() is their text in scenario files.
#include <cstddef>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace pgha::ha {

// How a primary stops being one.
enum class DemoteMode {
  kOffline,          // etcd is unreachable: stop (fast), stay down, still a primary on disk
  kImmediate,        // stop at once, release the key, start read-only with no upstream
  kImmediateNolock,  // stop at once; the key is someone else's already: follow `leader`
  kRewind,           // stop (fast) and stay down: the next loop rewinds from `leader`
};
const char* DemoteModeName(DemoteMode mode);  // "offline", "immediate", ...

namespace action {
struct RaceInitialize {  // create-if-absent `initialize`; stop if lost
  bool operator==(const RaceInitialize&) const = default;
};
struct Bootstrap {  // initdb, start, roles, sysid, /config, leader key
  bool operator==(const Bootstrap&) const = default;
};
struct CloneFromLeader {  // pg_basebackup from `source`
  std::string source;
  std::string then;  // the member to stream from once cloned, when not `source`; "" = source
  bool operator==(const CloneFromLeader&) const = default;
};
struct StartPrimary {  // start PostgreSQL as primary (we hold the key)
  bool operator==(const StartPrimary&) const = default;
};
struct StartReplica {  // start PostgreSQL in recovery following `upstream` ("" = no upstream)
  std::string upstream;
  bool operator==(const StartReplica&) const = default;
};
struct Follow {  // repoint a running replica at `upstream`
  std::string upstream;
  bool operator==(const Follow&) const = default;
};
struct AcquireLeader {  // create-if-absent leader key; stop if lost
  bool operator==(const AcquireLeader&) const = default;
};
struct Promote {  // pg_ctl promote, then /history
  bool operator==(const Promote&) const = default;
};
struct Checkpoint {  // CHECKPOINT after promotion (rewinders need the new timeline on disk)
  bool operator==(const Checkpoint&) const = default;
};
struct Demote {  // stop being primary as `mode` says
  DemoteMode mode = DemoteMode::kOffline;
  std::string leader;  // the member that leads now, if known
  bool operator==(const Demote&) const = default;
};
struct ReleaseLeader {  // delete the key if it is ours
  bool operator==(const ReleaseLeader&) const = default;
};
struct EnsureSlots {  // physical slots for the other members
  bool operator==(const EnsureSlots&) const = default;
};
struct Rewind {  // pg_rewind from `source`; on failure move the data directory aside
  std::string source;
  bool reclone = false;  // rewind cannot help: move the data directory aside to clone anew
  bool operator==(const Rewind&) const = default;
};
struct Switchover {  // leader: checkpoint, stop, hand the key to `candidate` once it has our WAL
  std::string candidate;
  bool operator==(const Switchover&) const = default;
};
struct ClearFailover {  // overwrite /failover with {} (request done or impossible)
  bool operator==(const ClearFailover&) const = default;
};
struct SyncReplication {              // leader: /sync and synchronous_standby_names (ha/sync.h)
  std::string names;                  // the synchronous_standby_names value
  std::vector<std::string> standbys;  // the members /sync lists
  int quorum = 0;                     // /sync `quorum` (quorum commit: ha/quorum.h)
  bool operator==(const SyncReplication&) const = default;
};
struct ClearSync {  // synchronous_mode is off: delete /sync
  bool operator==(const ClearSync&) const = default;
};
struct WriteFailsafe {  // leader: /failsafe = these members (name -> api_url)
  std::map<std::string, std::string> members;
  bool operator==(const WriteFailsafe&) const = default;
};
struct ClearFailsafe {  // failsafe_mode is off: delete /failsafe
  bool operator==(const ClearFailsafe&) const = default;
};
// A primary without etcd: POST /failsafe to every other member of the last /failsafe read; when
// all accept, it may run on until ttl after the request was sent (docs/safety.md, failsafe).
struct ConfirmFailsafe {
  bool operator==(const ConfirmFailsafe&) const = default;
};
struct Halt {  // refuse to run: exit with `message`
  std::string message;
  bool operator==(const Halt&) const = default;
};
}  // namespace action

// The alternatives in ActionKind's order: KindOf() is the variant's index.
using Action =
    std::variant<action::RaceInitialize, action::Bootstrap, action::CloneFromLeader,
                 action::StartPrimary, action::StartReplica, action::Follow, action::AcquireLeader,
                 action::Promote, action::Checkpoint, action::Demote, action::ReleaseLeader,
                 action::EnsureSlots, action::Rewind, action::Switchover, action::ClearFailover,
                 action::SyncReplication, action::ClearSync, action::WriteFailsafe,
                 action::ClearFailsafe, action::ConfirmFailsafe, action::Halt>;

enum class ActionKind {
  kRaceInitialize,
  kBootstrap,
  kCloneFromLeader,
  kStartPrimary,
  kStartReplica,
  kFollow,
  kAcquireLeader,
  kPromote,
  kCheckpoint,
  kDemote,
  kReleaseLeader,
  kEnsureSlots,
  kRewind,
  kSwitchover,
  kClearFailover,
  kSyncReplication,
  kClearSync,
  kWriteFailsafe,
  kClearFailsafe,
  kConfirmFailsafe,
  kHalt,
};
inline constexpr size_t kActionKinds = static_cast<size_t>(ActionKind::kHalt) + 1;
static_assert(std::variant_size_v<Action> == kActionKinds, "one Action alternative per kind");

inline ActionKind KindOf(const Action& action) { return static_cast<ActionKind>(action.index()); }
const char* ActionName(ActionKind kind);
// "name [member] [(detail)]", as scenario files write it: "demote node1 (immediate-nolock)".
std::string Describe(const Action& action);

}  // namespace pgha::ha
