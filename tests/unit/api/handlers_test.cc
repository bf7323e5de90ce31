// Every path of the REST operations (api/handlers.h) against an in-memory DCS: codes, messages,
// and that a refused request writes nothing.
#include "api/handlers.h"

#include <gtest/gtest.h>

#include "fake_dcs.h"

namespace pgha::api {
namespace {

using nlohmann::json;
using testing::FakeDcs;
using testing::ThreeNodes;

class FakeNode final : public NodeOperations {
 public:
  std::optional<RestartRequest> restarted;
  std::optional<std::pair<bool, bool>> reinit;
  OpResponse Restart(const RestartRequest& r, std::chrono::steady_clock::time_point) override {
    restarted = r;
    return {200, "restarted successfully", false};
  }
  OpResponse CancelRestart() override { return {404, "no restarts are scheduled", false}; }
  OpResponse Reload() override { return {202, "reload scheduled", false}; }
  OpResponse Reinitialize(bool force, bool from_leader,
                          std::chrono::steady_clock::time_point) override {
    reinit = {force, from_leader};
    return {200, "reinitialize started", false};
  }
};

class HandlersTest : public ::testing::Test {
 protected:
  void SetUp() override { dcs.view = ThreeNodes(); }

  OperationHandlers Make(NodeOperations* node = nullptr) {
    OperationContext c;
    c.handlers = Handlers{&dcs, &mu, node, [this] { ++woken; }, {}, gucs};
    c.fetch_status = [this](const ha::Member& m) -> std::optional<json> {
      auto it = statuses.find(m.name);
      if (it == statuses.end()) return std::nullopt;
      return it->second;
    };
    c.now = [] { return ParseIsoTime("2026-01-01T12:00:00Z")->at; };
    c.sleep = [this](std::chrono::milliseconds) { ++sleeps; };
    c.poll_interval = std::chrono::milliseconds(0);
    return OperationHandlers(c);
  }

  FakeDcs dcs;
  std::mutex mu;
  std::shared_ptr<const config::GucCatalog> gucs;
  int woken = 0;
  int sleeps = 0;
  std::map<std::string, json> statuses = {{"node2", {{"state", "running"}, {"role", "replica"}}},
                                          {"node3", {{"state", "running"}, {"role", "replica"}}}};
};

TEST_F(HandlersTest, SwitchoverSucceedsWhenTheLeaderChanges) {
  dcs.on_load = [](ha::ClusterView& v) {
    if (v.failover) v.leader = v.failover->member;
  };
  OpResponse r = Make().Switchover(R"({"leader":"node1","candidate":"node2"})", "switchover");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Successfully switched over to \"node2\"");
  EXPECT_EQ(json::parse(dcs.last_failover), json({{"leader", "node1"}, {"member", "node2"}}));
  EXPECT_EQ(woken, 1);
}

TEST_F(HandlersTest, SwitchoverWithoutCandidateAcceptsAnyNewLeader) {
  dcs.on_load = [](ha::ClusterView& v) {
    if (v.failover) v.leader = "node3";
  };
  OpResponse r = Make().Switchover(R"({"leader":"node1"})", "switchover");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Successfully switched over to \"node3\"");
}

TEST_F(HandlersTest, SwitchoverFailedWhenTheKeyIsCleared) {
  dcs.on_load = [](ha::ClusterView& v) { v.failover = ha::FailoverRequest{}; };
  OpResponse r = Make().Switchover(R"({"leader":"node1","candidate":"node2"})", "switchover");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "Switchover failed");
}

TEST_F(HandlersTest, RefusedSwitchoversWriteNothing) {
  struct Case {
    const char* body;
    int status;
  };
  for (Case c : {Case{"", 400}, Case{"not json", 400}, Case{"[]", 400}, Case{"{}", 400},
                 Case{R"({"candidate":"node2"})", 400}, Case{R"({"leader":"node2"})", 412},
                 Case{R"({"leader":"node1","candidate":"node9"})", 412},
                 Case{R"({"leader":"node1","candidate":"node1"})", 400},
                 Case{R"({"leader":"node1","candidate":7})", 400},
                 Case{R"({"leader":"node1","scheduled_at":"2020-01-01T00:00Z"})", 422},
                 Case{R"({"leader":"node1","scheduled_at":"2030-01-01T00:00"})", 400},
                 Case{R"({"leader":"node1","scheduled_at":"someday"})", 422}}) {
    OpResponse r = Make().Switchover(c.body, "switchover");
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
  }
  EXPECT_EQ(dcs.failover_writes, 0);
  EXPECT_EQ(woken, 0);
}

