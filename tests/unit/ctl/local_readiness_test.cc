#include <gtest/gtest.h>

#include "local/readiness.h"

namespace pgha::ctl {
namespace {

nlohmann::json Cluster(const std::string& members) {
  return nlohmann::json::parse(R"({"scope":"pgha","members":[)" + members + "]}");
}

TEST(LocalReadiness, LeaderAndStreamingReplicasAreReady) {
  auto r =
      EvaluateCluster(Cluster(R"({"name":"node1","role":"leader","state":"running","timeline":1},
                 {"name":"node2","role":"replica","state":"streaming"},
                 {"name":"node3","role":"sync_standby","state":"streaming"})"),
                      3);
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(r.summary,
            "node1 leader/running, node2 replica/streaming, node3 sync_standby/streaming");
}

TEST(LocalReadiness, NotReadyCases) {
  EXPECT_FALSE(EvaluateCluster(Cluster(R"({"name":"node1","role":"leader","state":"running"},
      {"name":"node2","role":"replica","state":"running"})"),
                               2)
                   .ready);
  auto missing =
      EvaluateCluster(Cluster(R"({"name":"node1","role":"leader","state":"running"})"), 3);
  EXPECT_FALSE(missing.ready);
  EXPECT_EQ(missing.summary, "node1 leader/running, node2 -, node3 -");
  EXPECT_FALSE(
      EvaluateCluster(Cluster(R"({"name":"node1","role":"replica","state":"streaming"})"), 1)
          .ready);
  EXPECT_FALSE(EvaluateCluster(nlohmann::json::parse("[]"), 1).ready);
  EXPECT_FALSE(EvaluateCluster(nlohmann::json::parse(R"({"members":"x"})"), 1).ready);
}

TEST(LocalReadiness, SingleNodeNeedsOnlyALeader) {
  EXPECT_TRUE(
      EvaluateCluster(Cluster(R"({"name":"node1","role":"leader","state":"running"})"), 1).ready);
}

}  // namespace
}  // namespace pgha::ctl
