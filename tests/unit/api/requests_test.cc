// Pure request parsing and validation (api/requests.h): bodies, schedules, switchover/failover
// rules, restart filters, reinit flags and JSON merge patch.
#include "api/requests.h"

#include <gtest/gtest.h>

#include "fake_dcs.h"

namespace pgha::api {
namespace {

using nlohmann::json;
using testing::ThreeNodes;

SystemTime Now() { return ParseIsoTime("2026-01-01T12:00:00Z")->at; }

TEST(ParseJsonObject, AcceptsObjectsAndRefusesTheRest) {
  EXPECT_TRUE(ParseJsonObject(R"({"a":1})", false).ok());
  EXPECT_TRUE(ParseJsonObject("", true).ok());
  EXPECT_TRUE(ParseJsonObject("{}", true).ok());
  for (const char* bad : {"", "{}", "[1]", "\"x\"", "{", "null", "1", "{\"a\":}"}) {
    Checked<json> r = ParseJsonObject(bad, false);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.refusal.status, 400) << bad;
  }
  EXPECT_EQ(ParseJsonObject("[]", true).refusal.status, 400);
}

TEST(ParseSchedule, PatroniCodes) {
  EXPECT_TRUE(ParseSchedule("2026-01-01T13:00:00+00:00", "switchover", Now()).ok());
  auto no_zone = ParseSchedule("2026-01-01T13:00:00", "switchover", Now());
  EXPECT_EQ(no_zone.refusal.status, 400);
  EXPECT_EQ(no_zone.refusal.body, "Timezone information is mandatory for the scheduled switchover");
  auto past = ParseSchedule("2025-01-01T13:00:00Z", "restart", Now());
  EXPECT_EQ(past.refusal.status, 422);
  EXPECT_EQ(past.refusal.body, "Cannot schedule restart in the past");
  EXPECT_EQ(ParseSchedule("soon", "restart", Now()).refusal.status, 422);
  EXPECT_EQ(ParseSchedule(json(5), "restart", Now()).refusal.status, 422);
}

TEST(ReadDynamic, DefaultsAndValues) {
  DynamicView d = ReadDynamic("");
  EXPECT_FALSE(d.pause);
  EXPECT_EQ(d.loop_wait, 10);
  d = ReadDynamic(R"({"pause":true,"synchronous_mode":"on","loop_wait":3})");
  EXPECT_TRUE(d.pause);
  EXPECT_TRUE(d.synchronous_mode);
  EXPECT_EQ(d.loop_wait, 3);
  EXPECT_EQ(ReadDynamic(R"({"loop_wait":"x"})").loop_wait, 10);
}

Checked<FailoverBody> Body(const char* text, const char* action, DynamicView d = {}) {
  return ParseFailoverBody(json::parse(text), action, d, Now());
}

TEST(ParseFailoverBody, RequiredFieldsAndTypes) {
  EXPECT_TRUE(Body(R"({"leader":"node1"})", "switchover").ok());
  EXPECT_TRUE(
      Body(R"({"leader":"node1","candidate":null,"scheduled_at":null})", "switchover").ok());
  EXPECT_EQ(Body(R"({"candidate":"node2"})", "switchover").refusal.body,
            "Switchover could be performed only from a specific leader");
  EXPECT_EQ(Body(R"({"leader":"node1"})", "failover").refusal.body,
            "Failover could be performed only to a specific candidate");
  EXPECT_EQ(Body(R"({"member":"node2"})", "failover").value->candidate, "node2");
  EXPECT_EQ(Body(R"({"leader":5})", "switchover").refusal.status, 400);
  EXPECT_EQ(Body(R"({"leader":"node1","candidate":["x"]})", "switchover").refusal.status, 400);
  EXPECT_TRUE(Body(R"({"leader":"node1","unknown":1})", "switchover").ok());
}

TEST(ParseFailoverBody, Schedules) {
  auto ok = Body(R"({"leader":"node1","scheduled_at":"2026-01-01T13:00:00Z"})", "switchover");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.value->scheduled_at);
  EXPECT_EQ(Body(R"({"leader":"node1","scheduled_at":"bad"})", "switchover").refusal.status, 422);
  EXPECT_EQ(
      Body(R"({"leader":"node1","scheduled_at":"2026-01-01T13:00"})", "switchover").refusal.status,
      400);
  EXPECT_EQ(
      Body(R"({"candidate":"node2","scheduled_at":"2026-01-01T13:00Z"})", "failover").refusal.body,
      "Scheduled failover is possible only from a specific leader");
  DynamicView paused{.pause = true};
  EXPECT_EQ(Body(R"({"leader":"node1","scheduled_at":"2026-01-01T13:00Z"})", "switchover", paused)
                .refusal.body,
            "Can't schedule switchover in the paused state");
  EXPECT_EQ(Body(R"({"leader":"node1"})", "switchover", paused).refusal.body,
            "Switchover is possible only to a specific candidate in a paused state");
}

