#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "config/config.h"
#include "config/guc_catalog.h"
#include "helpers.h"

namespace pgha::config {
namespace {

using nlohmann::json;
using testing::HasWarning;

Config LocalWith(const std::string& extra) {
  auto config = ParseConfig(testing::Minimal(extra), {});
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.message());
  return config.ok() ? *config : Config{};
}

TEST(MergeDynamic, DefaultsWhenNothingIsSet) {
  std::vector<std::string> warnings;
  EXPECT_EQ(MergeDynamic(LocalWith(""), json::object(), &warnings), ha::Settings{});
  EXPECT_EQ(MergeDynamic(LocalWith(""), nullptr, &warnings), ha::Settings{});
  EXPECT_TRUE(warnings.empty());
}

TEST(MergeDynamic, LocalOverDefaultsAndDcsOverLocal) {
  Config local = LocalWith(
      "ttl: 40\nbootstrap:\n  dcs:\n    ttl: 30\n    retry_timeout: 5\n"
      "    maximum_lag_on_failover: 100\n");
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(local, json::object(), &warnings);
  EXPECT_EQ(s.ttl, 40);  // top-level beats bootstrap.dcs
  EXPECT_EQ(s.retry_timeout, 5);
  EXPECT_EQ(s.maximum_lag_on_failover, 100u);
  EXPECT_EQ(s.loop_wait, 1);  // pgha default
  s = MergeDynamic(local, json{{"ttl", 20}, {"loop_wait", 2}, {"pause", true}}, &warnings);
  EXPECT_EQ(s.ttl, 20);
  EXPECT_EQ(s.loop_wait, 2);
  EXPECT_EQ(s.retry_timeout, 5);
  EXPECT_TRUE(s.pause);
  EXPECT_TRUE(warnings.empty());
}

// As Patroni (config.py): a loop_wait or retry_timeout too long for the ttl is lowered so that
// loop_wait + 2 x retry_timeout <= ttl holds; the lease arithmetic is kept, the config accepted.
TEST(MergeDynamic, TimingThatBreaksTheLeaseIsLoweredAsPatroniDoes) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(
      LocalWith(""), json{{"ttl", 20}, {"loop_wait", 20}, {"retry_timeout", 10}}, &warnings);
  EXPECT_EQ(s.ttl, 20);
  EXPECT_EQ(s.loop_wait, 1);  // even loop_wait 1 does not fit retry_timeout 10
  EXPECT_EQ(s.retry_timeout, 9);
  EXPECT_TRUE(HasWarning(warnings,
                         "(ttl 20): using loop_wait 1 instead of 20 and retry_timeout 9 instead "
                         "of 10, as Patroni does"));
  warnings.clear();
  // Patroni's acceptance suite: PATCH {"ttl": 20} over loop_wait 2, retry_timeout 10.
  s = MergeDynamic(LocalWith(""), json{{"ttl", 20}, {"loop_wait", 2}, {"retry_timeout", 10}},
                   &warnings);
  EXPECT_EQ(s.loop_wait + 2 * s.retry_timeout, 19);
  warnings.clear();
  s = MergeDynamic(LocalWith(""), json{{"ttl", 10}, {"loop_wait", 5}, {"retry_timeout", 3}},
                   &warnings);
  EXPECT_EQ(s.loop_wait, 4);  // loop_wait alone is lowered when that suffices
  EXPECT_EQ(s.retry_timeout, 3);
  warnings.clear();
  s = MergeDynamic(LocalWith(""), json{{"ttl", 30}, {"loop_wait", 10}, {"retry_timeout", 10}},
                   &warnings);
  EXPECT_EQ(s.loop_wait, 10);  // exactly fits: untouched
  EXPECT_TRUE(warnings.empty());
}

