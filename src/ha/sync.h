#pragma once
// Synchronous replication (synchronous_mode, docs/interfaces.md §5.3): the pure rules the
// leader follows to keep `synchronous_standby_names` and the `/sync` key consistent, and that
// the leader race uses to decide who may be promoted. docs/synchronous.md explains the design.
//
// The invariant: every member `/sync` names holds every acknowledged commit. A listed standby is
// synchronous in the leader's synchronous_standby_names (required count = list length) and had
// caught up before it was listed. Hence removals go to `/sync` first and additions to
// synchronous_standby_names first; an addition reaches `/sync` only on a later loop that sees
// pg_stat_replication report it `sync` and caught up (SyncStandbysToPublish).
#include <chrono>
#include <string>
#include <vector>

#include "ha/decision.h"

namespace pgha::ha {

// Stands in for a standby in strict mode when none is available: no standby has this
// application_name, so commits wait instead of silently becoming asynchronous.
inline constexpr const char* kStrictSyncPlaceholder = "__pgha_strict_sync_placeholder__";

struct SyncTarget {
  std::vector<std::string> names;  // in priority order; may hold the strict placeholder
  int num = 0;                     // how many of `names` must confirm a commit
  bool operator==(const SyncTarget&) const = default;
};

// The standbys that may be synchronous now, best first: streaming, member of the cluster, allowed
// to be synchronous (`nosync`, `sync_priority` > 0: ha::Tags::CanBeSync), not further behind than
// maximum_lag_on_syncnode; highest `sync_priority` first, then those /sync lists (no churn), then
// the most advanced.
std::vector<std::string> RankSyncCandidates(const Observation& obs);

// The position a standby confirms a commit at, as synchronous_commit asks: replayed under
// remote_apply, else flushed (remote_write's write position is not observed; the flush position
// is never ahead of it, so lag is overstated, never understated).
uint64_t ConfirmedLsn(const Observation& obs, const ReplicationClient& r);

// A standby name as synchronous_standby_names quotes it: "a", with " doubled.
std::string QuoteStandbyName(const std::string& name);

// The standbys the leader wants synchronous now: streaming, member of the cluster, allowed to be
// synchronous (`nosync`, `sync_priority` > 0: ha::Tags::CanBeSync), highest `sync_priority` first,
// at most synchronous_node_count of them; members already in `/sync` first (no churn), then the
// most advanced. Strict mode never returns an empty target.
SyncTarget PickSyncStandbys(const Observation& obs);

// synchronous_standby_names for `t`: "" (asynchronous), "\"a\"", or FIRST n ("a","b").
std::string SyncStandbyNamesValue(const SyncTarget& t);

// synchronous_standby_names naming only the placeholder: every commit waits.
std::string PlaceholderSyncStandbyNames();

// What a server that is not the leader writes: it only matters the moment it is promoted, when
// strict mode must not let a single commit through unconfirmed.
std::string IdleSyncStandbyNames(const Settings& settings);
// What a server that is not running as primary writes into its configuration: the idle value,
// except for the key holder that /sync names as leader — its PostgreSQL restarting as primary
// (after a crash) must keep waiting for the standbys /sync lists, or the invariant breaks.
std::string RestartSyncStandbyNames(const Observation& obs);

// How long a new synchronous_standby_names must have been in force before a standby it names is
// published: a reload reaches the walsenders (which pg_stat_replication shows) and the
// checkpointer (which makes commits wait) separately, and only the first can be observed.
inline constexpr std::chrono::seconds kSyncSettleTime{1};

// The standbys `/sync` may list after this loop: those it lists now (when this leader wrote it)
// that stay in the target, plus target members pg_stat_replication reports as synchronous under
// the value in force, whose flush position reached Observation::sync_names_settled_lsn (so they
// also hold every commit acknowledged before the value held). Order follows the target.
std::vector<std::string> SyncStandbysToPublish(const Observation& obs, const SyncTarget& t);

// `/sync` names this leader with these standbys already.
bool SyncKeyMatches(const ClusterView& view, const std::string& me,
                    const std::vector<std::string>& standbys, int quorum = 0);

// True when `/sync` is in force for the leader race: synchronous_mode is on and a leader has
// written the key. Only the members it names may then be promoted automatically.
bool SyncRestrictsRace(const Observation& obs);
// `name` is the `/sync` leader or one of its standbys.
bool InSyncKey(const ClusterView& view, const std::string& name);
// `name` is one of the `/sync` standbys.
bool IsSyncStandby(const ClusterView& view, const std::string& name);

}  // namespace pgha::ha
