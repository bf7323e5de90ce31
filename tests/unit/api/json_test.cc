// StatusJson (/patroni), ClusterJson (/cluster) and HistoryJson (/history).
#include <gtest/gtest.h>

#include "api/health.h"
#include "fixtures.h"

namespace pgha::api {
namespace {

using namespace testing;  // NOLINT
using nlohmann::json;

TEST(StatusJson, Primary) {
  Snapshot s = Primary();
  s.tags.raw = {{"nofailover", "false"}, {"dc", "\"east\""}};
  s.reason = "no action: I am the leader with the lock";
  json j = StatusJson(s);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["role"], "primary");
  EXPECT_EQ(j["server_version"], 150018);
  EXPECT_EQ(j["postmaster_start_time"], "2026-01-01 00:00:00.000+00:00");
  EXPECT_EQ(j["xlog"], json({{"location", 0x5000060}}));
  EXPECT_EQ(j["timeline"], 2);
  ASSERT_EQ(j["replication"].size(), 1u);
  EXPECT_EQ(j["replication"][0], json({{"usename", "replicator"},
                                       {"application_name", "node2"},
                                       {"client_addr", "127.0.0.1"},
                                       {"state", "streaming"},
                                       {"sync_state", "async"},
                                       {"sync_priority", 0}}));
  EXPECT_FALSE(j.contains("replication_state"));
  EXPECT_FALSE(j.contains("cluster_unlocked"));
  EXPECT_FALSE(j.contains("pending_restart"));
  EXPECT_FALSE(j.contains("pause"));
  EXPECT_FALSE(j.contains("watchdog_failed"));
  EXPECT_EQ(j["dcs_last_seen"], 1700000000);
  // As Patroni: a flag tag set to false is not published; any other tag is.
  EXPECT_EQ(j["tags"], json({{"dc", "east"}}));
  EXPECT_EQ(j["database_system_identifier"], "7710918677133999698");
  EXPECT_EQ(j["patroni"], json({{"version", "0.1.0"}, {"scope", "demo"}, {"name", "node1"}}));
  EXPECT_EQ(j["reason"], "no action: I am the leader with the lock");
}

TEST(StatusJson, Replica) {
  Snapshot s = Replica();
  s.sync = ha::SyncState{"node1", {"node2"}, 0};
  json j = StatusJson(s);
  EXPECT_EQ(j["role"], "replica");
  EXPECT_EQ(j["xlog"], json({{"received_location", 0x5000060},
                             {"replayed_location", 0x5000000},
                             {"replayed_timestamp", "2026-01-01 00:00:01+00:00"},
                             {"paused", false}}));
  EXPECT_EQ(j["replication_state"], "streaming");
  EXPECT_EQ(j["sync_standby"], true);
  EXPECT_FALSE(j.contains("replication"));
  EXPECT_FALSE(j.contains("tags"));
  s.pg.streaming = false;
  s.pg.replayed_timestamp.reset();
  j = StatusJson(s);
  EXPECT_EQ(j["replication_state"], "in archive recovery");
  EXPECT_TRUE(j["xlog"]["replayed_timestamp"].is_null());
}

TEST(StatusJson, FlagsOnlyWhenTrue) {
  Snapshot s = Unlocked();
  s.pg.pending_restart = true;
  s.settings.pause = true;
  s.watchdog_failed = true;
  json j = StatusJson(s);
  EXPECT_EQ(j["cluster_unlocked"], true);
  EXPECT_EQ(j["pending_restart"], true);
  EXPECT_EQ(j["pause"], true);
  EXPECT_EQ(j["watchdog_failed"], true);
}

TEST(StatusJson, StoppedHasNoServerFields) {
  json j = StatusJson(Stopped());
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["role"], "replica");
  for (const char* key : {"xlog", "timeline", "server_version", "postmaster_start_time"}) {
    EXPECT_FALSE(j.contains(key)) << key;
  }
  Snapshot empty;  // nothing observed yet
  EXPECT_EQ(StatusJson(empty)["role"], "uninitialized");
}

TEST(StatusJson, StoppedRoleComesFromTheDataDirectory) {
  Snapshot s = Stopped();
  s.pg.standby_signal = false;
  s.pg.in_recovery = true;  // stale: from before the stop
  EXPECT_EQ(StatusJson(s)["role"], "primary");
  s.pg.control_state = "shut down in recovery";
  EXPECT_EQ(StatusJson(s)["role"], "replica");
}

ha::Member MakeMember(std::string name, std::string conn_url, std::optional<uint64_t> lsn) {
  ha::Member m;
  m.name = std::move(name);
  m.conn_url = std::move(conn_url);
  m.api_url = "http://127.0.0.1:8008/patroni";
  m.state = "running";
  m.role = "replica";
  m.xlog_location = lsn;
  m.receive_lsn = lsn;
  m.replay_lsn = lsn;
  m.replication_state = "streaming";
  m.timeline = 2;
  return m;
}

