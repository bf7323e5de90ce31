#include "dcs/codec.h"

#include <gtest/gtest.h>

namespace pgha::dcs {
namespace {

// Verbatim replica member from docs/interfaces.md §1.
constexpr char kPatroniReplica[] =
    R"({"conn_url":"postgres://127.0.0.1:5441/postgres","api_url":"http://127.0.0.1:8009/patroni","state":"running","role":"replica","version":"4.1.4","xlog_location":83886176,"replay_lsn":83886176,"receive_lsn":83886176,"replication_state":"streaming","timeline":1})";

TEST(MemberCodec, DecodesPatroniReplica) {
  auto m = DecodeMember("node1", kPatroniReplica);
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->name, "node1");
  EXPECT_EQ(m->conn_url, "postgres://127.0.0.1:5441/postgres");
  EXPECT_EQ(m->api_url, "http://127.0.0.1:8009/patroni");
  EXPECT_EQ(m->state, "running");
  EXPECT_EQ(m->role, "replica");
  EXPECT_EQ(m->version, "4.1.4");
  EXPECT_EQ(m->xlog_location, 83886176u);
  EXPECT_EQ(m->receive_lsn, 83886176u);
  EXPECT_EQ(m->replay_lsn, 83886176u);
  EXPECT_EQ(m->replication_state, "streaming");
  EXPECT_EQ(m->timeline, 1u);
  EXPECT_FALSE(m->pending_restart);
  EXPECT_FALSE(m->checkpoint_after_promote.has_value());
  EXPECT_TRUE(m->tags.raw.empty());
}

TEST(MemberCodec, RoundTripsEveryField) {
  auto tagged = DecodeMember("n", R"({"tags":{"nofailover":true,"failover_priority":3,
      "noloadbalance":true,"nosync":true,"clonefrom":true,"nostream":true,
      "replicatefrom":"n2","zone":{"dc":"a"}}})");
  ASSERT_TRUE(tagged.ok()) << tagged.message();
  ha::Member m = *tagged;
  m.conn_url = "postgres://h:5432/postgres";
  m.api_url = "http://h:8008/patroni";
  m.state = "running";
  m.role = "primary";
  m.version = "0.1.0";
  m.xlog_location = 1;
  m.receive_lsn = 2;
  m.replay_lsn = 3;
  m.replication_state = "streaming";
  m.timeline = 4;
  m.pending_restart = true;
  m.pause = true;
  m.checkpoint_after_promote = false;
  m.reason = "I am the leader";
  auto back = DecodeMember("n", EncodeMember(m));
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(*back, m);
  EXPECT_TRUE(m.tags.nofailover);
  EXPECT_EQ(m.tags.failover_priority, 3);
  EXPECT_EQ(m.tags.replicatefrom, "n2");
  EXPECT_EQ(m.tags.raw.at("zone"), R"({"dc":"a"})");
}

TEST(MemberCodec, OmitsUnsetOptionalFields) {
  ha::Member m;
  m.conn_url = "postgres://h:5432/postgres";
  m.api_url = "http://h:8008/patroni";
  m.state = "stopped";
  m.role = "uninitialized";
  m.version = "0.1.0";
  EXPECT_EQ(EncodeMember(m),
            R"({"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni",)"
            R"("state":"stopped","role":"uninitialized","version":"0.1.0"})");
}

TEST(MemberCodec, TagBooleansFromStrings) {
  auto m = DecodeMember("n", R"({"tags":{"nofailover":"true","failover_priority":"0"}})");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->tags.nofailover);
  EXPECT_FALSE(m->tags.CanPromote());
  // Published again as configured: a string priority stays a string (Patroni's suite compares).
  EXPECT_NE(EncodeMember(*m).find(R"("failover_priority":"0")"), std::string::npos)
      << EncodeMember(*m);
  // A peer's sync_priority '2' (a string, as the behave suite writes it) still orders it.
  m = DecodeMember("n", R"({"tags":{"nosync":true,"sync_priority":"2"}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->tags.sync_priority, 2);
  EXPECT_FALSE(m->tags.CanBeSync());
  EXPECT_NE(EncodeMember(*m).find(R"("sync_priority":"2")"), std::string::npos) << EncodeMember(*m);
}