TEST_F(HandlersTest, UnhealthyCandidateIsRefused) {
  statuses["node2"] = {{"state", "stopped"}, {"role", "replica"}};
  OpResponse r = Make().Switchover(R"({"leader":"node1","candidate":"node2"})", "switchover");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(r.body, "switchover is not possible: candidate node2 not running");
  statuses.clear();
  r = Make().Switchover(R"({"leader":"node1"})", "switchover");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(r.body.rfind("switchover is not possible: no good candidates have been found", 0), 0u);
  EXPECT_EQ(dcs.failover_writes, 0);
}

TEST_F(HandlersTest, NofailoverCandidateIsRefused) {
  statuses["node2"]["tags"] = {{"nofailover", true}};
  OpResponse r = Make().Switchover(R"({"leader":"node1","candidate":"node2"})", "switchover");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(dcs.failover_writes, 0);
}

TEST_F(HandlersTest, ScheduledSwitchoverAndCancel) {
  OpResponse r = Make().Switchover(
      R"({"leader":"node1","candidate":"node2","scheduled_at":"2026-01-01T14:00:00+02:00"})",
      "switchover");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "Switchover scheduled");
  EXPECT_EQ(dcs.view.failover->scheduled_at, "2026-01-01T12:00:00+00:00");
  EXPECT_EQ(Make().CancelSwitchover().status, 200);
  EXPECT_EQ(dcs.last_failover, "{}");
  OpResponse none = Make().CancelSwitchover();
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, "no switchover is scheduled");
}

TEST_F(HandlersTest, CancelSwitchoverConflict) {
  dcs.view.failover = ha::FailoverRequest{"node1", "node2", "2026-01-01T13:00:00+00:00"};
  dcs.view.failover_mod_revision = 7;
  dcs.on_load = [](ha::ClusterView& v) { v.failover_mod_revision = 8; };  // changed meanwhile
  EXPECT_EQ(Make().CancelSwitchover().status, 409);
}

TEST_F(HandlersTest, FailoverToNamedCandidate) {
  dcs.on_load = [](ha::ClusterView& v) {
    if (v.failover) v.leader = v.failover->member;
  };
  OpResponse r = Make().Switchover(R"({"candidate":"node3"})", "failover");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Successfully failed over to \"node3\"");
  EXPECT_EQ(json::parse(dcs.last_failover), json({{"member", "node3"}}));
  EXPECT_EQ(Make().Switchover(R"({"leader":"node1"})", "failover").status, 400);
}

TEST_F(HandlersTest, PausedClusterNeedsANamedCandidate) {
  dcs.view.config_json = R"({"pause":true})";
  OpResponse r = Make().Switchover(R"({"leader":"node1"})", "switchover");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Switchover is possible only to a specific candidate in a paused state");
}

TEST_F(HandlersTest, DcsErrors) {
  dcs.load_fails = true;
  EXPECT_EQ(Make().Switchover(R"({"leader":"node1"})", "switchover").status, 503);
  EXPECT_EQ(Make().PatchConfig(R"({"pause":true})").status, 503);
  EXPECT_EQ(Make().CancelSwitchover().status, 503);
  dcs.load_fails = false;
  dcs.write_fails = true;
  OpResponse r = Make().Switchover(R"({"leader":"node1","candidate":"node2"})", "switchover");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.rfind("failed to write switchover key into DCS", 0), 0u);
  EXPECT_EQ(Make().PutConfig(R"({"ttl":9})").status, 502);
}

TEST_F(HandlersTest, NoDcsAnswers503) {
  OperationHandlers h(OperationContext{});
  EXPECT_EQ(h.Switchover(R"({"leader":"node1"})", "switchover").status, 503);
  EXPECT_EQ(h.PatchConfig(R"({"a":1})").status, 503);
}