TEST(MergeDynamic, InvalidDcsValuesAreIgnoredWithAWarning) {
  Config local = LocalWith("ttl: 15\n");
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(local,
                                json{{"ttl", "abc"},
                                     {"loop_wait", 2},
                                     {"synchronous_mode", "maybe"},
                                     {"pause", 7},
                                     {"maximum_lag_on_failover", -5},
                                     {"postgresql", "x"}},
                                &warnings);
  EXPECT_EQ(s.ttl, 15);
  EXPECT_EQ(s.loop_wait, 2);
  EXPECT_FALSE(s.synchronous_mode);
  EXPECT_FALSE(s.pause);
  EXPECT_EQ(s.maximum_lag_on_failover, 1048576u);
  EXPECT_TRUE(HasWarning(warnings, "/config ttl: expected an integer, got \"abc\""));
  EXPECT_TRUE(HasWarning(warnings, "synchronous_mode"));
  EXPECT_TRUE(HasWarning(warnings, "pause: expected a boolean, got 7"));
  EXPECT_TRUE(HasWarning(warnings, "maximum_lag_on_failover: -5 is out of range (allowed: 0 to"));
  EXPECT_TRUE(HasWarning(warnings, "postgresql: expected a mapping"));
  warnings.clear();
  s = MergeDynamic(local, json::array(), &warnings);
  EXPECT_EQ(s.ttl, 15);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(MergeDynamic, DcsValuesOutOfRangeKeepThePreviousValueAndAreNeverClamped) {
  std::vector<std::string> warnings;
  ha::Settings previous;
  previous.ttl = 12;
  previous.synchronous_node_count = 2;
  previous.maximum_lag_on_failover = 7;
  // ttl 2 is the value that made the fencing guard kill a healthy primary every ~3 s.
  for (json bad : {json(2), json(-5), json(1), json(0), json(100000), json("2"), json(2.5)}) {
    warnings.clear();
    ha::Settings s = MergeDynamic(LocalWith(""), json{{"ttl", bad}}, previous, &warnings);
    EXPECT_EQ(s.ttl, 12) << bad.dump();
    EXPECT_FALSE(warnings.empty()) << bad.dump();
    EXPECT_TRUE(HasWarning(warnings, "ttl")) << bad.dump();
  }
  warnings.clear();
  ha::Settings s = MergeDynamic(LocalWith(""),
                                json{{"synchronous_node_count", 0},
                                     {"maximum_lag_on_failover", -1},
                                     {"retry_timeout", 0},
                                     {"loop_wait", -3}},
                                previous, &warnings);
  EXPECT_EQ(s.synchronous_node_count, 2);
  EXPECT_EQ(s.maximum_lag_on_failover, 7u);
  EXPECT_EQ(s.retry_timeout, 2);
  EXPECT_EQ(s.loop_wait, 1);
  EXPECT_TRUE(HasWarning(warnings,
                         "synchronous_node_count: 0 is out of range (allowed: 1 to "
                         "100); keeping 2"));
  EXPECT_TRUE(HasWarning(warnings, "retry_timeout: 0 is out of range (allowed: 2 to 600)"));
  // Without previous settings (the agent's first /config) the local file's value stays.
  s = MergeDynamic(LocalWith("ttl: 9\n"), json{{"ttl", -5}}, &warnings);
  EXPECT_EQ(s.ttl, 9);
}

TEST(MergeDynamic, InvalidDcsParametersAreNamedAsNotWritten) {
  Config local = LocalWith("");
  std::vector<std::string> warnings;
  json dcs = {{"postgresql", {{"parameters", {{"work_mem", "8MB"}, {"bad name", 1}}}}}};
  (void)MergeDynamic(local, dcs, &warnings);
  EXPECT_TRUE(HasWarning(warnings,
                         "not writing invalid /config postgresql.parameters.bad name: "
                         "not a valid parameter name into postgresql.conf"));
  EXPECT_EQ(EffectiveParameters(local, dcs), (json{{"work_mem", "8MB"}}));
}

TEST(MergeDynamic, StringsAndLegacyNames) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(LocalWith(""),
                                json{{"ttl", "25"},
                                     {"loop_wait", "3"},
                                     {"retry_timeout", 4.0},
                                     {"master_start_timeout", 60},
                                     {"master_stop_timeout", 5},
                                     {"primary_stop_timeout", 7},
                                     {"synchronous_mode", "on"},
                                     {"synchronous_mode_strict", "true"},
                                     {"synchronous_node_count", 2}},
                                &warnings);
  EXPECT_EQ(s.ttl, 25);  // numeric strings count, as in Patroni
  EXPECT_EQ(s.loop_wait, 3);
  EXPECT_EQ(s.retry_timeout, 4);
  EXPECT_EQ(s.primary_start_timeout, 60);
  EXPECT_EQ(s.primary_stop_timeout, 7);  // the primary_* spelling wins
  EXPECT_TRUE(s.synchronous_mode);
  EXPECT_TRUE(s.synchronous_mode_strict);
  EXPECT_EQ(s.synchronous_node_count, 2);
  // pgha never kills a slowly stopping primary: both spellings are named as not used.
  EXPECT_EQ(warnings.size(), 2u);
  EXPECT_TRUE(HasWarning(warnings, "primary_stop_timeout: not used"));
  EXPECT_TRUE(HasWarning(warnings, "master_stop_timeout: not used"));
  warnings.clear();
  s = MergeDynamic(LocalWith(""), json{{"synchronous_mode", "quorum"}}, &warnings);
  EXPECT_TRUE(s.synchronous_mode);
  EXPECT_TRUE(s.synchronous_mode_quorum);
  EXPECT_TRUE(warnings.empty());
  s = MergeDynamic(LocalWith(""), json{{"synchronous_mode", "off"}}, &warnings);
  EXPECT_FALSE(s.synchronous_mode);
  EXPECT_FALSE(s.synchronous_mode_quorum);
}