TEST(MemberCodec, RejectsMalformed) {
  EXPECT_FALSE(DecodeMember("n", "not json").ok());
  EXPECT_FALSE(DecodeMember("n", "[1,2]").ok());
  EXPECT_FALSE(DecodeMember("n", R"({"timeline":"one"})").ok());
  EXPECT_FALSE(DecodeMember("n", R"({"xlog_location":-5})").ok());
}

TEST(HistoryCodec, RoundTripAndLegacyEntries) {
  std::vector<ha::HistoryEntry> h = {
      {1, 83886176, "no recovery target specified", "2024-01-01T00:00:00+00:00", "node1"},
      {2, 100663296, "no recovery target specified", "", ""}};
  std::string text = EncodeHistory(h);
  EXPECT_EQ(text,
            R"([[1,83886176,"no recovery target specified","2024-01-01T00:00:00+00:00","node1"],)"
            R"([2,100663296,"no recovery target specified"]])");
  auto back = DecodeHistory(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  EXPECT_FALSE(DecodeHistory(R"([[1,2]])").ok());
  EXPECT_FALSE(DecodeHistory(R"({"a":1})").ok());
}

TEST(FailoverCodec, AllShapes) {
  ha::FailoverRequest f{"node1", "node2", "2024-01-01T00:00:00+00:00"};
  EXPECT_EQ(EncodeFailover(f),
            R"({"leader":"node1","member":"node2","scheduled_at":"2024-01-01T00:00:00+00:00"})");
  auto back = DecodeFailover(EncodeFailover(f));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->value(), f);
  auto none = DecodeFailover("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto legacy = DecodeFailover("node1:node2");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->value(), (ha::FailoverRequest{"node1", "node2", ""}));
  auto only_member = DecodeFailover(R"({"member":"node3","leader":null})");
  ASSERT_TRUE(only_member.ok());
  EXPECT_EQ(only_member->value().member, "node3");
  EXPECT_FALSE(DecodeFailover("{broken").ok());
}

TEST(SyncCodec, RoundTrip) {
  ha::SyncState s{"node1", {"node2", "node3"}, 1};
  EXPECT_EQ(EncodeSync(s), R"({"leader":"node1","sync_standby":"node2,node3","quorum":1})");
  auto back = DecodeSync(EncodeSync(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
  auto empty = DecodeSync(R"({"leader":"node1","sync_standby":null})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->sync_standby.empty());
  EXPECT_EQ(EncodeSync(*empty), R"({"leader":"node1","sync_standby":null,"quorum":0})");
}

TEST(TimelineClaimCodec, RoundTripAndRejects) {
  ha::TimelineClaim c{3, "node2"};
  EXPECT_EQ(EncodeTimelineClaim(c), R"({"member":"node2","timeline":3})");
  auto back = DecodeTimelineClaim(EncodeTimelineClaim(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
  for (const char* bad :
       {"{not json", "[]", R"({"member":"x"})", R"({"timeline":-1})", R"({"timeline":"3"})",
        R"({"timeline":4294967296})", R"({"timeline":3,"member":7})"}) {
    EXPECT_FALSE(DecodeTimelineClaim(bad).ok()) << bad;
  }
}

TEST(ClusterView, TimelineClaimWithItsRevision) {
  Keys keys("/service", "demo");
  std::vector<KeyValue> kvs = {
      {"/service/demo/pgha_timeline", R"({"timeline":4,"member":"node3"})", 5, 9, 2, 0}};
  ha::ClusterView v = BuildClusterView(keys, kvs, 10, nullptr);
  ASSERT_TRUE(v.timeline_claim.has_value());
  EXPECT_EQ(v.timeline_claim->timeline, 4u);
  EXPECT_EQ(v.timeline_claim->member, "node3");
  EXPECT_EQ(v.timeline_claim_mod_revision, 9);
}

TEST(StatusCodec, Encodes) {
  EXPECT_EQ(EncodeStatus(83886176, {{"node1", 5}}, {"node0", "node1"}),
            R"({"optime":83886176,"slots":{"node1":5},"retain_slots":["node0","node1"]})");
}

TEST(ClusterView, BuildsEveryFieldAndSkipsMalformedMember) {
  Keys keys("/service", "demo");
  std::vector<KeyValue> kvs = {
      {"/service/demo/config", R"({"ttl":30})", 2, 5, 1, 0},
      {"/service/demo/initialize", "7710918677133999698", 3, 3, 1, 0},
      {"/service/demo/leader", "node1", 6, 6, 1, 77},
      {"/service/demo/members/node2", kPatroniReplica, 7, 7, 1, 88},
      {"/service/demo/members/bad", "{not json", 8, 8, 1, 99},
      {"/service/demo/members/node1", R"({"role":"primary","state":"running"})", 9, 9, 1, 77},
      {"/service/demo/status",
       R"({"optime":83886176,"slots":{"node2":83886000},"retain_slots":[]})", 10, 10, 1, 0},
      {"/service/demo/history", R"([[1,83886176,"no recovery target specified"]])", 11, 11, 1, 0},
      {"/service/demo/failover", "{}", 12, 12, 1, 0},
      {"/service/demo/sync", R"({"leader":"node1","sync_standby":"node2","quorum":0})", 13, 14, 2,
       0},
      {"/service/other/leader", "x", 15, 15, 1, 0},
  };
  std::vector<std::string> warnings;
  ha::ClusterView v = BuildClusterView(keys, kvs, 20, &warnings);
  EXPECT_EQ(v.revision, 20);
  EXPECT_EQ(v.initialize, "7710918677133999698");
  EXPECT_EQ(v.leader, "node1");
  EXPECT_EQ(v.leader_lease, 77);
  EXPECT_EQ(v.leader_mod_revision, 6);
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(v.members[0].name, "node1");  // sorted
  EXPECT_EQ(v.members[1].name, "node2");
  EXPECT_EQ(v.LeaderMember()->role, "primary");
  EXPECT_EQ(v.optime, 83886176u);
  EXPECT_EQ(v.slots.at("node2"), 83886000u);
  EXPECT_EQ(v.config_json, R"({"ttl":30})");
  EXPECT_EQ(v.config_mod_revision, 5);
  ASSERT_EQ(v.history.size(), 1u);
  EXPECT_EQ(v.HistoryTimeline(), 2u);
  EXPECT_FALSE(v.failover.has_value());
  EXPECT_EQ(v.failover_mod_revision, 12);
  ASSERT_TRUE(v.sync.has_value());
  EXPECT_EQ(v.sync->sync_standby, std::vector<std::string>{"node2"});
  EXPECT_EQ(v.sync_mod_revision, 14);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("/service/demo/members/bad"), std::string::npos);
}

TEST(ClusterView, LegacyOptimeOnlyWithoutStatus) {
  Keys keys("service", "demo");
  auto v =
      BuildClusterView(keys, {{"/service/demo/optime/leader", "1234", 1, 1, 1, 0}}, 1, nullptr);
  EXPECT_EQ(v.optime, 1234u);
  EXPECT_FALSE(v.leader.has_value());
  EXPECT_FALSE(v.initialize.has_value());
}

}  // namespace
}  // namespace pgha::dcs

namespace pgha::dcs {
namespace {

TEST(ClusterView, FailsafeTopologyAsPatroniWritesIt) {
  Keys keys("/service", "demo");
  const std::string members = EncodeFailsafe(
      {{"node1", "http://127.0.0.1:8008/patroni"}, {"node2", "http://127.0.0.1:8009/patroni"}});
  EXPECT_EQ(members,
            R"({"node1":"http://127.0.0.1:8008/patroni","node2":"http://127.0.0.1:8009/patroni"})");
  ha::ClusterView v =
      BuildClusterView(keys, {{"/service/demo/failsafe", members, 3, 3, 1, 0}}, 4, nullptr);
  ASSERT_EQ(v.failsafe.size(), 2u);
  EXPECT_EQ(v.failsafe.at("node2"), "http://127.0.0.1:8009/patroni");
}

TEST(ClusterView, AFailsafeKeyThatIsNotAnObjectOfStringsIsIgnoredAndReported) {
  Keys keys("/service", "demo");
  for (const char* bad : {"[]", "not json", R"({"node1": 5})", "\"x\""}) {
    std::vector<std::string> warnings;
    ha::ClusterView v =
        BuildClusterView(keys, {{"/service/demo/failsafe", bad, 3, 3, 1, 0}}, 4, &warnings);
    EXPECT_TRUE(v.failsafe.empty()) << bad;
    ASSERT_EQ(warnings.size(), 1u) << bad;
    EXPECT_NE(warnings[0].find("/service/demo/failsafe"), std::string::npos) << warnings[0];
  }
}

}  // namespace
}  // namespace pgha::dcs