TEST_F(HandlersTest, PatchConfigMergesAndCas) {
  OpResponse r =
      Make().PatchConfig(R"({"pause":true,"postgresql":{"parameters":{"work_mem":null}}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.json);
  json expected = {{"loop_wait", 1},
                   {"ttl", 5},
                   {"pause", true},
                   {"postgresql", {{"parameters", json::object()}}}};
  EXPECT_EQ(json::parse(r.body), expected);
  EXPECT_EQ(json::parse(dcs.view.config_json), expected);
  EXPECT_EQ(woken, 1);
  // Unchanged: no write, still 200.
  EXPECT_EQ(Make().PatchConfig(R"({"pause":true})").status, 200);
  EXPECT_EQ(dcs.config_writes, 1);
}

TEST_F(HandlersTest, PatchConfigConflictAndMissing) {
  dcs.on_load = [](ha::ClusterView& v) { ++v.config_mod_revision; };
  EXPECT_EQ(Make().PatchConfig(R"({"pause":true})").status, 409);
  dcs.on_load = nullptr;
  dcs.view.config_json.clear();
  dcs.view.config_mod_revision = 0;
  EXPECT_EQ(Make().PatchConfig(R"({"pause":true})").status, 503);
  EXPECT_EQ(Make().PatchConfig("[1]").status, 400);
  EXPECT_EQ(Make().PatchConfig("{}").status, 400);
  EXPECT_EQ(dcs.config_writes, 0);
}

TEST_F(HandlersTest, PutConfigReplaces) {
  OpResponse r = Make().PutConfig(R"({"ttl":20})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(dcs.view.config_json), json({{"ttl", 20}}));
  EXPECT_EQ(Make().PutConfig("\"x\"").status, 400);
}

// PostgreSQL 15's lines for three parameters, as `postgres --describe-config` prints them.
std::shared_ptr<const config::GucCatalog> SmallCatalog() {
  auto c = config::ParseDescribeConfig(
      "max_connections\tpostmaster\tC\tINTEGER\t0\t1\t262143\tx\t\n"
      "work_mem\tuser\tR\tINTEGER\t0\t64\t2147483647\tx\t\n"
      "wal_level\tpostmaster\tW\tENUM\treplica\t\t\tx\t\n",
      15);
  return std::make_shared<const config::GucCatalog>(std::move(c).value());
}

TEST_F(HandlersTest, PatchConfigRefusesEachBadKindAndWritesNothing) {
  gucs = SmallCatalog();
  const std::string before = dcs.view.config_json;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"ttl":"abc"})", "ttl: expected an integer, got \"abc\""},
      {R"({"ttl":-5})", "ttl: -5 is below the minimum 5 for loop_wait 1 and retry_timeout 2"},
      {R"({"ttl":2})",
       "ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
       "(ttl >= max(5, loop_wait + 2 x retry_timeout))"},
      {R"({"ttl":99999999})", "ttl: 99999999 is out of range (allowed: 5 to 3600)"},
      {R"({"maximum_lag_on_failover":-1})", "maximum_lag_on_failover: -1 is out of range"},
      {R"({"synchronous_node_count":0})", "synchronous_node_count: 0 is out of range"},
      {R"({"pause":"maybe"})", "pause: expected a boolean, got \"maybe\""},
      {R"({"postgresql":{"parameters":{"max_connections":"lots"}}})",
       "postgresql.parameters.max_connections: \"lots\" is not an integer (allowed: 1 to "
       "262143)"},
      {R"({"postgresql":{"parameters":{"max_connections":-5}}})",
       "max_connections: -5 is outside the valid range"},
      {R"({"postgresql":{"parameters":{"work_mem":"10s"}}})",
       "work_mem: \"10s\" has an invalid unit: valid units for this parameter are B, kB"},
      {R"({"postgresql":{"parameters":{"wal_level":"fast"}}})",
       "wal_level: \"fast\" is not one of: minimal, replica, logical"},
      {R"({"postgresql":{"parameters":{"no_such_setting":1}}})",
       "postgresql.parameters.no_such_setting: unknown parameter for PostgreSQL 15"},
  };
  for (const auto& [body, message] : cases) {
    OpResponse r = Make().PatchConfig(body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find(message), std::string::npos) << body << " -> " << r.body;
    EXPECT_EQ(r.body.rfind("invalid configuration, nothing changed: ", 0), 0u) << r.body;
  }
  EXPECT_EQ(dcs.config_writes, 0);
  EXPECT_EQ(dcs.view.config_json, before);
  EXPECT_EQ(woken, 0);
}