TEST(MergeDynamic, PostgresqlRewindAndSlots) {
  std::vector<std::string> warnings;
  json dcs = {{"postgresql", {{"use_pg_rewind", false}, {"use_slots", false}}}};
  ha::Settings s = MergeDynamic(LocalWith(""), dcs, &warnings);
  EXPECT_FALSE(s.use_pg_rewind);
  EXPECT_FALSE(s.use_slots);
  s = MergeDynamic(LocalWith("  use_pg_rewind: false\n"), json::object(), &warnings);
  EXPECT_FALSE(s.use_pg_rewind);  // the local file can turn rewind off on its node
  s = MergeDynamic(LocalWith(""), json{{"postgresql", {{"use_pg_rewind", "on"}}}}, &warnings);
  EXPECT_TRUE(s.use_pg_rewind);
  EXPECT_TRUE(warnings.empty());
}

// Keys pgha reads but does not act on are named (nothing accepted silently).
TEST(MergeDynamic, KeysWithoutEffectAreNamed) {
  std::vector<std::string> warnings;
  json dcs = {{"check_timeline", false},
              {"max_timelines_history", 10},
              {"postgresql", {{"pg_ident", json::array({"map a b"})}, {"recovery_conf", {}}}},
              {"slots",
               {{"s1", {{"type", "physical"}, {"cluster_type", "standby"}}},
                {"s2", {{"type", "physical"}, {"cluster_type", "primary"}}}}}};
  ha::Settings s = MergeDynamic(LocalWith(""), dcs, &warnings);
  EXPECT_TRUE(HasWarning(warnings, "check_timeline: pgha never promotes"));
  EXPECT_TRUE(HasWarning(warnings, "max_timelines_history: not used"));
  EXPECT_TRUE(HasWarning(warnings, "postgresql.pg_ident: not used from the dynamic"));
  EXPECT_TRUE(HasWarning(warnings, "postgresql.recovery_conf: not used from the dynamic"));
  EXPECT_TRUE(HasWarning(warnings, "slots.s1: not created"));
  EXPECT_EQ(s.slots.count("s1"), 0u);  // standby clusters only
  EXPECT_EQ(s.slots.count("s2"), 1u);
  warnings.clear();
  MergeDynamic(LocalWith(""), json{{"check_timeline", true}, {"max_timelines_history", 0}},
               &warnings);
  EXPECT_TRUE(warnings.empty());  // what pgha does anyway
  EXPECT_FALSE(ValidateDynamicConfig(json{{"slots", {{"s", {{"cluster_type", "both"}}}}}}, nullptr,
                                     "", nullptr)
                   .ok());
  EXPECT_FALSE(ValidateDynamicConfig(json{{"postgresql", {{"pg_hba", "host all all 0/0 md5"}}}},
                                     nullptr, "", nullptr)
                   .ok());
}

// pg_hba as Patroni picks it: the local file's, then /config's, then bootstrap's.
TEST(EffectiveHba, LocalThenDynamicThenBootstrap) {
  Config local = LocalWith("bootstrap:\n  pg_hba:\n    - host all all 0/0 md5\n");
  EXPECT_EQ(EffectiveHba(local, json::object()),
            (std::vector<std::string>{"host all all 0/0 md5"}));
  json dcs = {{"postgresql", {{"pg_hba", json::array({"hostssl all all 0/0 scram-sha-256"})}}}};
  EXPECT_EQ(EffectiveHba(local, dcs),
            (std::vector<std::string>{"hostssl all all 0/0 scram-sha-256"}));
  local.postgresql.pg_hba = {"local all all trust"};
  EXPECT_EQ(EffectiveHba(local, dcs), (std::vector<std::string>{"local all all trust"}));
}

