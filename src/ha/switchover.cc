// Planned switchover and manual failover (the /failover key, docs/interfaces.md §5.2):
// the pure pieces Decide uses on the leader and on the candidate.
#include "ha/decision.h"

namespace pgha::ha {

std::string CandidateProblem(const ClusterView& view, const std::string& candidate) {
  const Member* m = view.FindMember(candidate);
  if (!m) return candidate + " is not a member of the cluster";
  if (view.leader == candidate) return candidate + " is already the leader";
  if (m->state != "running" || m->role != "replica") {
    return candidate + " is not a running replica (state " + m->state + ")";
  }
  if (!m->tags.CanPromote()) return candidate + " has tags that forbid promotion";
  return "";
}

}  // namespace pgha::ha
