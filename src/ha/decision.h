#pragma once
// Observation in, decision out: the pure heart of the agent (docs/architecture.md, "The loop").
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ha/action.h"
#include "ha/cluster.h"
#include "ha/local_state.h"
#include "ha/settings.h"

namespace pgha::ha {

// A peer's GET /patroni answer, fetched only while the leader key is free.
struct PeerStatus {
  std::string name;
  bool reachable = false;
  bool running = false;   // its PostgreSQL is running (state "running")
  bool starting = false;  // its postmaster is up but not accepting connections yet
  std::string role;       // primary / replica
  uint64_t wal_position = 0;
  uint32_t timeline = 0;
  // Its positions are the last loop's, not read at the request (api/server.h live_positions):
  // a lower bound, so they may still veto, but cannot vouch for a quorum-commit promotion.
  bool positions_stale = false;
  Tags tags;
  bool operator==(const PeerStatus&) const = default;
};

struct Observation {
  std::string me;
  MonoTime now{};
  double wall_now = 0;  // epoch seconds, only for comparing with scheduled_at timestamps
  Settings settings;
  Tags tags;
  bool dcs_ok = false;
  ClusterView cluster;  // meaningful only when dcs_ok
  LocalPg pg;
  std::vector<PeerStatus> peers;  // probes of the other members (empty unless unlocked)
  // The lease is good until this moment on our monotonic clock (send time of the last
  // successful keepalive + ttl). Unset: we never had one.
  std::optional<MonoTime> lease_valid_until;
  bool checkpoint_after_promote_pending = false;  // promoted, CHECKPOINT not yet done
  bool watchdog_usable = true;   // false: watchdog.mode is required and the device is unusable
  bool watchdog_failed = false;  // required watchdog could not be kept alive while leading
  bool fence_failed = false;     // the fencing guard died and could not be restarted
  // Since when PostgreSQL has not been running while we hold the leader key.
  std::optional<MonoTime> primary_down_since;
  // Our starts of PostgreSQL as primary, under the key we still hold, have failed outright (pg_ctl
  // said so: a broken configuration, a missing file) for kStartFailureGrace, as opposed to one
  // still in crash recovery. Not at the first failure: after a SIGKILLed postmaster, starts fail
  // until its zombie is reaped (its lock files name a PID that still exists) or its orphaned
  // backends let go of the shared memory (cluster.failover_test phase 2 failed over that way).
  bool primary_start_failed = false;
  // Since when this running replica has had no streaming WAL receiver.
  std::optional<MonoTime> not_streaming_since;
  // When this member last gave the leader key up because its PostgreSQL could not run as
  // primary (a failed start, primary_start_timeout). For a ttl it leaves the race to the others,
  // as Patroni does after a failed pre_promote: its server, just restarted, would otherwise win
  // a tie it is the worst choice for (Patroni's recovery feature).
  std::optional<MonoTime> released_key_at;
  // This primary's WAL position, read once pg.synchronous_standby_names had been in force for
  // kSyncSettleTime (ha/sync.h); unset before that. A standby must have flushed up to here before
  // /sync may list it: commits acknowledged before the setting held were not waiting for it.
  std::optional<uint64_t> sync_names_settled_lsn;
  // When this agent process started. For its first ttl (a cold start: every node starting at
  // once after a power loss), a member key of an agent that does not answer yet may predate WAL
  // that member has, so such a member holds the race up whatever position its key shows.
  std::optional<MonoTime> agent_started;
  // Since this agent started, it has streamed from a leader or run as the leader's primary: the
  // cluster worked after it came up. The cold-start window (ha/cold_start.h) is for agents that
  // came up into a cluster that had not (Patroni's recovery feature: a member started 20 s
  // earlier waited out a ttl of 30 s for the leader it had followed, whose PostgreSQL kept
  // failing to start).
  bool leader_seen = false;
  // failsafe_mode, on the primary: every other member of the last /failsafe read accepted our
  // POST /failsafe, and each of them promised not to race until this moment (send time of that
  // round + ttl). Unset: no such round, or the last one was refused or unanswered.
  std::optional<MonoTime> failsafe_valid_until;
  // failsafe_mode, on the primary without etcd: the last round was refused or not answered by a
  // member. As Patroni, the primary then demotes at once, lease or not.
  bool failsafe_refused = false;
  // failsafe_mode, on another member: the primary whose POST /failsafe this agent accepted last,
  // and the moment until which it promised not to race (receipt + ttl). Unset: none.
  struct FailsafeLeader {
    std::string name;
    MonoTime until{};
    bool operator==(const FailsafeLeader&) const = default;
  };
  std::optional<FailsafeLeader> failsafe_leader;
  // A create_replica_methods entry can make this member's data directory without a leader
  // (no_leader: a restore from a backup), as Patroni's "bootstrap (without leader)".
  bool replica_method_without_leader = false;
};

// How long starts as primary must keep failing outright before the key is given up.
inline constexpr Millis kStartFailureGrace{4000};

struct Decision {
  std::vector<Action> actions;
  std::string reason;
};

Decision Decide(const Observation& obs);

// A primary that could not renew demotes this long before its lease may expire; the fencing
// guard kills PostgreSQL 1 s before expiry if that demote has not happened (agent/guard.h).
inline constexpr Millis kDemoteMargin{1500};
// ...and the guard kills PostgreSQL this long before the lease may expire.
inline constexpr Millis kFenceMargin{1000};

// Pure helpers, exposed for tests.
bool IsHealthiest(const Observation& obs, std::string* why_not);
bool LeaseExpiring(const Observation& obs);
// A primary in failsafe mode may keep writing: every member confirmed, with kDemoteMargin left.
bool FailsafeHolds(const Observation& obs);
// Why this member must not take a free leader key, even for a manual failover, because of a
// failsafe promise it gave, or may have given before its agent restarted ("" when none).
std::string FailsafePromiseBlock(const Observation& obs);
// The same, and for an automatic race also: failsafe_mode is on and /failsafe does not list it.
std::string FailsafeRaceBlock(const Observation& obs);
// What the leader writes to /failsafe: every member with an api_url, this one included (empty
// until this member's own key is listed: the topology must name the leader).
std::map<std::string, std::string> FailsafeTopology(const Observation& obs);
// True when this stopped node's data may have diverged from the leader's timeline (its timeline
// differs, lower or higher), so it must be rewound before it can stream (pg_rewind itself finds
// out whether anything needs copying).
bool NeedsRewind(const Observation& obs, const Member& leader);
// True when the timeline this node is on began at another LSN than the cluster's timeline of
// the same number (/history): another member promoted to that number too. Such a node never
// streams again until it is rewound (lower number than the leader's) or re-cloned (same number).
bool OnForeignTimeline(const Observation& obs);
// The LSN where timeline `tl` ended according to /history, if recorded.
std::optional<uint64_t> SwitchPoint(const ClusterView& view, uint32_t tl);
// Why `candidate` cannot take over now ("" when it can): member key, running replica, tags.
std::string CandidateProblem(const ClusterView& view, const std::string& candidate);

}  // namespace pgha::ha