TEST(EffectiveParameters, DcsThenLocalExceptClusterWide) {
  Config local = LocalWith(
      "  parameters:\n    work_mem: 8MB\n    max_connections: 500\n    shared_buffers: 1GB\n"
      "bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 150\n"
      "        wal_level: logical\n        work_mem: 1MB\n        max_wal_senders: 5\n");
  json dcs = {
      {"ttl", 30},
      {"postgresql",
       {{"parameters", {{"max_connections", 300}, {"work_mem", "2MB"}, {"hot_standby", "on"}}}}}};
  json p = EffectiveParameters(local, dcs);
  EXPECT_EQ(p["max_connections"], 300);  // DCS only, local 500 ignored
  EXPECT_EQ(p["work_mem"], "8MB");       // local beats DCS
  EXPECT_EQ(p["shared_buffers"], "1GB");
  EXPECT_EQ(p["hot_standby"], "on");
  EXPECT_EQ(p["wal_level"], "logical");  // cluster-wide, missing in DCS: from bootstrap.dcs
  EXPECT_EQ(p["max_wal_senders"], 5);
}

TEST(EffectiveParameters, BeforeTheDcsHasAConfig) {
  Config local = LocalWith(
      "  parameters:\n    work_mem: 8MB\n    max_connections: 500\n"
      "bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 150\n"
      "        work_mem: 1MB\n        autovacuum: off\n");
  json p = EffectiveParameters(local, json::object());
  EXPECT_EQ(p["max_connections"], 150);
  EXPECT_EQ(p["work_mem"], "8MB");
  EXPECT_EQ(p["autovacuum"], false);
  EXPECT_EQ(EffectiveParameters(LocalWith(""), nullptr), json::object());
}

// Patroni's acceptance configuration carries wal_keep_segments: PostgreSQL 13+ refuses that name,
// so it is written as wal_keep_size for the running major.
TEST(EffectiveParameters, RenamedParametersAreWrittenForTheRunningMajor) {
  Config local = LocalWith(
      "bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        wal_keep_segments: 100\n");
  auto pg15 = std::make_shared<GucCatalog>(15);
  pg15->Add(GucSpec{"wal_keep_size", GucType::kInteger, 0, 2147483647, "MB", {}, {}});
  local.postgresql.gucs = pg15;
  EXPECT_EQ(EffectiveParameters(local, json::object()), (json{{"wal_keep_size", "1600MB"}}));
  json dcs = {{"postgresql", {{"parameters", {{"wal_keep_segments", "8"}}}}}};
  EXPECT_EQ(EffectiveParameters(local, dcs), (json{{"wal_keep_size", "128MB"}}));
}

// The validator behind PATCH/PUT /config, edit-config and the local file.
std::string Invalid(const json& config) {
  Status st = ValidateDynamicConfig(config, nullptr, "", nullptr);
  return st.ok() ? "" : st.message();
}

TEST(ValidateDynamicConfig, DefaultsAndGoodValuesPass) {
  EXPECT_EQ(Invalid(json::object()), "");
  EXPECT_EQ(Invalid(json{{"ttl", 5}, {"loop_wait", 1}, {"retry_timeout", 2}}), "");
  EXPECT_EQ(Invalid(json{{"ttl", 30}, {"loop_wait", 10}, {"retry_timeout", 10}}), "");  // Patroni
  EXPECT_EQ(Invalid(json{{"ttl", "30"}, {"loop_wait", "10"}, {"retry_timeout", "10"}}), "");
  EXPECT_EQ(Invalid(json{{"ttl", 6}, {"loop_wait", 2}}), "");  // ops_test.sh's values
  EXPECT_EQ(Invalid(json{{"ttl", 3600},
                         {"maximum_lag_on_failover", 0},
                         {"pause", "on"},
                         {"synchronous_mode", true},
                         {"synchronous_node_count", "2"},
                         {"maximum_lag_on_syncnode", -1},
                         {"unknown_key", 1}}),
            "");
}

