// edit-config's pure parts: YAML <-> JSON, -s/-p pairs, the unified diff; and the topology order.
#include "ctl/edit_config.h"

#include <gtest/gtest.h>

#include "ctl/commands.h"
#include "ctl/list.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

TEST(YamlToJson, TypesScalarsAsSafeLoad) {
  auto j = YamlToJson("a: 1\nb: true\nc: ~\nd: '5'\ne: 1.5\nf: text\ng: [1, x]\nh: {i: off}\n");
  ASSERT_TRUE(j.ok()) << j.message();
  EXPECT_EQ(*j, json::parse(R"({"a":1,"b":true,"c":null,"d":"5","e":1.5,"f":"text",
                                "g":[1,"x"],"h":{"i":false}})"));
  EXPECT_FALSE(YamlToJson("a: [1,").ok());
  EXPECT_EQ(*YamlToJson(""), json(nullptr));
}

TEST(JsonToYaml, RoundTripsAndQuotesAmbiguousStrings) {
  json config = json::parse(
      R"({"ttl":30,"pause":true,"postgresql":{"parameters":{"max_connections":"100",
          "work_mem":"4MB","x":"yes","y":""}},"tags":[1,"a"],"n":null})");
  std::string text = JsonToYaml(config);
  EXPECT_NE(text.find("\"100\""), std::string::npos) << text;
  auto back = YamlToJson(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, config) << text;
}

TEST(ApplySetPairs, DottedPathsAndDeletes) {
  json config = json::parse(R"({"ttl":30,"postgresql":{"parameters":{"work_mem":"4MB"}}})");
  auto r = ApplySetPairs(config, {"ttl=20", "loop_wait=5", "a.b.c=x", "postgresql.use_slots=false"},
                         false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["ttl"], 20);
  EXPECT_EQ((*r)["a"]["b"]["c"], "x");
  EXPECT_EQ((*r)["postgresql"]["use_slots"], false);
  r = ApplySetPairs(*r, {"a.b.c=null", "ttl=null"}, false);
  EXPECT_FALSE(r->contains("a"));
  EXPECT_FALSE(r->contains("ttl"));
  r = ApplySetPairs(*r, {"pg_stat_statements.track=all", "work_mem=null"}, true);
  EXPECT_EQ((*r)["postgresql"]["parameters"], json({{"pg_stat_statements.track", "all"}}));
  for (const char* bad : {"", "noequals", "=5", "a..b=1"}) {
    EXPECT_FALSE(ApplySetPairs(config, {bad}, false).ok()) << bad;
  }
  EXPECT_EQ(ApplySetPairs(config, {"oops"}, false).message(), "Invalid parameter setting oops");
}

TEST(UnifiedDiff, ShowsChangedLinesWithContext) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
  std::string d = UnifiedDiff("a\nb\nc\n", "a\nB\nc\nd\n", "before", "after");
  EXPECT_EQ(d, "--- before\n+++ after\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
  std::string before, after;
  for (int i = 0; i < 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 2 || i == 17 ? "x" : "") + std::to_string(i) + "\n";
  }
  std::string two = UnifiedDiff(before, after, "b", "a");
  EXPECT_EQ(std::count(two.begin(), two.end(), '@'), 8) << two;  // two hunks
  EXPECT_NE(two.find("@@ -1,6 +1,6 @@"), std::string::npos) << two;
}

ha::Member M(const std::string& name, const std::string& from = "") {
  ha::Member m;
  m.name = name;
  m.state = "running";
  m.tags.replicatefrom = from;
  return m;
}

TEST(FormatTopology, IndentsCascadingReplicas) {
  ha::ClusterView v;
  v.leader = "node2";
  v.members = {M("node1", "node3"), M("node2"), M("node3"), M("node4", "node4")};
  std::string t = FormatTopology(v, "demo");
  size_t leader = t.find("| node2"), n3 = t.find("| + node3"), n1 = t.find("|   + node1");
  ASSERT_NE(leader, std::string::npos) << t;
  ASSERT_NE(n3, std::string::npos) << t;
  ASSERT_NE(n1, std::string::npos) << t;
  EXPECT_LT(leader, n3);
  EXPECT_LT(n3, n1);
  EXPECT_NE(t.find("| + node4"), std::string::npos) << t;
}

TEST(RoleMatches, PatronictlRoles) {
  ha::ClusterView v;
  v.leader = "node1";
  v.members = {M("node1"), M("node2")};
  EXPECT_TRUE(RoleMatches(v, v.members[0], "primary"));
  EXPECT_TRUE(RoleMatches(v, v.members[0], "master"));
  EXPECT_FALSE(RoleMatches(v, v.members[0], "replica"));
  EXPECT_TRUE(RoleMatches(v, v.members[1], "standby"));
  EXPECT_TRUE(RoleMatches(v, v.members[1], "any"));
}

TEST(FormatList, PendingRestartAndMaintenanceFooter) {
  ha::ClusterView v;
  v.leader = "node1";
  v.members = {M("node1"), M("node2")};
  v.members[1].pending_restart = true;
  v.config_json = R"({"pause":true})";
  v.failover = ha::FailoverRequest{"node1", "node2", "2030-01-01T00:00:00+00:00"};
  auto t = FormatList(v, "demo", "pretty");
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->find("Pending restart"), std::string::npos) << *t;
  EXPECT_NE(t->find(" Maintenance mode: on"), std::string::npos) << *t;
  EXPECT_NE(t->find(" Switchover scheduled at: 2030-01-01T00:00:00+00:00"), std::string::npos);
}

}  // namespace
}  // namespace pgha::ctl
