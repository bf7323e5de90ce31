// Health-check status codes (docs/interfaces.md §3.1), following Patroni's api.py do_GET.
#include "api/health.h"

#include <array>
#include <limits>
#include <string_view>

#include "api/facts.h"
#include "core/lsn.h"
#include "core/strings.h"

namespace pgha::api {
namespace {

constexpr std::array<std::string_view, 20> kHealthPaths = {"/",
                                                           "/primary",
                                                           "/read-write",
                                                           "/master",
                                                           "/leader",
                                                           "/standby-leader",
                                                           "/standby_leader",
                                                           "/replica",
                                                           "/read-only",
                                                           "/sync",
                                                           "/synchronous",
                                                           "/async",
                                                           "/asynchronous",
                                                           "/quorum",
                                                           "/read-only-sync",
                                                           "/read-only-synchronous",
                                                           "/read-only-quorum",
                                                           "/health",
                                                           "/liveness",
                                                           "/readiness"};

const std::string* QueryValue(const Query& query, const std::string& key) {
  auto it = query.find(key);
  return it == query.end() ? nullptr : &it->second;
}

bool Running(const Snapshot& s) { return s.pg.running && s.pg.state == "running"; }

std::string ReplicationState(const Snapshot& s) {
  if (!s.pg.running || !s.pg.in_recovery) return "";
  return s.pg.streaming ? "streaming" : "in archive recovery";
}

// `lag=` as Patroni parses it; an unparsable value means "no limit".
uint64_t MaxLag(const Query& query, uint64_t fallback) {
  const std::string* text = QueryValue(query, "lag");
  if (!text) return fallback;
  return ParseByteSize(*text).value_or(fallback);
}

int ReplicaCode(const Snapshot& s, const Query& query) {
  if (!Running(s) || !s.pg.in_recovery || s.tags.noloadbalance) return 503;
  uint64_t max_lag = MaxLag(query, std::numeric_limits<uint64_t>::max());
  if (LagBytes(s) > max_lag) return 503;
  const std::string* state = QueryValue(query, "replication_state");
  if (state && *state != ReplicationState(s)) return 503;
  return 200;
}

// Leader as the health paths see it: the key holder, or (DCS unreachable while paused) whatever
// PostgreSQL itself says.
bool ActsAsLeader(const Snapshot& s) {
  if (!s.dcs_ok && s.settings.pause) return s.pg.running && !s.pg.in_recovery;
  return s.is_leader;
}

bool TagsMatch(const Snapshot& s, const Query& query) {
  for (const auto& [key, value] : query) {
    if (!StartsWith(key, "tag_")) continue;
    auto it = s.tags.raw.find(key.substr(4));
    if (it == s.tags.raw.end() || TagQueryText(it->second) != value) return false;
  }
  return true;
}

int Readiness(const Snapshot& s, const Query& query) {
  if (s.is_leader) return 200;
  if (!Running(s) || ReplicationState(s) != "streaming") return 503;
  const std::string* mode = QueryValue(query, "mode");
  bool by_receive = mode && *mode == "write";
  return LagBytes(s, by_receive) <= MaxLag(query, s.settings.maximum_lag_on_failover) ? 200 : 503;
}

// Paths that need the DCS view (/sync membership); 503 while the DCS is unreachable.
int SyncPathCode(const std::string& path, const Snapshot& s, const Query& query, int primary) {
  if (!s.dcs_ok) return 503;
  bool sync = IsSyncStandby(s), quorum = IsQuorumStandby(s);
  if (path == "/sync" || path == "/synchronous") return sync ? ReplicaCode(s, query) : 503;
  if (path == "/quorum") return quorum ? ReplicaCode(s, query) : 503;
  if (path == "/async" || path == "/asynchronous") {
    return !sync && !quorum ? ReplicaCode(s, query) : 503;
  }
  if (path == "/read-only-sync" || path == "/read-only-synchronous") {
    return primary == 200 ? 200 : (sync ? ReplicaCode(s, query) : 503);
  }
  if (path == "/read-only-quorum")
    return primary == 200 ? 200 : (quorum ? ReplicaCode(s, query) : 503);
  return 503;
}

}  // namespace

bool IsHealthPath(const std::string& path) {
  for (std::string_view p : kHealthPaths)
    if (p == path) return true;
  return false;
}

int HealthStatus(const std::string& path, const Query& query, const Snapshot& s, MonoTime now) {
  if (path == "/liveness") return s.settings.pause || now < s.liveness_deadline ? 200 : 503;
  if (path == "/readiness") return Readiness(s, query);
  // No standby clusters yet: the leader is always a primary.
  int primary = ActsAsLeader(s) ? 200 : 503;
  if (path == "/" || path == "/primary" || path == "/read-write" || path == "/master" ||
      path == "/leader") {
    return primary;  // tag_ filters are ignored on leader paths, as in Patroni
  }
  if (path == "/standby-leader" || path == "/standby_leader") return 503;
  int code = 503;
  if (path == "/replica")
    code = ReplicaCode(s, query);
  else if (path == "/read-only")
    code = primary == 200 ? 200 : ReplicaCode(s, query);
  else if (path == "/health")
    code = Running(s) ? 200 : 503;
  else
    code = SyncPathCode(path, s, query, primary);
  return code == 200 && !TagsMatch(s, query) ? 503 : code;
}

}  // namespace pgha::api