Checked<std::vector<ha::Member>> Targets(const char* text, const ha::ClusterView& v,
                                         DynamicView d = {}, const char* action = "switchover") {
  auto body = ParseFailoverBody(json::parse(text), action, d, Now());
  EXPECT_TRUE(body.ok());
  return FailoverTargets(*body.value, v, d);
}

TEST(FailoverTargets, Rules) {
  ha::ClusterView v = ThreeNodes();
  auto any = Targets(R"({"leader":"node1"})", v);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any.value->size(), 2u);
  EXPECT_EQ(Targets(R"({"leader":"node2"})", v).refusal.status, 412);
  auto missing = Targets(R"({"leader":"node1","candidate":"node9"})", v);
  EXPECT_EQ(missing.refusal.status, 412);
  EXPECT_EQ(missing.refusal.body, "candidate does not exists: node9");
  EXPECT_EQ(Targets(R"({"leader":"node1","candidate":"node1"})", v).refusal.status, 400);
  v.members[1].tags.nofailover = true;
  EXPECT_EQ(Targets(R"({"leader":"node1","candidate":"node2"})", v).refusal.status, 412);
  EXPECT_EQ(Targets(R"({"leader":"node1","candidate":"node2"})", v).refusal.body,
            "switchover is not possible: no good candidates have been found");  // Patroni's text
  v.members[2].tags.nofailover = true;
  EXPECT_EQ(Targets(R"({"leader":"node1"})", v).refusal.body,
            "switchover is not possible: cluster does not have members except leader");
}

TEST(FailoverTargets, SynchronousMode) {
  ha::ClusterView v = ThreeNodes();
  DynamicView sync{.synchronous_mode = true};
  EXPECT_EQ(Targets(R"({"leader":"node1"})", v, sync).refusal.body,
            "switchover is not possible: can not find sync_standby");
  v.sync = ha::SyncState{"node1", {"node3"}, 0};
  EXPECT_EQ(Targets(R"({"leader":"node1","candidate":"node2"})", v, sync).refusal.body,
            "candidate name does not match with sync_standby");
  // A failover to an asynchronous standby is refused as well (no agent would promote it).
  auto failover = Targets(R"({"candidate":"node2"})", v, sync, "failover");
  EXPECT_EQ(failover.refusal.status, 412);
  EXPECT_EQ(failover.refusal.body, "candidate name does not match with sync_standby");
  auto ok = Targets(R"({"leader":"node1"})", v, sync);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value->at(0).name, "node3");
}

TEST(FailoverLimitation, FromStatus) {
  json replica = {{"state", "running"}, {"role", "replica"}};
  EXPECT_FALSE(FailoverLimitation(replica, true));
  EXPECT_EQ(FailoverLimitation(std::nullopt, false), "not reachable");
  EXPECT_EQ(FailoverLimitation(json{{"tags", {{"nofailover", true}}}}, false),
            "not allowed to promote");
  EXPECT_EQ(FailoverLimitation(json{{"watchdog_failed", true}}, false), "not watchdog capable");
  EXPECT_EQ(FailoverLimitation(json{{"state", "stopped"}, {"role", "replica"}}, true),
            "not running");
  EXPECT_EQ(FailoverLimitation(json{{"state", "running"}, {"role", "primary"}}, true),
            "not a replica");
  EXPECT_FALSE(FailoverLimitation(json{{"state", "stopped"}}, false));
}

TEST(FailoverOutcome, Polling) {
  ha::ClusterView v = ThreeNodes();
  v.failover = ha::FailoverRequest{"node1", "node2", ""};
  EXPECT_FALSE(FailoverOutcome(v, "node1", "node2", "switchover"));
  v.leader.reset();
  EXPECT_FALSE(FailoverOutcome(v, "node1", "node2", "switchover"));
  v.leader = "node2";
  EXPECT_EQ(FailoverOutcome(v, "node1", "node2", "switchover")->body,
            "Successfully switched over to \"node2\"");
  v.leader = "node3";
  EXPECT_EQ(FailoverOutcome(v, "node1", "node2", "failover")->body,
            "Failed over to \"node3\" instead of \"node2\"");
  v.leader = "node1";
  v.failover = ha::FailoverRequest{};
  auto failed = FailoverOutcome(v, "node1", "node2", "switchover");
  EXPECT_EQ(failed->status, 503);
  EXPECT_EQ(failed->body, "Switchover failed");
}

