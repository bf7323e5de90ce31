#pragma once
// The agent's log lines in Patroni's format, so that what Patroni users grep for (and Patroni's
// acceptance suite reads at column 24) is where they expect it:
//   2026-12-06 23:00:45,166 CRITICAL: [postgres-0] Can't start; there is already a node ...
// Python's asctime (comma before the milliseconds), its level names (DEBUG, INFO, WARNING,
// ERROR, CRITICAL) and ": "; the member name follows, as pgha's lines always carried it.
#include <string>

namespace pgha::agent {

void UsePatroniLogFormat(const std::string& member);

}  // namespace pgha::agent
