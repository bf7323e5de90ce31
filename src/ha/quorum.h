#pragma once
// Quorum commit (synchronous_mode: quorum, docs/synchronous.md "Quorum commit"): the rules that
// keep synchronous_standby_names (ANY k (...)) and the `/sync` key (voters and quorum) consistent,
// and the check a voter makes before it may be promoted.
//
// The invariant: a commit is acknowledged once k of the standbys the value in force names have
// it; a promotion needs a voter that `/sync` lists, not behind `quorum` other voters it heard
// from. Every acknowledging set must meet every such set of quorum + 1 voters:
//     k > |names|  or  quorum + 1 > |voters|  or  k + quorum >= |names ∪ voters|
// (QuorumSafe). The leader moves one side at a time: synchronous_standby_names only to a value
// that is safe with the `/sync` in force (raising `/sync`'s quorum first if need be), and `/sync`
// only to voters that hold the commits acknowledged under earlier values (those confirmed up to
// Observation::sync_names_settled_lsn), or to a state no weaker than the one in force.
#include <optional>
#include <string>
#include <vector>

#include "core/sync_standby_names.h"
#include "ha/action.h"
#include "ha/decision.h"

namespace pgha::ha {

// The acknowledging sets of `value` all meet every set of quorum + 1 of `voters`. An unparsable
// value counts as asynchronous (num 0), the strict placeholder as a standby that never confirms.
bool QuorumSafe(const SyncStandbyNames& value, const std::vector<std::string>& voters, int quorum);

// synchronous_standby_names for quorum commit: "ANY k ("a","b")", "ANY 1 (*)" or "".
std::string QuorumSyncStandbyNamesValue(int num, const std::vector<std::string>& names);

// The leader's next quorum-commit step: /sync (voters, quorum) and synchronous_standby_names as
// the action writes them (/sync first), or nullopt when both are where they should be, or when
// /sync must wait for voters to catch up (then `waiting`, if given, says for what).
std::optional<action::SyncReplication> QuorumSyncStep(const Observation& obs,
                                                      std::string* waiting = nullptr);

// What synchronous_standby_names a primary restarting under the key (after a crash) starts with:
// ANY |voters| - quorum (voters) from the /sync it wrote; nullopt when /sync allows any value.
std::optional<std::string> QuorumRestartValue(const ClusterView& view, const std::string& me);

// Why `candidate`, a voter at `wal` on `timeline`, may not be promoted yet ("" when it may): this
// member must have heard, from `quorum` other voters /sync lists (or from the /sync leader
// itself), a fresh WAL position at or behind the candidate's (an ahead one vetoes elsewhere).
// Every member judges a candidate alike, so none waits for a candidate that will not take over.
// "" outside quorum commit, or while no leader has written /sync (SyncRestrictsRace).
std::string QuorumPromotionProblem(const Observation& obs, const std::string& candidate,
                                   uint64_t wal, uint32_t timeline);

}  // namespace pgha::ha
