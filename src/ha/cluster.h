#pragma once
// The cluster as seen in the DCS, in Patroni's nouns. Plain data: no I/O, no JSON library.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgha::ha {

// Tags a member publishes (docs/interfaces.md §4.1). Unknown tags are kept verbatim in `raw`
// (as their JSON text) so they round-trip to etcd and REST unchanged.
struct Tags {
  bool nofailover = false;
  std::optional<int> failover_priority;  // <= 0 means "never promote"
  bool noloadbalance = false;
  bool nosync = false;
  std::optional<int> sync_priority;  // <= 0 means "never synchronous"
  bool clonefrom = false;
  bool nostream = false;
  std::string replicatefrom;
  std::map<std::string, std::string> raw;  // tag name -> JSON text of its value (all tags)
  // As Patroni (tags.py): nofailover, when given, decides; otherwise failover_priority <= 0
  // forbids promotion. A contradiction is warned about when the configuration is read.
  bool CanPromote() const {
    if (raw.count("nofailover") != 0) return !nofailover;
    return !nofailover && (!failover_priority || *failover_priority > 0);
  }
  int Priority() const { return nofailover ? 0 : failover_priority.value_or(1); }
  // The same rule for nosync and sync_priority: nosync, when given, decides whether this member
  // may be a synchronous standby; the higher SyncPriority, the sooner it is picked.
  bool CanBeSync() const {
    if (raw.count("nosync") != 0) return !nosync;
    return !nosync && (!sync_priority || *sync_priority > 0);
  }
  int SyncPriority() const { return nosync ? 0 : sync_priority.value_or(1); }
  bool operator==(const Tags&) const = default;
};

// Whether a configured tag is published (member key, GET /patroni, /cluster), as Patroni does:
// the flags clonefrom, nofailover, noloadbalance, nosync and nostream only when set (nofailover
// also beside failover_priority, nosync beside sync_priority); any other tag always.
bool PublishTag(const Tags& tags, const std::string& name, const std::string& json_text);

// One `members/<name>` key.
struct Member {
  std::string name;
  std::string conn_url;  // postgres://host:port/postgres
  std::string api_url;   // http://host:port/patroni
  std::string state;     // running, starting, stopped, crashed, creating replica, ...
  std::string role;      // primary, replica, uninitialized, demoted, ...
  std::string version;   // agent version
  std::optional<uint64_t> xlog_location;  // primary: write LSN; replica: max(receive, replay)
  std::optional<uint64_t> receive_lsn;
  std::optional<uint64_t> replay_lsn;
  std::string replication_state;  // streaming, in archive recovery, or empty
  std::optional<uint32_t> timeline;
  Tags tags;
  bool pending_restart = false;
  bool pause = false;
  std::optional<bool> checkpoint_after_promote;  // published only while false
  std::string reason;  // pgha extension: the last decision's reason (Patroni ignores it)
  bool operator==(const Member&) const = default;
};

struct HistoryEntry {
  uint32_t timeline = 0;
  uint64_t switch_lsn = 0;
  std::string reason;
  std::string timestamp;
  std::string new_leader;
  bool operator==(const HistoryEntry&) const = default;
};

struct FailoverRequest {
  std::string leader;  // set: switchover from this leader
  std::string member;  // candidate
  std::string scheduled_at;
  bool operator==(const FailoverRequest&) const = default;
};

// /pgha_timeline (pgha's own key; Patroni ignores it): the highest timeline number a member has
// claimed before promoting. A promotion always picks a higher one, so two members never promote
// to the same timeline number even when the first one's /history write never landed
// (docs/safety.md, "Timeline numbers").
struct TimelineClaim {
  uint32_t timeline = 0;
  std::string member;
  bool operator==(const TimelineClaim&) const = default;
};

struct SyncState {
  std::string leader;
  std::vector<std::string> sync_standby;
  int quorum = 0;
  bool operator==(const SyncState&) const = default;
};

// A snapshot of the whole `/<namespace>/<scope>/` prefix at one etcd revision.
struct ClusterView {
  int64_t revision = 0;
  std::optional<std::string> initialize;  // present = key exists; value = sysid ("" while racing)
  std::optional<std::string> leader;      // leader member name
  int64_t leader_lease = 0;
  int64_t leader_mod_revision = 0;
  std::vector<Member> members;            // sorted by name
  std::optional<uint64_t> optime;         // status.optime: the leader's last published LSN
  std::map<std::string, uint64_t> slots;  // status.slots
  std::string config_json;                // raw /config value ("" when absent)
  int64_t config_mod_revision = 0;
  std::vector<HistoryEntry> history;
  std::optional<FailoverRequest> failover;
  int64_t failover_mod_revision = 0;
  std::optional<SyncState> sync;
  int64_t sync_mod_revision = 0;
  std::optional<TimelineClaim> timeline_claim;
  int64_t timeline_claim_mod_revision = 0;
  // /failsafe: the members the leader last wrote there (name -> api_url) while failsafe_mode
  // was on. Empty when the key is absent, empty or not a JSON object of strings (as Patroni,
  // such a key is ignored).
  std::map<std::string, std::string> failsafe;

  const Member* FindMember(const std::string& name) const {
    for (const auto& m : members)
      if (m.name == name) return &m;
    return nullptr;
  }
  const Member* LeaderMember() const { return leader ? FindMember(*leader) : nullptr; }
  // Timeline the cluster is on according to /history (last entry + 1; 1 without history).
  uint32_t HistoryTimeline() const { return history.empty() ? 1 : history.back().timeline + 1; }
  bool operator==(const ClusterView&) const = default;
};

}  // namespace pgha::ha