TEST(ValidateDynamicConfig, TtlBelowTheLeaseArithmeticNamesTheMinimum) {
  EXPECT_EQ(Invalid(json{{"ttl", 2}}),
            "ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
            "(ttl >= max(5, loop_wait + 2 x retry_timeout))");
  EXPECT_EQ(Invalid(json{{"ttl", -5}}),
            "ttl: -5 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
            "(ttl >= max(5, loop_wait + 2 x retry_timeout))");
  // Above 5, a loop_wait or retry_timeout too long for the ttl is lowered, with a warning.
  std::vector<std::string> warnings;
  EXPECT_TRUE(ValidateDynamicConfig(json{{"ttl", 10}, {"loop_wait", 5}, {"retry_timeout", 3}},
                                    nullptr, "", &warnings)
                  .ok());
  EXPECT_TRUE(HasWarning(warnings, "using loop_wait 4 instead of 5"));
  EXPECT_EQ(Invalid(json{{"loop_wait", 4}}), "");
}

TEST(ValidateDynamicConfig, EveryBadKindIsRefusedNamingTheKey) {
  EXPECT_EQ(Invalid(json{{"ttl", "abc"}}), "ttl: expected an integer, got \"abc\"");
  EXPECT_EQ(Invalid(json{{"ttl", 2.5}}), "ttl: expected an integer, got 2.5");
  EXPECT_EQ(Invalid(json{{"ttl", true}}), "ttl: expected an integer, got true");
  EXPECT_EQ(Invalid(json{{"ttl", 100000}}), "ttl: 100000 is out of range (allowed: 5 to 3600)");
  EXPECT_EQ(Invalid(json{{"loop_wait", 0}}), "loop_wait: 0 is out of range (allowed: 1 to 600)");
  EXPECT_EQ(Invalid(json{{"retry_timeout", 1}}),
            "retry_timeout: 1 is out of range (allowed: 2 to 600)");
  EXPECT_EQ(Invalid(json{{"maximum_lag_on_failover", -1}}),
            "maximum_lag_on_failover: -1 is out of range (allowed: 0 to 9223372036854775807)");
  EXPECT_EQ(Invalid(json{{"maximum_lag_on_failover", "much"}}),
            "maximum_lag_on_failover: expected an integer, got \"much\"");
  EXPECT_EQ(Invalid(json{{"synchronous_node_count", 0}}),
            "synchronous_node_count: 0 is out of range (allowed: 1 to 100)");
  EXPECT_EQ(Invalid(json{{"primary_start_timeout", -1}}),
            "primary_start_timeout: -1 is out of range (allowed: 0 to 86400)");
  EXPECT_EQ(Invalid(json{{"pause", "maybe"}}), "pause: expected a boolean, got \"maybe\"");
  EXPECT_EQ(Invalid(json{{"max_timelines_history", -2}}),
            "max_timelines_history: -2 is out of range (allowed: 0 to 9223372036854775807)");
  EXPECT_EQ(Invalid(json{{"postgresql", {{"parameters", {{"bad name", 1}}}}}}),
            "postgresql.parameters.bad name: not a valid parameter name");
  EXPECT_EQ(Invalid(json{{"postgresql", {{"parameters", 5}}}}),
            "postgresql.parameters: expected a mapping, got 5");
  // Several problems: all of them, in one message.
  EXPECT_EQ(Invalid(json{{"loop_wait", "x"}, {"pause", 3}}),
            "loop_wait: expected an integer, got \"x\"; pause: expected a boolean, got 3");
}

TEST(ValidateDynamicChange, RefusesOnlyWhatTheChangeBreaks) {
  json broken = {{"ttl", -5}, {"pause", false}};  // written straight into etcd
  json paused = {{"ttl", -5}, {"pause", true}};
  std::vector<std::string> warnings;
  EXPECT_TRUE(ValidateDynamicChange(broken, paused, nullptr, &warnings).ok());
  EXPECT_TRUE(HasWarning(warnings, "still invalid: ttl: -5"));
  Status st = ValidateDynamicChange(json::object(), json{{"ttl", 2}}, nullptr, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
            "(ttl >= max(5, loop_wait + 2 x retry_timeout))");
  EXPECT_FALSE(ValidateDynamicChange(broken, json{{"ttl", 3}}, nullptr, nullptr).ok());
  EXPECT_TRUE(ValidateDynamicChange(broken, json{{"ttl", 5}}, nullptr, nullptr).ok());
}

}  // namespace
}  // namespace pgha::config