TEST_F(HandlersTest, PatchConfigAcceptsGoodValues) {
  gucs = SmallCatalog();
  EXPECT_EQ(Make().PatchConfig(R"({"ttl":"30","loop_wait":10,"retry_timeout":10})").status, 200);
  // Too long a loop_wait for the ttl is lowered where it is used, as Patroni does; stored as given.
  EXPECT_EQ(Make().PatchConfig(R"({"ttl":20,"loop_wait":2,"retry_timeout":10})").status, 200);
  EXPECT_EQ(Make()
                .PatchConfig(R"({"postgresql":{"parameters":{"max_connections":"200",)"
                             R"("work_mem":"8MB","wal_level":"logical","ext.x":"y"}}})")
                .status,
            200);
  EXPECT_EQ(dcs.config_writes, 3);
  // Without a catalog (binaries not found) only names and shapes are checked.
  gucs = nullptr;
  EXPECT_EQ(Make().PatchConfig(R"({"postgresql":{"parameters":{"work_mem":"9MB"}}})").status, 200);
  EXPECT_EQ(Make().PatchConfig(R"({"postgresql":{"parameters":{"a b":1}}})").status, 400);
}

TEST_F(HandlersTest, PatchConfigIsNotBlockedByAValueAlreadyBrokenInEtcd) {
  dcs.view.config_json = R"({"ttl":-5,"loop_wait":1})";  // written straight into etcd
  EXPECT_EQ(Make().PatchConfig(R"({"pause":true})").status, 200);
  EXPECT_EQ(Make().PatchConfig(R"({"ttl":3})").status, 400);  // still broken: refused
  EXPECT_EQ(Make().PatchConfig(R"({"ttl":5})").status, 200);  // the repair
  EXPECT_EQ(json::parse(dcs.view.config_json)["ttl"], 5);
}

TEST_F(HandlersTest, PutConfigValidatesTheWholeDocument) {
  gucs = SmallCatalog();
  OpResponse r = Make().PutConfig(R"({"ttl":2})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("ttl: 2 is below the minimum 5"), std::string::npos);
  r = Make().PutConfig(R"({"ttl":10,"postgresql":{"parameters":{"max_connections":"lots"}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("max_connections: \"lots\""), std::string::npos);
  EXPECT_EQ(dcs.config_writes, 0);
  EXPECT_EQ(Make().PutConfig(R"({"ttl":10,"postgresql":{"parameters":{"work_mem":"4MB"}}})").status,
            200);
}

TEST_F(HandlersTest, NodeOperationsAbsent) {
  OperationHandlers h = Make();
  EXPECT_EQ(h.Restart("").status, 503);
  EXPECT_EQ(h.CancelRestart().status, 503);
  EXPECT_EQ(h.Reload().status, 503);
  EXPECT_EQ(h.Reinitialize("").status, 503);
  EXPECT_EQ(h.Restart(R"({"role":"boss"})").status, 400);  // validated before availability
}

TEST_F(HandlersTest, NodeOperationsCalledWithParsedRequests) {
  FakeNode node;
  OperationHandlers h = Make(&node);
  EXPECT_EQ(h.Restart(R"({"restart_pending":true,"timeout":10})").status, 200);
  ASSERT_TRUE(node.restarted);
  EXPECT_EQ(node.restarted->restart_pending, true);
  EXPECT_EQ(node.restarted->timeout, 10);
  EXPECT_EQ(h.Reload().status, 202);
  EXPECT_EQ(h.CancelRestart().status, 404);
  EXPECT_EQ(h.Reinitialize(R"({"force":true})").status, 200);
  EXPECT_EQ(node.reinit, std::make_pair(true, false));
  EXPECT_EQ(h.Reinitialize("nope").status, 400);
  dcs.view.config_json = R"({"pause":true})";
  EXPECT_EQ(h.Restart(R"({"schedule":"2026-01-01T13:00Z"})").status, 500);
}

TEST_F(HandlersTest, RoutesByMethodAndPath) {
  OperationHandlers h = Make();
  EXPECT_FALSE(h.Handle("POST", "/config", "{}"));
  EXPECT_FALSE(h.Handle("GET", "/switchover", ""));
  EXPECT_FALSE(h.Handle("PUT", "/nothing", ""));
  EXPECT_TRUE(h.Handle("DELETE", "/switchover", ""));
  EXPECT_TRUE(h.Handle("POST", "/reload", ""));
}

}  // namespace
}  // namespace pgha::api
