#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "local/plan.h"

namespace pgha::ctl {
namespace {

using ::testing::HasSubstr;

TEST(LocalPlan, DerivesPortsPerNodeAndMember) {
  ClusterSpec s;
  EXPECT_EQ(PostgresPort(s, 1), 5440);
  EXPECT_EQ(PostgresPort(s, 3), 5442);
  EXPECT_EQ(ApiPort(s, 2), 8009);
  EXPECT_EQ(EtcdClientPort(s, 3), 2579);
  EXPECT_EQ(EtcdPeerPort(s, 2), 2480);
  auto plan = PlanPorts(s);
  ASSERT_TRUE(plan.ok()) << plan.message();
  EXPECT_EQ(plan->size(), 3u + 2 * 3 + 2 * 3);
}

TEST(LocalPlan, RejectsOverlapAndRange) {
  ClusterSpec s;
  s.replicas = 9;
  s.ports.postgres = 8000;  // 8000..8008 collides with api 8008
  auto plan = PlanPorts(s);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.message(), HasSubstr("8008"));
  ClusterSpec high;
  high.ports.api = 65535;
  auto r = PlanPorts(high);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("65536"));
}

TEST(LocalPlan, ResolveGeneratesPasswordsOnce) {
  ClusterSpec s;
  LocalCluster c = ResolveCluster(s);
  EXPECT_EQ(c.spec.password.size(), 24u);
  EXPECT_EQ(c.superuser.username, "postgres");
  EXPECT_EQ(c.replication.username, "replicator");
  EXPECT_EQ(c.rewind.username, "rewind_user");
  EXPECT_NE(c.superuser.password, c.replication.password);
  s.password = "given";
  EXPECT_EQ(ResolveCluster(s).spec.password, "given");
}

TEST(LocalPlan, JsonRoundTrip) {
  ClusterSpec s;
  s.name = "demo";
  s.cpu = 2;
  s.memory_bytes = int64_t{1} << 30;
  s.init_sql = {"/a.sql"};
  LocalCluster c = ResolveCluster(s);
  c.init_sql_done = {"/a.sql"};
  auto back = ClusterFromJson(nlohmann::json::parse(ClusterToJson(c).dump()));
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(back->spec.name, "demo");
  EXPECT_EQ(back->spec.password, c.spec.password);
  EXPECT_EQ(back->superuser.password, c.superuser.password);
  EXPECT_EQ(back->rewind.password, c.rewind.password);
  EXPECT_EQ(back->spec.memory_bytes, s.memory_bytes);
  EXPECT_EQ(back->init_sql_done, c.init_sql_done);
  EXPECT_FALSE(ClusterFromJson(nlohmann::json::parse(R"({"name":"x"})")).ok());
}

TEST(LocalPlan, MergeKeepsPasswordsAndRefusesIdentityChanges) {
  LocalCluster stored = ResolveCluster(ClusterSpec{});
  ClusterSpec wanted;
  wanted.init_sql = {"/b.sql"};
  wanted.memory_bytes = int64_t{1} << 30;
  auto merged = MergeStoredCluster(stored, wanted);
  ASSERT_TRUE(merged.ok()) << merged.message();
  EXPECT_EQ(merged->spec.password, stored.spec.password);
  EXPECT_EQ(merged->spec.init_sql, wanted.init_sql);
  EXPECT_EQ(merged->spec.memory_bytes, wanted.memory_bytes);
  wanted.replicas = 5;
  auto refused = MergeStoredCluster(stored, wanted);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(), HasSubstr("replicas (was 3, now 5)"));
}

TEST(LocalPlan, ParsesNodeNames) {
  EXPECT_EQ(*ParseNodeName("node2", 3), 2);
  EXPECT_EQ(*ParseNodeName("3", 3), 3);
  auto bad = ParseNodeName("node4", 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("valid: node1, node2, node3"));
  EXPECT_FALSE(ParseNodeName("", 3).ok());
  EXPECT_FALSE(ParseNodeName("node", 3).ok());
  EXPECT_FALSE(ParseNodeName("0", 3).ok());
}

}  // namespace
}  // namespace pgha::ctl