namespace pgha::config {
namespace {

TEST(MergeDynamic, MaximumLagOnSyncnodeIsApplied) {
  std::vector<std::string> warnings;
  ha::Settings s =
      MergeDynamic(LocalWith(""), json{{"maximum_lag_on_syncnode", 15000000}}, &warnings);
  EXPECT_EQ(s.maximum_lag_on_syncnode, 15000000);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(MergeDynamic(LocalWith(""), json::object(), nullptr).maximum_lag_on_syncnode, -1);
  Status st = ValidateDynamicConfig(json{{"maximum_lag_on_syncnode", -5}}, nullptr, "", nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("maximum_lag_on_syncnode: -5 is out of range (allowed: -1 to"),
            std::string::npos);
}

TEST(IntParameter, NumbersAndIntegerTextOnly) {
  nlohmann::json p = {{"max_wal_senders", 10}, {"a", "12"}, {"b", "12MB"}, {"c", true}};
  EXPECT_EQ(IntParameter(p, "max_wal_senders"), 10);
  EXPECT_EQ(IntParameter(p, "a"), 12);
  EXPECT_EQ(IntParameter(p, "b"), std::nullopt);
  EXPECT_EQ(IntParameter(p, "c"), std::nullopt);
  EXPECT_EQ(IntParameter(p, "missing"), std::nullopt);
}

}  // namespace
}  // namespace pgha::config

namespace pgha::config {
namespace {

TEST(MergeDynamic, PermanentSlotsAsPatroniWritesThem) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(
      LocalWith(""),
      json::parse(R"({"slots": {"test_physical": 0, "p2": null, "p3": {"type": "physical"},
                  "l1": {"type": "logical", "database": "postgres", "plugin": "test_decoding"},
                  "l2": {"database": "app", "plugin": "pgoutput"}}})"),
      &warnings);
  EXPECT_EQ(warnings.size(), 2u);  // one per logical slot: kept on the primary only
  EXPECT_TRUE(HasWarning(warnings, "slots.l1: kept on the primary only"));
  ASSERT_EQ(s.slots.size(), 5u);
  EXPECT_FALSE(s.slots["test_physical"].Logical());
  EXPECT_FALSE(s.slots["p2"].Logical());
  EXPECT_FALSE(s.slots["p3"].Logical());
  EXPECT_EQ(s.slots["l1"], (ha::PermanentSlot{"postgres", "test_decoding"}));
  EXPECT_EQ(s.slots["l2"], (ha::PermanentSlot{"app", "pgoutput"}));
  s = MergeDynamic(LocalWith(""), json{{"slots", nullptr}}, &warnings);
  EXPECT_TRUE(s.slots.empty());
}

TEST(ValidateDynamicConfig, BadPermanentSlotsAreNamed) {
  Status st = ValidateDynamicConfig(
      json::parse(R"({"slots": {"Bad-Name": null, "t": {"type": "xx"}, "l": {"type": "logical"},
                  "n": 5}})"),
      nullptr, "", nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), ::testing::HasSubstr("slots.Bad-Name: invalid replication slot name"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("slots.t.type: expected physical or logical"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("slots.l: a logical slot needs a database"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("slots.n: expected a mapping"));
  EXPECT_FALSE(ValidateDynamicConfig(json{{"slots", "x"}}, nullptr, "", nullptr).ok());
}

TEST(MergeDynamic, KeysPgHaDoesNotActOnAreNamed) {
  std::vector<std::string> warnings;
  MergeDynamic(LocalWith(""), json{{"failsafe_mode", true}, {"ignore_slots", json::array()}},
               &warnings);
  EXPECT_FALSE(HasWarning(warnings, "failsafe_mode"));  // implemented (ha/failsafe.cc)
  EXPECT_TRUE(HasWarning(warnings, "ignore_slots: pgha never drops a slot it did not create"));
}

}  // namespace
}  // namespace pgha::config

namespace pgha::config {
namespace {

TEST(ValidateDynamicConfig, AStandbyClusterIsRefusedNotIgnored) {
  Status st = ValidateDynamicConfig(
      json::parse(R"({"standby_cluster": {"host": "10.0.0.1", "port": 5432}})"), nullptr,
      "bootstrap.dcs.", nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(),
              ::testing::HasSubstr("bootstrap.dcs.standby_cluster: standby clusters are not "
                                   "supported by pgha"));
  EXPECT_TRUE(ValidateDynamicConfig(json{{"standby_cluster", nullptr}}, nullptr, "", nullptr).ok());
}

}  // namespace
}  // namespace pgha::config
