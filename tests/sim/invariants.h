#pragma once
// The properties checked after every simulator step (and at the end of the quiet period).
// Each check returns the violation as text, or nullopt.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ha/cluster.h"
#include "sim/fake_postgres.h"
#include "sim/sim_etcd.h"

namespace pgha::sim {

inline constexpr char kScope[] = "sim";

// A write a client got acknowledged by the unique writable primary.
struct AckedWrite {
  std::vector<Segment> history;
  uint64_t lsn = 0;
  std::string primary;         // for reports
  bool confirmed = false;      // a synchronous standby had it when the client got the ack
  std::string sync_leader;     // the leader /sync named at that moment ("" if no /sync)
  bool forgiven = false;       // already lost to a tolerated known bug: not reported again
  MonoTime acked_at{};         // when the client got the acknowledgement
  uint64_t acked_seq = 0;      // the same, in event order (World::NewUid)
  uint64_t primary_since = 0;  // event order stamp: its primary last became writable
};

// The cluster as the DCS holds it right now (through the real codec).
ha::ClusterView ReadView(const SimEtcd& etcd);

using Servers = std::vector<const FakePostgres*>;

// (1) At most one PostgreSQL accepts writes at any instant.
std::optional<std::string> AtMostOneWritable(const Servers& servers);
// (2) A promoted replica was within maximum_lag_on_failover of the last published optime.
std::optional<std::string> PromotionWithinLag(const FakePostgres& pg,
                                              std::optional<uint64_t> optime, uint64_t max_lag);
// (4) + (5) after the quiet period: the leader key holder is a running primary and every other
// server is a running replica streaming from it. Replicas whose history diverged from the
// leader's (they need pg_rewind) are counted in `diverged` and pass unless `strict_rewind`.
std::optional<std::string> Converged(const std::optional<std::string>& leader,
                                     const Servers& servers, bool strict_rewind, int* diverged);
// Known agent bugs (README.md, "Bugs found"): names the bug a final-check violation is an
// instance of, or "" when it is none of them.
//   B1: leaderless for ever: a replica left on an older timeline has a higher WAL position than
//       every member on the newest timeline. ha::IsHealthiest lets each veto the other ("higher
//       WAL position" one way, "newer timeline" / "timeline behind the cluster's" the other).
//   B2: /history misses a promotion (its write failed and is never retried): another member
//       promotes to the same timeline number, or a diverged replica finds no switch point; either
//       way that replica never rewinds and never streams again.
//   B4: leaderless for ever after a switchover or failover to a named member that will not take
//       the key (its WAL lags the last optime by more than maximum_lag_on_failover, or it is on
//       an older timeline): ha::ManualCandidateProblem checks lag only for the member itself,
//       so every other member waits for it, and only a leader clears /failover.
std::string KnownBug(const ha::ClusterView& view, const Servers& servers);

// Whether an acknowledged write is part of `leader`'s history.
bool HasWrite(const FakePostgres& leader, const AckedWrite& w);
// Acknowledged writes that are not part of `leader`'s history.
int LostWrites(const std::vector<AckedWrite>& acked, const FakePostgres& leader);
// Synchronous mode: the known pgha bug a set of lost acknowledged writes is an instance of, or "".
// Both need every lost write to have been acknowledged without any standby's confirmation (the
// primary's synchronous_standby_names was empty, for the commit-waiting checkpointer):
//   S1: ... while /sync did not name its primary as the leader: a freshly bootstrapped leader
//       acknowledges commits before it ever wrote /sync, so the race is not restricted to it.
//   S2: ... while /sync named its primary with no standby, and that leader then listed in /sync a
//       standby that had not received them: a standby is published once pg_stat_replication
//       reports it "sync", with no check that its flush LSN reached the commits acknowledged
//       before the setting took effect.
std::string KnownSyncBug(const std::vector<const AckedWrite*>& lost);

// (3) Timelines only move forward: per server, and the cluster's /history.
class TimelineChecker {
 public:
  std::optional<std::string> Check(const Servers& servers, const SimEtcd& etcd);

 private:
  std::map<std::string, uint32_t> server_max_;
  int64_t history_revision_ = 0;
  uint32_t history_max_ = 0;
};

}  // namespace pgha::sim