ha::ClusterView ThreeMembers() {
  ha::ClusterView v;
  v.leader = "b-leader";
  v.optime = 0x4000000;
  ha::Member leader = MakeMember("b-leader", "postgres://10.0.0.2:5432/postgres", 0x5000060);
  leader.role = "primary";
  leader.replication_state.clear();
  leader.receive_lsn.reset();
  leader.replay_lsn.reset();
  ha::Member c = MakeMember("c-replica", "postgres://[fe80::1]:5434/postgres", std::nullopt);
  c.state = "starting";
  c.replication_state.clear();
  c.pending_restart = true;
  c.tags.raw = {{"nofailover", "true"}};
  // Deliberately not sorted by name.
  v.members = {c, leader, MakeMember("a-replica", "postgres://db-a:5433/postgres", 0x5000000)};
  return v;
}

TEST(ClusterJson, LeaderAndTwoReplicas) {
  json j = ClusterJson(ThreeMembers(), "demo");
  EXPECT_EQ(j["scope"], "demo");
  EXPECT_FALSE(j.contains("pause"));
  EXPECT_FALSE(j.contains("scheduled_switchover"));
  ASSERT_EQ(j["members"].size(), 3u);
  const json& a = j["members"][0];
  const json& b = j["members"][1];
  const json& c = j["members"][2];
  EXPECT_EQ(a["name"], "a-replica");
  EXPECT_EQ(b["name"], "b-leader");
  EXPECT_EQ(c["name"], "c-replica");

  EXPECT_EQ(b["role"], "leader");
  EXPECT_EQ(b["state"], "running");
  EXPECT_EQ(b["host"], "10.0.0.2");
  EXPECT_EQ(b["port"], 5432);
  EXPECT_EQ(b["timeline"], 2);
  EXPECT_EQ(b["lsn"], "0/5000060");
  EXPECT_FALSE(b.contains("lag"));

  EXPECT_EQ(a["role"], "replica");
  EXPECT_EQ(a["state"], "streaming");
  EXPECT_EQ(a["host"], "db-a");
  EXPECT_EQ(a["port"], 5433);
  EXPECT_EQ(a["api_url"], "http://127.0.0.1:8008/patroni");
  EXPECT_EQ(a["lag"], 0x60);  // leader's xlog_location minus the member's
  EXPECT_EQ(a["receive_lsn"], "0/5000000");
  EXPECT_EQ(a["replay_lsn"], "0/5000000");
  EXPECT_EQ(a["replay_lag"], 0x60);
  EXPECT_FALSE(a.contains("pending_restart"));
  EXPECT_FALSE(a.contains("tags"));

  EXPECT_EQ(c["state"], "starting");
  EXPECT_EQ(c["host"], "fe80::1");
  EXPECT_EQ(c["port"], 5434);
  EXPECT_EQ(c["lag"], "unknown");
  EXPECT_EQ(c["pending_restart"], true);
  EXPECT_EQ(c["tags"], json({{"nofailover", true}}));
}

TEST(ClusterJson, SyncRolesPauseAndScheduledSwitchover) {
  ha::ClusterView v = ThreeMembers();
  v.sync = ha::SyncState{"b-leader", {"a-replica"}, 0};
  v.config_json = R"({"synchronous_mode": true, "pause": true})";
  v.failover = ha::FailoverRequest{"b-leader", "a-replica", "2026-01-01T10:00:00+00:00"};
  json j = ClusterJson(v, "demo");
  EXPECT_EQ(j["members"][0]["role"], "sync_standby");
  EXPECT_EQ(j["members"][2]["role"], "replica");
  EXPECT_EQ(j["pause"], true);
  EXPECT_EQ(j["scheduled_switchover"],
            json({{"at", "2026-01-01T10:00:00+00:00"}, {"from", "b-leader"}, {"to", "a-replica"}}));
  v.config_json = R"({"synchronous_mode": "quorum"})";
  EXPECT_EQ(ClusterJson(v, "demo")["members"][0]["role"], "quorum_standby");
  v.config_json = "{}";  // /sync without synchronous_mode is stale: plain replica
  EXPECT_EQ(ClusterJson(v, "demo")["members"][0]["role"], "replica");
}

TEST(ClusterJson, LagFallsBackToOptimeWithoutLeader) {
  ha::ClusterView v = ThreeMembers();
  v.leader.reset();
  json j = ClusterJson(v, "demo");
  EXPECT_EQ(j["members"][1]["role"], "replica");
  EXPECT_EQ(j["members"][0]["lag"], 0);  // optime 0x4000000 is behind the member
}

TEST(HistoryJson, ArraysAsPatroni) {
  ha::ClusterView v;
  EXPECT_EQ(HistoryJson(v), json::array());
  v.history = {
      {1, 83886176, "no recovery target specified", "", ""},
      {2, 100663456, "no recovery target specified", "2026-11-22T09:04:12.229119+00:00", "node1"}};
  EXPECT_EQ(HistoryJson(v), json::parse(R"([[1,83886176,"no recovery target specified"],
                            [2,100663456,"no recovery target specified",
                             "2026-11-22T09:04:12.229119+00:00","node1"]])"));
}

}  // namespace
}  // namespace pgha::api
