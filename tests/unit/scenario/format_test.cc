// scenario/scenario.h: FormatScenario writes what ParseScenario reads back, field for field, so
// a journal entry replays to the decision it records.
#include <gtest/gtest.h>

#include "ha/decision.h"
#include "scenario/scenario.h"

namespace pgha::scenario {
namespace {

MonoTime At(int64_t ms) { return MonoTime{} + std::chrono::milliseconds(ms); }

// Every directive and most keys away from their defaults, with the awkward values: spaces,
// quotes, LSNs past 32 bits, empty-but-present strings.
ha::Observation Busy() {
  ha::Observation o;
  o.me = "node2";
  o.now = At(123456789);
  o.wall_now = 1800000000.25;
  o.dcs_ok = true;
  o.lease_valid_until = At(123460000);
  o.primary_down_since = At(123450000);
  o.not_streaming_since = At(123440000);
  o.sync_names_settled_lsn = 5000;
  o.watchdog_usable = false;
  o.fence_failed = true;
  o.primary_start_failed = true;
  o.settings.ttl = 20;
  o.settings.synchronous_mode = true;
  o.settings.use_slots = false;
  o.settings.maximum_lag_on_failover = 1 << 20;
  o.tags.nofailover = true;
  o.tags.sync_priority = 3;
  o.tags.raw["nofailover"] = "true";
  o.tags.raw["custom"] = R"({"a": 1})";
  auto& c = o.cluster;
  c.revision = 77;
  c.initialize = "";
  c.leader = "node1";
  c.leader_lease = 7001;
  c.optime = 0x16B374D848ULL;
  c.slots["node3"] = 99;
  c.config_json = R"({"ttl": 20, "synchronous_mode": true})";
  c.timeline_claim = ha::TimelineClaim{3, "node1"};
  ha::Member m;
  m.name = "node1";
  m.conn_url = "postgres://10.0.0.1:5432/postgres";
  m.api_url = "http://10.0.0.1:8008/patroni";
  m.state = "running";
  m.role = "primary";
  m.xlog_location = 12345;
  m.timeline = 2;
  m.reason = R"(updating synchronous replication: "node3" is ahead)";
  m.tags.failover_priority = 2;
  c.members = {m};
  m.name = "node3";
  m.role = "replica";
  m.reason.clear();
  m.replication_state = "streaming";
  c.members.push_back(m);
  c.history = {ha::HistoryEntry{1, 0x5000000, "no recovery target specified", "", "node1"}};
  c.failover = ha::FailoverRequest{"node1", "node2", ""};
  c.sync = ha::SyncState{"node1", {"node2", "node3"}, 1};
  o.pg.data_dir_empty = false;
  o.pg.running = true;
  o.pg.in_recovery = true;
  o.pg.postmaster = true;
  o.pg.wal_lsn = 0x16B374D848ULL;
  o.pg.upstream_host = "10.0.0.1";
  o.pg.upstream_port = 5432;
  o.pg.synchronous_standby_names = R"(FIRST 2 ("node2","node3"))";
  o.pg.control_state = "in archive recovery";
  ha::ReplicationClient r;
  r.application_name = "node3";
  r.state = "streaming";
  r.flush_lsn = 42;
  o.pg.replication = {r};
  ha::PeerStatus p;
  p.name = "node3";
  p.reachable = true;
  p.running = true;
  p.role = "replica";
  p.wal_position = 12000;
  p.tags.nosync = true;
  o.peers = {p};
  return o;
}

TEST(FormatScenario, ParsesBackToTheSameObservation) {
  ha::Observation o = Busy();
  ha::Decision d{{}, "no action: streaming from leader node1"};
  std::string text = FormatScenario(o, d, "journal test");
  Scenario s = ParseScenario("journal", text);
  EXPECT_EQ(s.obs.me, o.me);
  EXPECT_EQ(s.obs.now, o.now);
  EXPECT_DOUBLE_EQ(s.obs.wall_now, o.wall_now);
  EXPECT_EQ(s.obs.settings, o.settings);
  EXPECT_EQ(s.obs.tags, o.tags);
  EXPECT_EQ(s.obs.cluster, o.cluster) << text;
  EXPECT_EQ(s.obs.pg, o.pg) << text;
  EXPECT_EQ(s.obs.peers, o.peers) << text;
  EXPECT_EQ(s.obs.lease_valid_until, o.lease_valid_until);
  EXPECT_EQ(s.obs.primary_down_since, o.primary_down_since);
  EXPECT_EQ(s.obs.not_streaming_since, o.not_streaming_since);
  EXPECT_EQ(s.obs.sync_names_settled_lsn, o.sync_names_settled_lsn);
  EXPECT_EQ(s.obs.watchdog_usable, o.watchdog_usable);
  EXPECT_EQ(s.obs.fence_failed, o.fence_failed);
  EXPECT_EQ(s.obs.primary_start_failed, o.primary_start_failed);
  EXPECT_EQ(s.obs.dcs_ok, o.dcs_ok);
  EXPECT_EQ(s.expect, std::vector<std::string>{"none"});
  EXPECT_EQ(s.reason, d.reason);
}

TEST(FormatScenario, DefaultsStayQuietAndActionsAreListed) {
  ha::Observation o;
  o.me = "node1";
  ha::Decision d{{ha::action::Promote{}}, "promoting"};
  std::string text = FormatScenario(o, d, "");
  EXPECT_EQ(text.find("settings:"), std::string::npos) << text;
  EXPECT_EQ(text.find("member:"), std::string::npos) << text;
  EXPECT_NE(text.find("dcs: down\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pg: data_dir_empty\n"), std::string::npos) << text;
  EXPECT_NE(text.find("expect: " + ha::Describe(d.actions[0]) + "\n"), std::string::npos) << text;
  Scenario s = ParseScenario("journal", text);
  EXPECT_FALSE(s.obs.dcs_ok);
  EXPECT_TRUE(s.obs.pg.data_dir_empty);
}

TEST(QuoteValue, OnlyWhatNeedsIt) {
  EXPECT_EQ(QuoteValue("plain"), "plain");
  EXPECT_EQ(QuoteValue(""), "");
  EXPECT_EQ(QuoteValue("in production"), "\"in production\"");
  EXPECT_EQ(QuoteValue("\"node2\""), "\"\"node2\"\"");
  EXPECT_EQ(QuoteValue("wait for \"n3\" now"), "\"wait for \"n3\" now\"");  // reads back
  // inner quotes that would leave a space outside every quoted part: they become single quotes
  EXPECT_EQ(QuoteValue("a \"b c\"d e"), "\"a 'b c'd e\"");
}

}  // namespace
}  // namespace pgha::scenario
