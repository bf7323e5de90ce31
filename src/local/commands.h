#pragma once
// The verbs of `pghactl local`, one function each (RunLocal dispatches). Each returns an exit code.
#include <iostream>
#include <ostream>
#include <vector>

#include "local/context.h"
#include "local/local.h"

namespace pgha::ctl {

int LocalUp(const LocalOptions& opt);
int LocalDown(const LocalOptions& opt);
int LocalStatus(const LocalOptions& opt);
int LocalDestroy(const LocalOptions& opt);
int LocalKill(const LocalOptions& opt);
int LocalStopNode(const LocalOptions& opt);
int LocalStartNode(const LocalOptions& opt);

// Stops the given components in a safe order: HAProxy, the leader's agent (found via
// GET /primary) and then the other agents (SIGKILL after 30 s), leftover postmasters of those
// nodes, etcd (SIGKILL after 10 s).
void StopComponents(const LocalContext& ctx, const std::vector<Component>& components);

// For a failed result: prints "error: <its message>" to stderr and returns true.
template <class R>
bool SaidError(const R& r) {
  if (r.ok()) return false;
  std::cerr << "error: " << r.message() << "\n";
  return true;
}

// Connection strings, stats URL and a `pghactl list` hint.
void PrintSummary(const LocalContext& ctx, std::ostream& out);

}  // namespace pgha::ctl