TEST(ParseRestart, Filters) {
  auto ok = ParseRestart(json::parse(R"({"role":"master","postgres_version":"15.4",
      "restart_pending":true,"timeout":"30s","schedule":"2026-01-01T13:00:00Z"})"),
                         false, Now());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value->role, "primary");
  EXPECT_EQ(ok.value->timeout, 30);
  EXPECT_EQ(ok.value->restart_pending, true);
  EXPECT_EQ(ok.value->schedule, "2026-01-01T13:00:00+00:00");
  EXPECT_TRUE(ParseRestart(json::object(), false, Now()).ok());
  struct Case {
    const char* body;
    int status;
  };
  for (Case c :
       {Case{R"({"role":"boss"})", 400}, Case{R"({"role":1})", 400},
        Case{R"({"postgres_version":"15"})", 400}, Case{R"({"postgres_version":"a.b.c"})", 400},
        Case{R"({"postgres_version":15})", 400}, Case{R"({"timeout":0})", 400},
        Case{R"({"timeout":"-5"})", 400}, Case{R"({"timeout":"5 parsecs"})", 400},
        Case{R"({"timeout":true})", 400}, Case{R"({"restart_pending":"maybe"})", 400},
        Case{R"({"colour":"red"})", 400}, Case{R"({"schedule":"later"})", 422},
        Case{R"({"schedule":"2026-01-01T13:00"})", 400}}) {
    auto r = ParseRestart(json::parse(c.body), false, Now());
    EXPECT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.refusal.status, c.status) << c.body;
  }
  EXPECT_EQ(ParseRestart(json::parse(R"({"colour":1})"), false, Now()).refusal.body,
            "Unknown filter for the scheduled restart: colour");
  auto paused = ParseRestart(json::parse(R"({"schedule":"2026-01-01T13:00Z"})"), true, Now());
  EXPECT_EQ(paused.refusal.status, 500);
}

TEST(ParsePostgresVersion, PatroniRules) {
  EXPECT_EQ(*ParsePostgresVersion("9.5.3").value, 90503);
  EXPECT_EQ(*ParsePostgresVersion("10.1").value, 100001);
  for (const char* bad : {"10", "9.6", "a.b.c", "1.2.3.4", "", "15.", ".1"}) {
    EXPECT_FALSE(ParsePostgresVersion(bad).ok()) << bad;
  }
}

TEST(ParseReinit, Flags) {
  auto r = ParseReinit(json::parse(R"({"force":"yes","from_leader":true})"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value->force);
  EXPECT_TRUE(r.value->from_leader);
  EXPECT_FALSE(ParseReinit(json::object()).value->force);
  EXPECT_EQ(ParseReinit(json::parse(R"({"force":[1]})")).refusal.status, 400);
}

TEST(ParseBool, PatroniForms) {
  EXPECT_EQ(ParseBool("ON"), true);
  EXPECT_EQ(ParseBool(0), false);
  EXPECT_EQ(ParseBool("foo"), std::nullopt);
  EXPECT_EQ(ParseBool(json(1.5)), std::nullopt);
}

TEST(MergePatch, Rfc7386ExamplesAndPatronisNewKeys) {
  struct Case {
    const char *target, *patch, *result;
  };
  // RFC 7386 appendix A (object-valued patches).
  for (Case c : {Case{R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
                 Case{R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
                 Case{R"({"a":"b"})", R"({"a":null})", R"({})"},
                 Case{R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
                 Case{R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
                 Case{R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
                 Case{R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
                 Case{R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
                 Case{R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
                 // Patroni's patch_config, not RFC 7386: a new key's value goes in as given.
                 Case{R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{"ccc":null}}})"},
                 Case{R"({"slots":{"s0":{"type":"physical"}}})", R"({"slots":{"s1":null}})",
                      R"({"slots":{"s0":{"type":"physical"}}})"},
                 Case{R"({"a":1})", R"({"slots":{"s1":null,"s2":null}})",
                      R"({"a":1,"slots":{"s1":null,"s2":null}})"}}) {
    json target = json::parse(c.target);
    MergePatch(target, json::parse(c.patch));
    EXPECT_EQ(target, json::parse(c.result)) << c.target << " + " << c.patch;
  }
}

TEST(MergePatch, ReportsChange) {
  json config = {{"pause", true}, {"ttl", 30}};
  EXPECT_FALSE(MergePatch(config, json{{"ttl", 30}}));
  EXPECT_FALSE(MergePatch(config, json{{"missing", nullptr}}));
  EXPECT_TRUE(MergePatch(config, json{{"pause", nullptr}}));
  EXPECT_FALSE(config.contains("pause"));
  EXPECT_TRUE(MergePatch(config, json{{"postgresql", {{"parameters", {{"a", 1}}}}}}));
  EXPECT_EQ(config["postgresql"]["parameters"]["a"], 1);
}

}  // namespace
}  // namespace pgha::api
