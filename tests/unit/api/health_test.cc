#include "api/health.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures.h"

namespace pgha::api {
namespace {

using namespace testing;  // NOLINT

int Code(const std::string& path, const Snapshot& s, const Query& q = {}) {
  return HealthStatus(path, q, s, T0());
}

struct Row {
  std::string path;
  int primary, replica, stopped, unlocked;
};

TEST(HealthStatus, EveryPathForEachSnapshot) {
  // No /sync key in these snapshots: the replica is asynchronous.
  const std::vector<Row> rows = {
      {"/", 200, 503, 503, 503},
      {"/primary", 200, 503, 503, 503},
      {"/read-write", 200, 503, 503, 503},
      {"/master", 200, 503, 503, 503},
      {"/leader", 200, 503, 503, 503},
      {"/standby-leader", 503, 503, 503, 503},
      {"/standby_leader", 503, 503, 503, 503},
      {"/replica", 503, 200, 503, 503},
      {"/read-only", 200, 200, 503, 503},
      {"/sync", 503, 503, 503, 503},
      {"/synchronous", 503, 503, 503, 503},
      {"/quorum", 503, 503, 503, 503},
      {"/async", 503, 200, 503, 503},
      {"/asynchronous", 503, 200, 503, 503},
      {"/read-only-sync", 200, 503, 503, 503},
      {"/read-only-synchronous", 200, 503, 503, 503},
      {"/read-only-quorum", 200, 503, 503, 503},
      {"/health", 200, 200, 503, 200},
      {"/liveness", 200, 200, 200, 200},
      {"/readiness", 200, 200, 503, 503},
      {"/no-such-path", 503, 503, 503, 503},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.path);
    EXPECT_EQ(Code(r.path, Primary()), r.primary);
    EXPECT_EQ(Code(r.path, Replica()), r.replica);
    EXPECT_EQ(Code(r.path, Stopped()), r.stopped);
    EXPECT_EQ(Code(r.path, Unlocked()), r.unlocked);
  }
}

TEST(HealthStatus, IsHealthPath) {
  EXPECT_TRUE(IsHealthPath("/"));
  EXPECT_TRUE(IsHealthPath("/read-only-quorum"));
  EXPECT_TRUE(IsHealthPath("/liveness"));
  EXPECT_FALSE(IsHealthPath("/patroni"));
  EXPECT_FALSE(IsHealthPath("/cluster"));
  EXPECT_FALSE(IsHealthPath("/primary/"));
}

TEST(HealthStatus, ReplicaLagFilter) {
  Snapshot s = Replica();  // optime 0x5000060, replayed 0x5000000: lag 0x60 = 96 bytes
  EXPECT_EQ(Code("/replica", s, {{"lag", "96"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"lag", "95"}}), 503);
  EXPECT_EQ(Code("/replica", s, {{"lag", "1kB"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"lag", "garbage"}}), 200);  // unparsable: no limit, as Patroni
  s.cluster_optime = 0x5000000 + 2 * 1024 * 1024;
  EXPECT_EQ(Code("/replica", s, {{"lag", "1MB"}}), 503);
  EXPECT_EQ(Code("/async", s, {{"lag", "1MB"}}), 503);
  EXPECT_EQ(Code("/read-only", s, {{"lag", "3MB"}}), 200);
  EXPECT_EQ(Code("/replica", s), 200);  // no lag= means no lag check
}

TEST(HealthStatus, LagUsesReceivedWhenAheadOfOptime) {
  Snapshot s = Replica();
  s.cluster_optime.reset();
  s.pg.receive_lsn = s.pg.replay_lsn + 4096;
  EXPECT_EQ(Code("/replica", s, {{"lag", "4096"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"lag", "4095"}}), 503);
}

TEST(HealthStatus, ReplicationStateFilter) {
  Snapshot s = Replica();
  EXPECT_EQ(Code("/replica", s, {{"replication_state", "streaming"}}), 200);
  s.pg.streaming = false;
  EXPECT_EQ(Code("/replica", s, {{"replication_state", "streaming"}}), 503);
  EXPECT_EQ(Code("/replica", s), 200);
}

TEST(HealthStatus, NoLoadBalanceTag) {
  Snapshot s = Replica();
  s.tags.noloadbalance = true;
  EXPECT_EQ(Code("/replica", s), 503);
  EXPECT_EQ(Code("/read-only", s), 503);
}

TEST(HealthStatus, TagFilters) {
  Snapshot s = Replica();
  s.tags.raw = {{"dc", "\"east\""}, {"nofailover", "true"}, {"weight", "3"}};
  EXPECT_EQ(Code("/replica", s, {{"tag_dc", "east"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"tag_dc", "west"}}), 503);
  EXPECT_EQ(Code("/replica", s, {{"tag_dc", "\"east\""}}), 503);
  EXPECT_EQ(Code("/replica", s, {{"tag_nofailover", "true"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"tag_nofailover", "false"}}), 503);
  EXPECT_EQ(Code("/replica", s, {{"tag_weight", "3"}}), 200);
  EXPECT_EQ(Code("/replica", s, {{"tag_missing", "x"}}), 503);
  EXPECT_EQ(Code("/replica", s, {{"tag_dc", "east"}, {"tag_weight", "4"}}), 503);
  Snapshot p = Primary();
  EXPECT_EQ(Code("/primary", p, {{"tag_dc", "west"}}), 200);  // ignored on leader paths
  EXPECT_EQ(Code("/read-only", p, {{"tag_dc", "west"}}), 503);
}

TEST(HealthStatus, SyncAndQuorumMembership) {
  Snapshot s = Replica();
  s.sync = ha::SyncState{"node1", {"node2"}, 0};
  EXPECT_EQ(Code("/sync", s), 200);
  EXPECT_EQ(Code("/synchronous", s), 200);
  EXPECT_EQ(Code("/read-only-sync", s), 200);
  EXPECT_EQ(Code("/async", s), 503);
  EXPECT_EQ(Code("/quorum", s), 503);
  // A voter is a quorum standby under synchronous_mode: quorum, even when /sync's quorum is 0
  // (every voter confirms: synchronous_node_count equals the voters).
  s.settings.synchronous_mode = s.settings.synchronous_mode_quorum = true;
  EXPECT_EQ(Code("/quorum", s), 200);
  s.sync->quorum = 1;
  EXPECT_EQ(Code("/quorum", s), 200);
  EXPECT_EQ(Code("/read-only-quorum", s), 200);
  EXPECT_EQ(Code("/sync", s), 503);
  s.dcs_ok = false;  // membership needs the DCS
  EXPECT_EQ(Code("/quorum", s), 503);
}

TEST(HealthStatus, LivenessDeadlineAndPause) {
  Snapshot s = Primary();
  EXPECT_EQ(HealthStatus("/liveness", {}, s, s.liveness_deadline - std::chrono::milliseconds(1)),
            200);
  EXPECT_EQ(HealthStatus("/liveness", {}, s, s.liveness_deadline), 503);
  s.settings.pause = true;
  EXPECT_EQ(HealthStatus("/liveness", {}, s, s.liveness_deadline + std::chrono::hours(1)), 200);
}

TEST(HealthStatus, Readiness) {
  Snapshot s = Replica();  // lag 96 bytes
  s.settings.maximum_lag_on_failover = 96;
  EXPECT_EQ(Code("/readiness", s), 200);
  s.settings.maximum_lag_on_failover = 95;
  EXPECT_EQ(Code("/readiness", s), 503);
  EXPECT_EQ(Code("/readiness", s, {{"lag", "1kB"}}), 200);
  EXPECT_EQ(Code("/readiness", s, {{"mode", "write"}}), 200);  // received == optime
  s.pg.streaming = false;
  EXPECT_EQ(Code("/readiness", s, {{"lag", "1kB"}}), 503);
}

TEST(HealthStatus, PausedWithoutDcsTrustsPostgres) {
  Snapshot s = Unlocked();
  s.dcs_ok = false;
  EXPECT_EQ(Code("/primary", s), 503);
  s.settings.pause = true;
  EXPECT_EQ(Code("/primary", s), 200);
  EXPECT_EQ(Code("/primary", Replica()), 503);
}

}  // namespace
}  // namespace pgha::api
