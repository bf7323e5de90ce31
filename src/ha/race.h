#pragma once
// The race for a free leader key (IsHealthiest, in decision.h) and an operator's choice of
// candidate: the checks both share.
#include <cstdint>
#include <string>

#include "ha/decision.h"

namespace pgha::ha {

inline constexpr char kNotAllowedToPromote[] =
    "tags forbid promotion (nofailover / failover_priority)";

inline bool IsPrimary(const LocalPg& pg) { return pg.running && !pg.in_recovery; }

// `wal` is further behind the leader's last published position than maximum_lag_on_failover.
bool LagsTooFar(const Observation& obs, uint64_t wal);

// Whether member `name` takes part in a race: in synchronous mode only the standbys /sync names.
bool RacesUnderSync(const Observation& obs, const std::string& name);

// The member key of `name` says its PostgreSQL runs or starts, with a WAL position, and the
// member may be promoted (tags, /sync), on timeline `timeline` or a newer one: if its agent does
// not answer, it may hold more WAL than the key shows.
bool KeyMayHoldMore(const Observation& obs, const std::string& name, uint32_t timeline);

// Why the /failover request cannot make `candidate` the leader now ("" when it can): the same
// limits as a race (tags, /sync, lag) plus the request's own schedule, as Patroni checks them.
std::string ManualCandidateProblem(const Observation& obs, const std::string& candidate);

}  // namespace pgha::ha
