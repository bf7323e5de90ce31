#pragma once
// The cold-start window (docs/safety.md, section 6): in the first ttl after this agent started,
// a promotion waits for members that may hold WAL the candidate lacks but cannot show it yet.
// After a power loss of every node the agents boot together: one may find a peer whose REST API
// does not listen yet, whose PostgreSQL has not started yet, or whose member key expired while
// everything was down. The window is bounded by ttl, so a member that never comes back delays a
// failover by at most that.
#include <cstdint>
#include <string>

#include "ha/decision.h"

namespace pgha::ha {

// The first ttl after this agent started, while it has not seen a leader key since.
bool InColdStartWindow(const Observation& obs);

// Why `candidate` (on `timeline`) may not be promoted yet: "" when nothing holds it up, or
// outside the window.
std::string ColdStartProblem(const Observation& obs, const std::string& candidate,
                             uint32_t timeline);

}  // namespace pgha::ha
